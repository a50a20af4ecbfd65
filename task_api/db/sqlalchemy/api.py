"""The SQLAlchemy implementation of the task_api DB API."""

import functools

from oslo_db import api as oslo_db_api
from oslo_db import exception as db_exc
from oslo_db.sqlalchemy import enginefacade
from oslo_log import log
from oslo_utils import timeutils
from oslo_utils import uuidutils
import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from task_api.db import api
from task_api.db.sqlalchemy import models
from task_api import exception

LOG = log.getLogger(__name__)

# NOTE: a context of task_api's own rather than oslo.db's global one, so
# that tests can swap it with ReplaceEngineFacadeFixture.
main_context_manager = enginefacade.transaction_context()

_TASK_COLUMNS = tuple(models.Task.__table__.columns)
_INFO_COLUMNS = (models.TaskInfo.input, models.TaskInfo.result,
                 models.TaskInfo.message)
_INFO_KEYS = ('input', 'result', 'message')
_TASK_KEYS = tuple(column.key for column in _TASK_COLUMNS)
_KEYS = _TASK_KEYS + _INFO_KEYS


def get_backend():
    """The entry point oslo.db's DBAPI loads."""
    return Connection()


def get_engine():
    """The writer engine, for migrations and operator commands."""
    return main_context_manager.writer.get_engine()


def _unavailable(error):
    if isinstance(error, db_exc.DBConnectionError):
        return True
    if isinstance(error, sa_exc.OperationalError):
        return True
    if isinstance(error, db_exc.DBError):
        return isinstance(error.inner_exception,
                          (sa_exc.OperationalError,
                           sa_exc.InterfaceError))
    return isinstance(error, sa_exc.InterfaceError)


def _translate_errors(fn):
    """Report a database that cannot be reached as DatabaseUnavailable."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (db_exc.DBError, sa_exc.DBAPIError) as error:
            if not _unavailable(error):
                raise
            LOG.error('Database unavailable: %s', error)
            raise exception.DatabaseUnavailable() from error

    return wrapper


def _task_select():
    return (sa.select(*_TASK_COLUMNS, *_INFO_COLUMNS)
            .outerjoin(models.TaskInfo,
                       models.TaskInfo.task_id == models.Task.id))


def _row_to_dict(row):
    return dict(zip(_KEYS, row))


def _task_get(context, task_id, visible_only=True):
    stmt = _task_select().where(models.Task.id == task_id)
    if visible_only and not context.can_see_deleted:
        stmt = stmt.where(models.Task.deleted == sa.false())
    if visible_only and not context.is_admin:
        # NOTE: an invisible task is reported as missing, never as
        # forbidden, so that callers learn nothing about other projects.
        stmt = stmt.where(models.Task.owner == context.project_id)
    row = context.session.execute(stmt).first()
    if row is None:
        raise exception.TaskNotFound(task_id=task_id)
    return _row_to_dict(row)


class Connection(api.Connection):
    """DB API on SQLAlchemy through oslo.db's enginefacade."""

    @_translate_errors
    @main_context_manager.reader
    def task_get(self, context, task_id):
        return _task_get(context, task_id)

    @_translate_errors
    @oslo_db_api.retry_on_deadlock
    @main_context_manager.writer
    def task_create(self, context, values):
        values = dict(values)
        info = {key: values.pop(key, None) for key in _INFO_KEYS}
        now = timeutils.utcnow()
        values.setdefault('id', uuidutils.generate_uuid())
        values.setdefault('created_at', now)
        values.setdefault('updated_at', values['created_at'])
        values.setdefault('deleted', False)
        context.session.execute(sa.insert(models.Task).values(**values))
        context.session.execute(sa.insert(models.TaskInfo).values(
            task_id=values['id'], **info))
        return _task_get(context, values['id'], visible_only=False)
