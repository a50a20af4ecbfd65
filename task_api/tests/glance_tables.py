"""Glance's ``images`` and ``image_members`` tables, as tests need them.

The columns task_api reads, as Glance defines them, for tests that put
Glance's tables beside task_api's, as in glance-api's own database.
"""

import sqlalchemy as sa

METADATA = sa.MetaData()
IMAGES = sa.Table(
    'images', METADATA,
    sa.Column('id', sa.String(36), primary_key=True),
    sa.Column('name', sa.String(255)),
    sa.Column('status', sa.String(30), nullable=False,
              server_default='active'),
    sa.Column('owner', sa.String(255)),
    sa.Column('visibility', sa.Enum('private', 'public', 'shared',
                                    'community', name='image_visibility'),
              nullable=False, server_default='shared'),
    sa.Column('deleted', sa.Boolean, nullable=False, default=False))
IMAGE_MEMBERS = sa.Table(
    'image_members', METADATA,
    sa.Column('id', sa.Integer, primary_key=True, autoincrement=True),
    sa.Column('image_id', sa.String(36), sa.ForeignKey('images.id'),
              nullable=False),
    sa.Column('member', sa.String(255), nullable=False),
    sa.Column('can_share', sa.Boolean, nullable=False, default=False),
    sa.Column('status', sa.String(20), nullable=False,
              server_default='pending'),
    sa.Column('deleted', sa.Boolean, nullable=False, default=False))
