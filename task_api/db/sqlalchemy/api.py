"""The SQLAlchemy implementation of the task_api DB API."""

import collections
import datetime
import functools
import threading
import weakref

from oslo_db import api as oslo_db_api
from oslo_db import exception as db_exc
from oslo_log import log
from oslo_utils import timeutils
from oslo_utils import uuidutils
import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.ext import compiler as sa_compiler
from sqlalchemy.sql import functions as sa_functions

from task_api import conf as task_conf
from task_api.db import api
from task_api.db import errors
from task_api.db.sqlalchemy import engines
from task_api.db.sqlalchemy import models
from task_api import exception
from task_api import lifecycle

CONF = task_conf.CONF
LOG = log.getLogger(__name__)

#: task_api's enginefacade, and its one pool (see engines).
main_context_manager = engines.main_context_manager
#: Runs a read (see engines.read).
_read = engines.read

_TASK_COLUMNS = tuple(models.Task.__table__.columns)
_INFO_COLUMNS = (models.TaskInfo.input, models.TaskInfo.result,
                 models.TaskInfo.message)
_INFO_KEYS = ('input', 'result', 'message')
_TASK_KEYS = tuple(column.key for column in _TASK_COLUMNS)
_KEYS = _TASK_KEYS + _INFO_KEYS
# NOTE: bookkeeping columns that only task_create and task_purge write.
_PROTECTED_KEYS = frozenset(('id', 'created_at', 'updated_at', 'deleted',
                             'deleted_at'))
_COLUMNS_BY_KEY = {column.key: column for column in _TASK_COLUMNS}
_NULLABLE_KEYS = frozenset(column.key for column in _TASK_COLUMNS
                           if column.nullable)
_BOOLEAN_KEYS = frozenset(column.key for column in _TASK_COLUMNS
                          if isinstance(column.type, sa.Boolean))
_CLAIM_COLUMNS = tuple(models.Claim.__table__.columns)


def get_backend():
    """The entry point oslo.db's DBAPI loads."""
    return Connection()


get_engine = engines.get_engine


#: Runs a writer again when SQLite was busy (see errors.is_sqlite_busy).
_retry_when_sqlite_busy = oslo_db_api.wrap_db_retry(
    max_retries=50, retry_interval=0.01, inc_retry_interval=True,
    max_retry_interval=0.2, exception_checker=errors.is_sqlite_busy)


def _describe(error):
    """The driver's own first line about ``error``, for log lines.

    SQLAlchemy's text of an error quotes the statement's parameters, which
    may hold a task's input and its credentials; the driver's does not.
    """
    error = errors.driver_error(error)
    lines = [line.strip() for line in str(error).splitlines()]
    return '%s: %s' % (type(error).__name__,
                       next((line for line in lines if line), ''))


def _translate_errors(fn):
    """Report an unreachable database as DatabaseUnavailable (503).

    A value the database refuses to store is the caller's error
    (InvalidColumnValue, 400): the API validates what it can, and this is
    the backstop for what a column holds.
    """

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (db_exc.DBError, db_exc.DBInvalidUnicodeParameter,
                sa_exc.StatementError, sa_exc.TimeoutError) as error:
            if errors.is_unavailable(error):
                LOG.error('Database unavailable: %s', _describe(error))
                raise exception.DatabaseUnavailable() from error
            if errors.is_refused_value(error):
                # NOTE: the database's message may quote the value, which
                # may hold a credential: only its kind is logged.
                LOG.info('The database refused a value: %s',
                         type(errors.driver_error(error)).__name__)
                raise exception.InvalidColumnValue() from error
            raise

    return wrapper


class _exact(sa_functions.FunctionElement):
    """``left = right``, comparing strings exactly on every backend.

    MySQL's default collations ignore case and trailing spaces, so that
    project ``ABC`` would see the tasks of ``abc`` and ``abc ``. The
    columns are left as they are (the database may be Glance's); on MySQL
    the comparison is made twice: by the collation, which an index
    serves, and on the bytes, which decides.
    """

    # NOTE: not Boolean, which SQLite and MySQL would compare with 1.
    type = sa.types.NullType()
    inherit_cache = True


@sa_compiler.compiles(_exact)
def _compile_exact(element, compiler, **kw):
    left, right = element.clauses
    return compiler.process(left == right, **kw)


