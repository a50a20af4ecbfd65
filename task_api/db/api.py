"""The DB API contract of task_api.

Controllers and commands talk to storage only through this interface. Every
method takes the caller's RequestContext first and returns plain dicts; it
raises only task_api.exception types. Every write runs in one transaction;
reads see only committed rows, statement by statement. Ids, owners and
the other strings are compared exactly (case and trailing spaces count) on
every backend. Every call waits for the database within the bounds of
``[database]`` (pool_timeout, connect_timeout, statement_timeout) and
raises DatabaseUnavailable past them.
"""

import abc

from oslo_db import api as db_api

from task_api.common import strict_json
from task_api import conf as task_conf

CONF = task_conf.CONF

#: The columns of ``tasks``: what a list may be filtered and sorted by.
TASK_COLUMNS = ('id', 'type', 'status', 'owner', 'expires_at', 'created_at',
                'updated_at', 'deleted_at', 'deleted', 'image_id',
                'request_id', 'user_id')
#: Those of TASK_COLUMNS holding timestamps.
TIMESTAMP_COLUMNS = ('expires_at', 'created_at', 'updated_at', 'deleted_at')
#: The most bytes a task's ``input`` or ``result`` may take as stored
#: (:func:`encode_json`): a TEXT column of MySQL and MariaDB holds 65,535,
#: the least of the backends, and the same limit applies on all of them.
JSON_MAX_BYTES = 65535


def encode_json(value):
    """The text a JSON column stores for ``value``.

    It is ASCII, so one byte a character on every backend.

    :raises: ValueError for NaN or an infinite number, which are not JSON.
    """
    return strict_json.dumps(value)


_BACKEND_MAPPING = {'sqlalchemy': 'task_api.db.sqlalchemy.api'}
_IMPL = None


def get_instance():
    """Return the configured implementation of :class:`Connection`.

    It is made on the first call, not on import, so that importing
    task_api registers no option.
    """
    global _IMPL
    if _IMPL is None:
        _IMPL = db_api.DBAPI.from_config(
            CONF, backend_mapping=_BACKEND_MAPPING, lazy=True)
    return _IMPL


