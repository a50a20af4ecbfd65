"""task_api_claims.cancel_message: a cancel request on a running task

Revision ID: 8e4b7c2d1f36
Revises: 5c1d0e2f7a90
Create Date: 2026-12-02 14:35:00

The message the task ends with once the worker running it stops; NULL
while nobody asked to cancel it. In task_api's own table, so that a
database shared with Glance keeps Glance's schema.
"""

from alembic import op
import sqlalchemy as sa

revision = '8e4b7c2d1f36'
down_revision = '5c1d0e2f7a90'
branch_labels = None
depends_on = None


def upgrade():
    columns = {column['name'] for column in
               sa.inspect(op.get_bind()).get_columns('task_api_claims')}
    if 'cancel_message' in columns:
        return
    op.add_column('task_api_claims',
                  sa.Column('cancel_message', sa.Text, nullable=True))