@sa_compiler.compiles(_exact, 'mysql')
def _compile_exact_mysql(element, compiler, **kw):
    left, right = element.clauses
    return '(%s AND %s)' % (
        compiler.process(left == right, **kw),
        compiler.process(sa.cast(left, sa.LargeBinary)
                         == sa.cast(right, sa.LargeBinary), **kw))


def _task_select():
    return (sa.select(*_TASK_COLUMNS, *_INFO_COLUMNS)
            .outerjoin(models.TaskInfo,
                       _exact(models.TaskInfo.task_id, models.Task.id)))


def _row_to_dict(row):
    return dict(zip(_KEYS, row))


class _Caller(collections.namedtuple(
        '_Caller', ('is_admin', 'can_see_deleted', 'project_id'))):
    """Who reads, as :func:`_visible` needs it: a RequestContext will do.

    The prebuilt statements are built for one of these whose project is a
    bind parameter.
    """


def _visible(stmt, caller, many=False, now=None):
    """``stmt`` restricted to the tasks ``caller`` may read: the one rule.

    Every statement that reads tasks for a caller, the prebuilt show
    statements included, is built through it.

    A read of one task by id (show, update, a list's marker) finds an
    expired task, and a deleted one when the caller may see deleted rows;
    a read of many (a list, an image's tasks) finds neither, whoever the
    caller. Only administrators read other projects' tasks.

    :param caller: a RequestContext, or a :class:`_Caller`.
    :param many: whether the statement reads many tasks.
    :param now: the time expiry is judged at, a bind parameter of a
        prebuilt statement; the current time when None.
    """
    if many or not caller.can_see_deleted:
        stmt = stmt.where(models.Task.deleted == sa.false())
    if not caller.is_admin:
        # NOTE: an invisible task is reported as missing, never as
        # forbidden, so that callers learn nothing about other projects.
        stmt = stmt.where(_exact(models.Task.owner, caller.project_id))
    if many:
        expires_at = models.Task.expires_at
        if now is None:
            now = timeutils.utcnow()
        stmt = stmt.where(sa.or_(expires_at.is_(None), expires_at > now))
    return stmt


# NOTE: built once, as building a statement costs more than running it;
# one for each way a caller sees tasks. Run on the driver's cursor: a
# read by id is the hottest statement of the API.
_BY_ID = _task_select().where(
    _exact(models.Task.id, sa.bindparam('task_id', type_=sa.String)))
_GET_BY_ID = engines.PreparedRead(_BY_ID)
_GET_VISIBLE = {
    (can_see_deleted, is_admin): engines.PreparedRead(_visible(
        _BY_ID, _Caller(is_admin, can_see_deleted,
                        sa.bindparam('owner', type_=sa.String))))
    for can_see_deleted in (True, False) for is_admin in (True, False)
}


# NOTE: names both tables, which must exist, and reads no row.
_CHECK = (sa.select(sa.literal(1))
          .select_from(models.Task.__table__.outerjoin(
              models.TaskInfo.__table__,
              models.TaskInfo.task_id == models.Task.id))
          .where(sa.false()))


def _cancel_message(connection, context, task_id):
    return connection.execute(
        sa.select(models.Claim.cancel_message)
        .where(models.Claim.task_id == task_id)).scalar()


def _database_check(connection, context):
    connection.execute(_CHECK).all()


def _by_id(context, task_id, visible_only=True):
    """The prepared read of a task by id and its parameters."""
    if visible_only:
        read = _GET_VISIBLE[(bool(context.can_see_deleted),
                             bool(context.is_admin))]
    else:
        read = _GET_BY_ID
    return read, {'task_id': task_id, 'owner': context.project_id}


def _found(row, task_id):
    if row is None:
        raise exception.TaskNotFound(task_id=task_id)
    return _row_to_dict(row)


def _task_get(connection, context, task_id, visible_only=True):
    read, params = _by_id(context, task_id, visible_only)
    return _found(read.first(connection, params), task_id)


def _sort_keys(sort_key):
    """The keys a list is ordered by: ties broken by created_at, then id."""
    if sort_key == 'id':
        return ['id']
    return [sort_key] + [key for key in ('created_at', 'id')
                         if key != sort_key]