class Connection(metaclass=abc.ABCMeta):
    """Storage of tasks.

    A task is returned as a dict with the keys ``id``, ``type``,
    ``status``, ``owner``, ``expires_at``, ``created_at``, ``updated_at``,
    ``deleted_at``, ``deleted``, ``image_id``, ``request_id``, ``user_id``,
    ``input``, ``result`` and ``message``, in that order. Timestamps are
    naive UTC datetimes; ``input`` and ``result`` are decoded JSON.
    """

    @abc.abstractmethod
    def task_get(self, context, task_id):
        """Return one task the caller may see.

        Administrators see every task, soft-deleted ones included; other
        callers see only the non-deleted tasks of their own project. An
        expired task that is not yet deleted is still returned.

        :param context: the caller's RequestContext.
        :param task_id: the id of the task, as given by the caller.
        :returns: the task dict described on the class.
        :raises: task_api.exception.TaskNotFound when there is no such task
            or the caller may not see it.
        :raises: task_api.exception.DatabaseUnavailable when the database
            cannot be reached.
        """

    @abc.abstractmethod
    def database_check(self, context):
        """Check that the database answers and holds task_api's tables.

        One cheap statement, bounded like every other one, for health
        checks; nothing is read or written.

        :param context: a RequestContext (an administrator's).
        :raises: task_api.exception.DatabaseUnavailable when the database
            cannot be reached or does not answer in time.
        :raises: task_api.exception.DatabaseNotMigrated when the tables
            are missing: the schema was never migrated.
        """

    @abc.abstractmethod
    def task_create(self, context, values):
        """Store a new task and its task_info row.

        :param context: the caller's RequestContext.
        :param values: column values of both tables; ``input``, ``result``
            and ``message`` go to task_info, the rest to tasks. ``id``,
            ``created_at`` and ``updated_at`` are generated when absent.
        :returns: the stored task as a dict, as :meth:`task_get` returns it.
        :raises: task_api.exception.InvalidColumnValue when the database
            refuses a value (too long for its column, or a character it
            does not accept); nothing is stored.
        :raises: task_api.exception.DatabaseUnavailable when the database
            cannot be reached.
        """

    @abc.abstractmethod
    def task_get_all(self, context, filters=None, marker=None, limit=None,
                     sort_key='created_at', sort_dir='desc'):
        """Return one page of the tasks the caller may list.

        Soft-deleted tasks and tasks past their ``expires_at`` are never
        listed; non-administrators see only their own project's tasks. The
        order is ``sort_key`` then ``created_at`` then ``id``, all in
        ``sort_dir``; NULLs count as smaller than every value. Nothing is
        written.

        :param context: the caller's RequestContext.
        :param filters: column name -> value, each an equality filter.
        :param marker: id of the last task of the previous page; the page
            starts after it.
        :param limit: most tasks returned; None for all.
        :param sort_key: one of TASK_COLUMNS.
        :param sort_dir: ``asc`` or ``desc``.
        :returns: a list of task dicts without ``input``, ``result`` and
            ``message``.
        :raises: task_api.exception.MarkerNotFound when the marker names no
            task the caller may see.
        :raises: task_api.exception.InvalidSortKey for an unknown sort key.
        :raises: task_api.exception.DatabaseUnavailable
        """

    @abc.abstractmethod
    def tasks_get_by_image(self, context, image_id, limit):
        """Return the newest live tasks of an image, newest first.

        Only tasks that are neither soft-deleted nor expired, and for
        non-administrators only their own project's. The order is
        ``created_at`` then ``id``, both descending, and at most ``limit``
        tasks are returned, so that an image named by many tasks costs a
        bounded answer; there is no marker to page further.

        :param context: the caller's RequestContext.
        :param image_id: the image the tasks name in ``image_id``.
        :param limit: most tasks returned (the API passes ``[api]
            api_limit_max``).
        :returns: a list of full task dicts.
        :raises: task_api.exception.DatabaseUnavailable
        """

    @abc.abstractmethod
    def image_get(self, context, image_id):
        """Return an image the caller may see, from Glance's tables.

        When the database is Glance's (task_api inside glance-api, or on a
        database shared with it), its ``images`` and ``image_members``
        tables decide, by Glance's rules: an administrator sees every
        image; another caller an image without owner, a public or
        community one, one of its project, or a shared one its project is
        a member of (whatever the member's status). A deleted image is
        seen only by callers who may see deleted rows.

        :param context: the caller's RequestContext.
        :param image_id: the id of the image, as given by the caller.
        :returns: ``{'id', 'owner', 'visibility', 'member_id'}``, where
            ``member_id`` is the caller's project when it is a member of
            the image, else None; None when the database has no
            ``images`` table (task_api's own database). Whether it has
            one is learned once for each engine: Glance's tables that
            appear later are seen once the engine is disposed (a restart).
        :raises: task_api.exception.ImageNotFound
        :raises: task_api.exception.DatabaseUnavailable
        """

    @abc.abstractmethod
    def task_update(self, context, task_id, values, expected_status=None):
        """Change a task, and set its ``updated_at`` to now.

        :param context: the caller's RequestContext.
        :param task_id: the id of the task.
        :param values: new column values of both tables; ``id``,
            ``created_at``, ``updated_at``, ``deleted`` and ``deleted_at``
            are not changed this way.
        :param expected_status: when given, the change applies only if the
            task still has this status, so that two writers cannot both
            move a task out of the same state.
        :returns: the updated task dict.
        :raises: task_api.exception.TaskNotFound when the caller may not
            see the task.
        :raises: task_api.exception.TaskStatusConflict when the task's
            status is no longer ``expected_status``.
        :raises: task_api.exception.InvalidColumnValue when the database
            refuses a value; nothing is changed.
        :raises: task_api.exception.DatabaseUnavailable
        """

    @abc.abstractmethod
    def task_purge(self, context, older_than, max_rows):
        """Delete for good one batch of expired or soft-deleted tasks.

        A task goes when it was soft-deleted before ``older_than``, or
        expired before it; its task_info row goes with it.

        :param context: an administrator's RequestContext.
        :param older_than: naive UTC datetime.
        :param max_rows: most tasks deleted in this call, in one
            transaction.
        :returns: the number of tasks this call deleted; fewer than
            ``max_rows`` means nothing is left to purge, or another purge
            running at the same time took the rest.
        :raises: task_api.exception.DatabaseUnavailable
        """

    # The claims of task_api's workers (task_api_claims). Only tasks that
    # task_api created have a claim row: task_create writes it in the same
    # transaction when the new task is pending.

    @abc.abstractmethod
    def task_claim(self, context, worker_id, limit, lease_seconds):
        """Claim up to ``limit`` tasks for a worker, atomically.

        A task may be claimed when task_api created it and no worker holds
        it: it was never claimed, was released, or the lease of the worker
        holding it expired (that worker is taken for lost). Oldest first.
        Of any number of workers claiming at the same time, each task goes
        to exactly one: PostgreSQL and MySQL/MariaDB skip the rows another
        transaction has locked (``SELECT ... FOR UPDATE SKIP LOCKED``);
        SQLite has a single writer, and claims with one statement.

        :param context: an administrator's RequestContext.
        :param worker_id: the claiming worker's name.
        :param limit: most tasks claimed.
        :param lease_seconds: the claim lasts this long unless renewed.
        :returns: a list of claims, each a dict with ``task_id``,
            ``worker_id``, ``lease_expires_at``, ``attempts`` (the claims
            made on the task, this one included: above 1 means a worker
            held it before) and ``created_at``.
        :raises: task_api.exception.DatabaseUnavailable
        """

    @abc.abstractmethod
    def task_claim_renew(self, context, worker_id, task_ids, lease_seconds):
        """Extend the leases a worker still holds.

        :param context: an administrator's RequestContext.
        :param worker_id: the worker holding the claims.
        :param task_ids: the tasks whose claims are renewed.
        :param lease_seconds: each lease now ends this long from now.
        :returns: the set of the ids renewed; a task missing from it is no
            longer this worker's (its lease expired and another worker
            took it, or it ended).
        :raises: task_api.exception.DatabaseUnavailable
        """

    @abc.abstractmethod
    def task_claim_release(self, context, worker_id, task_id, done=True):
        """Give up a worker's claim on a task.

        :param context: an administrator's RequestContext.
        :param worker_id: the worker holding the claim.
        :param task_id: the task.
        :param done: True when the task ended, so its claim row goes;
            False hands the task back, so that another worker claims it at
            once.
        :returns: whether the worker still held the claim.
        :raises: task_api.exception.DatabaseUnavailable
        """

    @abc.abstractmethod
    def task_claim_delete(self, context, task_id):
        """Delete the claim row of a task, whoever holds it.

        Used when a pending task is cancelled: no worker claims it
        afterwards, and one that claimed it meanwhile finds it ended.

        :param context: the caller's RequestContext.
        :param task_id: the task.
        :returns: whether the task had a claim row.
        :raises: task_api.exception.DatabaseUnavailable
        """

    @abc.abstractmethod
    def task_cancel_request(self, context, task_id, message):
        """Ask the worker running a task to stop it.

        Records ``message`` on the task's claim row unless a cancel was
        already asked for (the first caller's message stays).

        :param context: the caller's RequestContext.
        :param task_id: the task.
        :param message: the message the task ends with.
        :returns: whether the task has a claim row (task_api runs it).
        :raises: task_api.exception.DatabaseUnavailable
        """

    @abc.abstractmethod
    def task_cancel_message(self, context, task_id):
        """The cancel message recorded for a task, or None.

        :param context: an administrator's RequestContext.
        :param task_id: the task.
        :raises: task_api.exception.DatabaseUnavailable
        """
