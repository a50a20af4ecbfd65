"""task_api_claims: the claims of task_api's workers on its tasks

Revision ID: 5c1d0e2f7a90
Revises: 27d429fe31bb
Create Date: 2026-12-02 11:20:00

A table of task_api's own, so that a database shared with Glance keeps
Glance's tasks and task_info tables as they are.
"""

from alembic import op
import sqlalchemy as sa

revision = '5c1d0e2f7a90'
down_revision = '27d429fe31bb'
branch_labels = None
depends_on = None


def upgrade():
    if sa.inspect(op.get_bind()).has_table('task_api_claims'):
        return
    op.create_table(
        'task_api_claims',
        sa.Column('task_id', sa.String(36), sa.ForeignKey('tasks.id'),
                  primary_key=True, nullable=False),
        sa.Column('worker_id', sa.String(255), nullable=True),
        sa.Column('lease_expires_at', sa.DateTime, nullable=True),
        sa.Column('attempts', sa.Integer, nullable=False),
        sa.Column('created_at', sa.DateTime, nullable=False),
        mysql_engine='InnoDB', mysql_charset='utf8mb4')
    op.create_index('ix_task_api_claims_lease_expires_at',
                    'task_api_claims', ['lease_expires_at'])
    op.create_index('ix_task_api_claims_worker_id', 'task_api_claims',
                    ['worker_id'])