def _order_by(keys, ascending):
    # NOTE: databases disagree on where NULLs sort; task_api puts them
    # below every value on all of them, so that pages are the same
    # everywhere and a marker on a NULL resumes at the right place.
    clauses = []
    for key in keys:
        column = _COLUMNS_BY_KEY[key]
        if key in _NULLABLE_KEYS:
            present = column.is_not(None)
            clauses.append(present.asc() if ascending else present.desc())
        clauses.append(column.asc() if ascending else column.desc())
    return clauses


def _beyond(key, value, ascending):
    """Rows whose ``key`` comes strictly after ``value`` in the order."""
    column = _COLUMNS_BY_KEY[key]
    if key in _BOOLEAN_KEYS:
        # NOTE: SQLAlchemy refuses < and > with True and False; false
        # sorts before true on every backend.
        if value == ascending:
            return sa.false()
        return column == sa.true() if ascending else column == sa.false()
    if ascending:
        return column.is_not(None) if value is None else column > value
    if value is None:
        return sa.false()
    if key in _NULLABLE_KEYS:
        return sa.or_(column < value, column.is_(None))
    return column < value


def _same(key, value):
    """Rows whose ``key`` sorts level with ``value``.

    For the keyset condition: the database's own equality, which agrees
    with its ORDER BY.
    """
    column = _COLUMNS_BY_KEY[key]
    return column.is_(None) if value is None else column == value


def _equal(key, value):
    """Rows whose ``key`` is exactly ``value``: the filters of a list.

    :param value: a value, or a bind parameter of a prebuilt statement.
    """
    column = _COLUMNS_BY_KEY[key]
    if value is None:
        return column.is_(None)
    if not isinstance(value, sa.BindParameter):
        value = sa.bindparam(None, value, type_=column.type)
    if isinstance(column.type, sa.String):
        return _exact(column, value)
    return column == value


def _after_marker(keys, marker, ascending):
    """Keyset condition: rows after the marker row in the page order."""
    alternatives = []
    for index, key in enumerate(keys):
        alternatives.append(sa.and_(
            *[_same(previous, marker[previous]) for previous in keys[:index]],
            _beyond(key, marker[key], ascending)))
    after = sa.or_(*alternatives)
    first = keys[0]
    if first in _NULLABLE_KEYS or first in _BOOLEAN_KEYS:
        return after
    # NOTE: implied by the alternatives, but a plain range on the leading
    # key is what lets the database start its index scan at the marker
    # instead of at the first row.
    column, value = _COLUMNS_BY_KEY[first], marker[first]
    return sa.and_(column >= value if ascending else column <= value, after)


class _ListStatements:
    """The statements of list pages, built once for each shape of list.

    A shape is who reads (administrator or not), which columns are
    filtered (and which of them on NULL), the order and whether the page
    has a limit; the rest (project, time, filter values, limit) are bind
    parameters. Building and compiling a list statement costs more than
    SQLite takes to run it. A marker's condition is added to the
    prebuilt statement of the page's shape.
    """

    #: shapes kept; a caller cannot make more than a few dozen
    MAX = 256

    def __init__(self):
        self._statements = {}

    def get(self, context, filters, sort_key, ascending, limit):
        """The statement and its parameters for one list page."""
        filters = sorted((key, value) for key, value in filters.items()
                         if key in _COLUMNS_BY_KEY and key != 'deleted')
        shape = (bool(context.is_admin),
                 tuple((key, value is None) for key, value in filters),
                 sort_key, ascending, limit is None)
        stmt = self._statements.get(shape)
        if stmt is None:
            if len(self._statements) >= self.MAX:
                self._statements.clear()
            stmt = self._statements[shape] = self._build(*shape)
        params = {'owner': context.project_id, 'now': timeutils.utcnow(),
                  'limit': limit}
        params.update(('filter_' + key, value) for key, value in filters
                      if value is not None)
        return stmt, params

    @staticmethod
    def _build(is_admin, filters, sort_key, ascending, unlimited):
        caller = _Caller(is_admin, False,
                         sa.bindparam('owner', type_=sa.String))
        now = sa.bindparam('now', type_=models.Task.expires_at.type)
        stmt = _visible(sa.select(*_TASK_COLUMNS), caller, many=True,
                        now=now)
        for key, is_null in filters:
            stmt = stmt.where(_equal(key, None if is_null else sa.bindparam(
                'filter_' + key, type_=_COLUMNS_BY_KEY[key].type)))
        stmt = stmt.order_by(*_order_by(_sort_keys(sort_key), ascending))
        if not unlimited:
            stmt = stmt.limit(sa.bindparam('limit', type_=sa.Integer))
        return stmt


