"""SQLAlchemy models of the tasks and task_info tables.

The columns and types are those of Glance's tables, so that task_api can
serve an existing Glance database; task_api adds indexes of its own.
"""

import sqlalchemy as sa
from sqlalchemy import orm
from sqlalchemy import types

from oslo_utils import timeutils

from task_api.common import strict_json
from task_api.db import api as db_api


class JSONEncodedDict(types.TypeDecorator):
    """A JSON document stored in a TEXT column (NULL stays NULL).

    Values are written as :func:`task_api.db.api.encode_json` writes them.
    A row written by another program (Glance, an older task_api, a person
    with a SQL prompt) may hold text that is not JSON, or JSON with NaN or
    infinite numbers that no client can parse: such text is returned as
    the string it is, so that every read can still serve the row.
    """

    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return db_api.encode_json(value)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        try:
            return strict_json.loads(value)
        except (ValueError, TypeError, RecursionError):
            return value


class Base(orm.DeclarativeBase):
    pass


# NOTE: the MySQL table options match Glance's so that both projects can
# share a schema; utf8mb4 keeps non-ASCII task input intact.
_MYSQL_ARGS = {'mysql_engine': 'InnoDB', 'mysql_charset': 'utf8mb4'}


class Task(Base):
    """A row of ``tasks``: everything but the task's payload."""

    __tablename__ = 'tasks'
    __table_args__ = (
        sa.Index('ix_tasks_type', 'type'),
        sa.Index('ix_tasks_status', 'status'),
        sa.Index('ix_tasks_owner', 'owner'),
        sa.Index('ix_tasks_deleted', 'deleted'),
        sa.Index('ix_tasks_updated_at', 'updated_at'),
        sa.Index('ix_tasks_image_id', 'image_id'),
        # task_api's own: the default sort and the expiry scans.
        sa.Index('ix_tasks_created_at_id', 'created_at', 'id'),
        sa.Index('ix_tasks_expires_at', 'expires_at'),
        _MYSQL_ARGS,
    )

    id = sa.Column(sa.String(36), primary_key=True)
    type = sa.Column(sa.String(30), nullable=False)
    status = sa.Column(sa.String(30), nullable=False)
    owner = sa.Column(sa.String(255), nullable=False)
    expires_at = sa.Column(sa.DateTime, nullable=True)
    created_at = sa.Column(sa.DateTime, nullable=False,
                           default=timeutils.utcnow)
    updated_at = sa.Column(sa.DateTime, nullable=True,
                           default=timeutils.utcnow,
                           onupdate=timeutils.utcnow)
    deleted_at = sa.Column(sa.DateTime, nullable=True)
    deleted = sa.Column(sa.Boolean, nullable=False, default=False)
    image_id = sa.Column(sa.String(36), nullable=True)
    request_id = sa.Column(sa.String(64), nullable=True)
    user_id = sa.Column(sa.String(64), nullable=True)


class TaskInfo(Base):
    """A row of ``task_info``: the input, result and message of a task."""

    __tablename__ = 'task_info'
    __table_args__ = (_MYSQL_ARGS,)

    task_id = sa.Column(sa.String(36), sa.ForeignKey('tasks.id'),
                        primary_key=True, nullable=False)
    input = sa.Column(JSONEncodedDict, nullable=True)
    result = sa.Column(JSONEncodedDict, nullable=True)
    message = sa.Column(sa.Text, nullable=True)


class Claim(Base):
    """A row of ``task_api_claims``: a task that task_api's workers run.

    task_api's own table; Glance's ``tasks`` and ``task_info`` keep
    Glance's schema. The row is written with the task when task_api
    creates it, so the tasks another program writes to a shared database
    have none and no worker ever claims them. It is deleted when the task
    ends. ``lease_expires_at`` is NULL while no worker holds the task;
    ``attempts`` counts the claims made on it. ``cancel_message`` is set
    when a caller cancels the task while a worker runs it: the worker
    stops, reverts and ends the task in failure with this message.
    """

    __tablename__ = 'task_api_claims'
    __table_args__ = (
        sa.Index('ix_task_api_claims_lease_expires_at', 'lease_expires_at'),
        sa.Index('ix_task_api_claims_worker_id', 'worker_id'),
        _MYSQL_ARGS,
    )

    task_id = sa.Column(sa.String(36), sa.ForeignKey('tasks.id'),
                        primary_key=True, nullable=False)
    worker_id = sa.Column(sa.String(255), nullable=True)
    lease_expires_at = sa.Column(sa.DateTime, nullable=True)
    attempts = sa.Column(sa.Integer, nullable=False, default=0)
    created_at = sa.Column(sa.DateTime, nullable=False,
                           default=timeutils.utcnow)
    cancel_message = sa.Column(sa.Text, nullable=True)
