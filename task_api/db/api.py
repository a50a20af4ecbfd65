"""The DB API contract of task_api.

Controllers and commands talk to storage only through this interface. Every
method takes the caller's RequestContext first, runs in one transaction and
returns plain dicts; it raises only task_api.exception types.
"""

import abc

from oslo_config import cfg
from oslo_db import api as db_api

from task_api import conf  # noqa: F401  (registers [database])

CONF = cfg.CONF

_BACKEND_MAPPING = {'sqlalchemy': 'task_api.db.sqlalchemy.api'}
_IMPL = db_api.DBAPI.from_config(CONF, backend_mapping=_BACKEND_MAPPING,
                                 lazy=True)


def get_instance():
    """Return the configured implementation of :class:`Connection`."""
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
    def task_create(self, context, values):
        """Store a new task and its task_info row.

        :param context: the caller's RequestContext.
        :param values: column values of both tables; ``input``, ``result``
            and ``message`` go to task_info, the rest to tasks. ``id``,
            ``created_at`` and ``updated_at`` are generated when absent.
        :returns: the stored task as a dict, as :meth:`task_get` returns it.
        :raises: task_api.exception.DatabaseUnavailable when the database
            cannot be reached.
        """