_LISTS = _ListStatements()


def _task_get_all(connection, context, filters, marker, limit, sort_key,
                  sort_dir):
    if sort_key not in _COLUMNS_BY_KEY:
        raise exception.InvalidSortKey()
    ascending = sort_dir == 'asc'
    keys = _sort_keys(sort_key)
    stmt, params = _LISTS.get(context, filters or {}, sort_key, ascending,
                              limit)
    if marker is not None:
        marker_row = connection.execute(_visible(
            sa.select(*_TASK_COLUMNS).where(_equal('id', marker)),
            context)).first()
        if marker_row is None:
            raise exception.MarkerNotFound(task_id=marker)
        marker_task = dict(zip(_TASK_KEYS, marker_row))
        stmt = stmt.where(_after_marker(keys, marker_task, ascending))
    rows = connection.execute(stmt, params)
    return [dict(zip(_TASK_KEYS, row)) for row in rows]


def _tasks_get_by_image(connection, context, image_id, limit):
    stmt = (_visible(_task_select(), context, many=True)
            .where(_equal('image_id', image_id)))
    stmt = stmt.order_by(models.Task.created_at.desc(),
                         models.Task.id.desc()).limit(limit)
    return [_row_to_dict(row) for row in connection.execute(stmt)]


# NOTE: Glance's tables, which task_api reads when the database is
# Glance's and never creates: only the columns the visibility rules need.
_IMAGES = sa.table('images', sa.column('id', sa.String),
                   sa.column('owner', sa.String),
                   sa.column('visibility', sa.String),
                   sa.column('deleted', sa.Boolean))
_IMAGE_MEMBERS = sa.table('image_members', sa.column('image_id', sa.String),
                          sa.column('member', sa.String),
                          sa.column('deleted', sa.Boolean))


