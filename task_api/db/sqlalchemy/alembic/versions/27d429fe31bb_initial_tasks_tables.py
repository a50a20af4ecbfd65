"""Initial tasks and task_info tables

Revision ID: 27d429fe31bb
Revises:
Create Date: 2026-11-29 06:00:00

Creates the tables with their indexes. A database that already holds
tables of the same shape (one shared with Glance) keeps them: only the
indexes it lacks are added.
"""

from alembic import op
import sqlalchemy as sa

from task_api import exception

revision = '27d429fe31bb'
down_revision = None
branch_labels = None
depends_on = None

_TABLE_ARGS = {'mysql_engine': 'InnoDB', 'mysql_charset': 'utf8mb4'}

_TASK_INDEXES = (
    ('ix_tasks_type', ['type']),
    ('ix_tasks_status', ['status']),
    ('ix_tasks_owner', ['owner']),
    ('ix_tasks_deleted', ['deleted']),
    ('ix_tasks_updated_at', ['updated_at']),
    ('ix_tasks_image_id', ['image_id']),
    ('ix_tasks_created_at_id', ['created_at', 'id']),
    ('ix_tasks_expires_at', ['expires_at']),
)


def _tasks_columns():
    return [
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('type', sa.String(30), nullable=False),
        sa.Column('status', sa.String(30), nullable=False),
        sa.Column('owner', sa.String(255), nullable=False),
        sa.Column('expires_at', sa.DateTime, nullable=True),
        sa.Column('created_at', sa.DateTime, nullable=False),
        sa.Column('updated_at', sa.DateTime, nullable=True),
        sa.Column('deleted_at', sa.DateTime, nullable=True),
        sa.Column('deleted', sa.Boolean, nullable=False),
        sa.Column('image_id', sa.String(36), nullable=True),
        sa.Column('request_id', sa.String(64), nullable=True),
        sa.Column('user_id', sa.String(64), nullable=True),
    ]


def _task_info_columns():
    return [
        sa.Column('task_id', sa.String(36), sa.ForeignKey('tasks.id'),
                  primary_key=True, nullable=False),
        sa.Column('input', sa.Text, nullable=True),
        sa.Column('result', sa.Text, nullable=True),
        sa.Column('message', sa.Text, nullable=True),
    ]


def _check_existing(inspector, table, columns):
    present = {column['name'] for column in inspector.get_columns(table)}
    missing = [column.name for column in columns
               if column.name not in present]
    if missing:
        raise exception.TaskApiException(
            'The existing table %s lacks the columns %s that task_api '
            'needs; bring the schema of the project that created it up to '
            'date first.' % (table, ', '.join(missing)))


def upgrade():
    inspector = sa.inspect(op.get_bind())
    existing_indexes = set()
    if inspector.has_table('tasks'):
        _check_existing(inspector, 'tasks', _tasks_columns())
        existing_indexes = {index['name']
                            for index in inspector.get_indexes('tasks')}
    else:
        op.create_table('tasks', *_tasks_columns(), **_TABLE_ARGS)

    if inspector.has_table('task_info'):
        _check_existing(inspector, 'task_info', _task_info_columns())
    else:
        op.create_table('task_info', *_task_info_columns(), **_TABLE_ARGS)

    for name, columns in _TASK_INDEXES:
        if name not in existing_indexes:
            op.create_index(name, 'tasks', columns)