class _ImagesTables:
    """Whether the database of each engine holds Glance's ``images``.

    Asked of the catalog (rather than learned from a failing statement,
    which the drivers and oslo.db log with a traceback) once per engine,
    not at every request: the answer is kept until the engine is
    disposed.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._found = weakref.WeakKeyDictionary()

    def present(self, connection):
        engine = connection.engine
        found = self._found.get(engine)
        if found is None:
            found = sa.inspect(connection).has_table('images')
            with self._lock:
                if not sa.event.contains(engine, 'engine_disposed',
                                         self._forget):
                    sa.event.listen(engine, 'engine_disposed', self._forget)
                self._found[engine] = found
        return found

    def _forget(self, engine):
        self._found.pop(engine, None)


_IMAGES_TABLES = _ImagesTables()


def _image_get(connection, context, image_id):
    if not _IMAGES_TABLES.present(connection):
        return None
    row = connection.execute(
        sa.select(_IMAGES.c.owner, _IMAGES.c.visibility, _IMAGES.c.deleted)
        .where(_exact(_IMAGES.c.id,
                      sa.bindparam(None, image_id, type_=sa.String)))
    ).first()
    if row is None or (row.deleted and not context.can_see_deleted):
        raise exception.ImageNotFound()
    project = context.project_id
    member_id = None
    if project is not None and row.visibility == 'shared' \
            and project != row.owner:
        member = connection.execute(
            sa.select(_IMAGE_MEMBERS.c.member).where(
                _exact(_IMAGE_MEMBERS.c.image_id,
                       sa.bindparam(None, image_id, type_=sa.String)),
                _exact(_IMAGE_MEMBERS.c.member,
                       sa.bindparam(None, project, type_=sa.String)),
                _IMAGE_MEMBERS.c.deleted == sa.false())).first()
        member_id = project if member is not None else None
    visible = (context.is_admin or row.owner is None
               or row.visibility in ('public', 'community')
               or (project is not None and project == row.owner)
               or member_id is not None)
    if not visible:
        raise exception.ImageNotFound()
    return {'id': image_id, 'owner': row.owner,
            'visibility': row.visibility, 'member_id': member_id}


class Connection(api.Connection):
    """DB API on SQLAlchemy through oslo.db's enginefacade."""

    @_translate_errors
    def database_check(self, context):
        try:
            _read(_database_check, context)
        except (db_exc.DBError, sa_exc.DBAPIError) as error:
            if errors.is_missing_table(error):
                raise exception.DatabaseNotMigrated() from error
            raise

    @_translate_errors
    def task_get(self, context, task_id):
        return _found(engines.read_first(*_by_id(context, task_id)),
                      task_id)

    @_translate_errors
    @oslo_db_api.retry_on_deadlock
    @engines.writer
    def task_create(self, context, values):
        values = dict(values)
        info = {key: values.pop(key, None) for key in _INFO_KEYS}
        now = timeutils.utcnow()
        values.setdefault('id', uuidutils.generate_uuid())
        values.setdefault('created_at', now)
        values.setdefault('updated_at', values['created_at'])
        values.setdefault('deleted', False)
        context.connection.execute(sa.insert(models.Task).values(**values))
        context.connection.execute(sa.insert(models.TaskInfo).values(
            task_id=values['id'], **info))
        if values.get('status') == lifecycle.PENDING:
            # NOTE: the mark of a task task_api created: only such tasks
            # are ever claimed by its workers.
            context.connection.execute(sa.insert(models.Claim).values(
                task_id=values['id'], attempts=0,
                created_at=values['created_at']))
        return _task_get(context.connection, context, values['id'],
                         visible_only=False)

    @_translate_errors
    def task_get_all(self, context, filters=None, marker=None, limit=None,
                     sort_key='created_at', sort_dir='desc'):
        return _read(_task_get_all, context, filters, marker, limit,
                     sort_key, sort_dir)

    @_translate_errors
    def tasks_get_by_image(self, context, image_id, limit):
        return _read(_tasks_get_by_image, context, image_id, limit)

    @_translate_errors
    def image_get(self, context, image_id):
        return _read(_image_get, context, image_id)

    @_translate_errors
    @oslo_db_api.retry_on_deadlock
    @_retry_when_sqlite_busy
    @engines.writer
    def task_update(self, context, task_id, values, expected_status=None):
        current = _task_get(context.connection, context, task_id)
        values = {key: value for key, value in values.items()
                  if key not in _PROTECTED_KEYS}
        info = {key: values.pop(key) for key in _INFO_KEYS if key in values}
        stmt = (sa.update(models.Task)
                .where(_equal('id', current['id']))
                .values(updated_at=timeutils.utcnow(), **values))
        if expected_status is not None:
            stmt = stmt.where(models.Task.status == expected_status)
        if context.connection.execute(stmt).rowcount != 1:
            status = _task_get(context.connection, context,
                               task_id)['status']
            raise exception.TaskStatusConflict(
                task_id=task_id, status=status, expected=expected_status)
        if info:
            updated = context.connection.execute(
                sa.update(models.TaskInfo)
                .where(_exact(models.TaskInfo.task_id,
                              sa.bindparam(None, current['id'],
                                           type_=sa.String)))
                .values(**info))
            if updated.rowcount == 0:
                context.connection.execute(sa.insert(models.TaskInfo).values(
                    task_id=current['id'], **info))
        return _task_get(context.connection, context, task_id)

    @_translate_errors
    @oslo_db_api.retry_on_deadlock
    @engines.writer
    def task_purge(self, context, older_than, max_rows):
        task = models.Task
        # NOTE: two indexed lookups rather than one OR, which no index
        # serves; expired tasks are by far the most.
        ids = list(context.connection.execute(
            sa.select(task.id).where(task.expires_at < older_than)
            .limit(max_rows)).scalars())
        if len(ids) < max_rows:
            ids.extend(context.connection.execute(
                sa.select(task.id)
                .where(task.deleted == sa.true())
                .where(task.deleted_at < older_than)
                .where(sa.or_(task.expires_at.is_(None),
                              task.expires_at >= older_than))
                .limit(max_rows - len(ids))).scalars())
        if not ids:
            return 0
        context.connection.execute(sa.delete(models.Claim).where(
            models.Claim.task_id.in_(ids)))
        context.connection.execute(sa.delete(models.TaskInfo).where(
            models.TaskInfo.task_id.in_(ids)))
        # NOTE: the rows deleted, not the ids found: a purge running at the
        # same time may have deleted some of them since.
        return context.connection.execute(
            sa.delete(task).where(task.id.in_(ids))).rowcount

    @_translate_errors
    @oslo_db_api.retry_on_deadlock
    @_retry_when_sqlite_busy
    @engines.writer
    def task_claim(self, context, worker_id, limit, lease_seconds):
        connection = context.connection
        now = timeutils.utcnow()
        lease = now + datetime.timedelta(seconds=lease_seconds)
        claim = models.Claim
        free = (sa.select(claim.task_id)
                .where(sa.or_(claim.lease_expires_at.is_(None),
                              claim.lease_expires_at < now))
                .order_by(claim.created_at, claim.task_id)
                .limit(limit))
        take = dict(worker_id=worker_id, lease_expires_at=lease,
                    attempts=claim.attempts + 1)
        if connection.dialect.name == 'sqlite':
            # NOTE: SQLite has one writer at a time and no row locks: one
            # UPDATE picks and takes the rows under its write lock, so no
            # other claim can come between the two.
            connection.execute(
                sa.update(claim)
                .where(claim.task_id.in_(free.scalar_subquery()))
                .values(**take))
            taken = (sa.select(*_CLAIM_COLUMNS)
                     .where(claim.worker_id == worker_id)
                     .where(claim.lease_expires_at == lease))
            return [dict(row._mapping) for row in connection.execute(taken)]
        # NOTE: as ironic's conductors reserve nodes: the rows another
        # transaction is claiming are locked, and skipped rather than
        # waited for, so concurrent workers take disjoint sets.
        ids = list(connection.execute(
            free.with_for_update(skip_locked=True)).scalars())
        if not ids:
            return []
        connection.execute(sa.update(claim).where(claim.task_id.in_(ids))
                           .values(**take))
        rows = connection.execute(sa.select(*_CLAIM_COLUMNS)
                                  .where(claim.task_id.in_(ids))
                                  .order_by(claim.created_at, claim.task_id))
        return [dict(row._mapping) for row in rows]

    @_translate_errors
    @oslo_db_api.retry_on_deadlock
    @_retry_when_sqlite_busy
    @engines.writer
    def task_claim_renew(self, context, worker_id, task_ids, lease_seconds):
        task_ids = list(task_ids)
        if not task_ids:
            return set()
        claim = models.Claim
        lease = timeutils.utcnow() + datetime.timedelta(seconds=lease_seconds)
        # NOTE: a lease that expired but that no other worker took is still
        # this worker's; one taken has another worker_id and is left alone.
        mine = sa.and_(claim.task_id.in_(task_ids),
                       claim.worker_id == worker_id)
        context.connection.execute(sa.update(claim).where(mine)
                                   .values(lease_expires_at=lease))
        # NOTE: the rows just updated stay locked (the writer, on SQLite)
        # until the commit: no other worker can have taken one since.
        return set(context.connection.execute(
            sa.select(claim.task_id).where(mine)).scalars())

    @_translate_errors
    @oslo_db_api.retry_on_deadlock
    @_retry_when_sqlite_busy
    @engines.writer
    def task_claim_release(self, context, worker_id, task_id, done=True):
        claim = models.Claim
        mine = (sa.and_(claim.task_id == task_id,
                        claim.worker_id == worker_id))
        if done:
            stmt = sa.delete(claim).where(mine)
        else:
            stmt = (sa.update(claim).where(mine)
                    .values(worker_id=None, lease_expires_at=None))
        return context.connection.execute(stmt).rowcount == 1

    @_translate_errors
    @oslo_db_api.retry_on_deadlock
    @_retry_when_sqlite_busy
    @engines.writer
    def task_claim_delete(self, context, task_id):
        return context.connection.execute(sa.delete(models.Claim).where(
            models.Claim.task_id == task_id)).rowcount == 1

    @_translate_errors
    @oslo_db_api.retry_on_deadlock
    @_retry_when_sqlite_busy
    @engines.writer
    def task_cancel_request(self, context, task_id, message):
        claim = models.Claim
        context.connection.execute(
            sa.update(claim)
            .where(claim.task_id == task_id)
            .where(claim.cancel_message.is_(None))
            .values(cancel_message=message))
        return context.connection.execute(
            sa.select(sa.func.count()).select_from(claim)
            .where(claim.task_id == task_id)).scalar() == 1

    @_translate_errors
    def task_cancel_message(self, context, task_id):
        return _read(_cancel_message, context, task_id)
