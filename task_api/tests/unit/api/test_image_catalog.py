"""GET /v2/images/{image_id}/tasks asks the catalog for Glance's tables once.

Whether the database holds Glance's ``images`` is learned once per engine,
not at every request; the statements each request runs are counted on
the database's side of SQLAlchemy. The functional tests run the same on
PostgreSQL and MariaDB.
"""

import fixtures
from oslo_db.sqlalchemy import enginefacade
from oslo_db.sqlalchemy import test_fixtures
import sqlalchemy as sa

from task_api.db.sqlalchemy import api as sqla_api
from task_api.db.sqlalchemy import models
from task_api.tests import base
from task_api.tests import glance_tables
from task_api.tests.unit.api import base as api_base

IMAGE = '39bb149a-5c1e-4b1f-9a7e-1f8c0c6d8a22'
OWNER = 'aaaaaaaa-1111-4111-8111-aaaaaaaaaaaa'
TASK_ID = '00000000-0000-4000-8000-000000000001'

# NOTE: the columns of Glance's tables that task_api reads.
_METADATA = glance_tables.METADATA
_IMAGES = glance_tables.IMAGES


_TRANSACTION_CONTROL = ('BEGIN', 'COMMIT', 'ROLLBACK', 'SAVEPOINT',
                        'RELEASE')


class ImageCatalogMixin:
    """Statements of consecutive image-tasks requests; per backend."""

    def setUp(self):
        super().setUp()
        self.use_database()
        base.insert_task_rows(sqla_api.get_engine(), id=TASK_ID,
                              owner=OWNER, image_id=IMAGE)

    def use_database(self):
        """Serve the requests from the database of the fixture."""

    def create_glance_tables(self, image_owner=OWNER):
        engine = sqla_api.get_engine()
        _METADATA.create_all(engine)
        self.addCleanup(_METADATA.drop_all, engine)
        with engine.begin() as connection:
            connection.execute(_IMAGES.insert().values(
                id=IMAGE, owner=image_owner, visibility='private',
                deleted=False))

    def request(self, status=200):
        """The statements one request runs, in order."""
        statements = []

        def record(connection, cursor, statement, *args):
            statement = ' '.join(statement.split())
            # NOTE: the transaction control a driver or oslo.db adds.
            if statement.split(' ', 1)[0] not in _TRANSACTION_CONTROL:
                statements.append(statement)

        sa.event.listen(sa.engine.Engine, 'before_cursor_execute', record)
        try:
            response = self.get('/images/%s/tasks' % IMAGE,
                                headers=api_base.member_of(
                                    OWNER, 'reader,member'),
                                status=status)
        finally:
            sa.event.remove(sa.engine.Engine, 'before_cursor_execute',
                            record)
        if status == 200:
            self.assertEqual([TASK_ID], [task['id'] for task in
                                         response.json['tasks']])
        return statements

    def assertReads(self, tables, statements):
        """``statements`` are one SELECT of each of ``tables``, in order."""
        self.assertEqual(len(tables), len(statements), statements)
        for table, statement in zip(tables, statements):
            self.assertTrue(statement.startswith('SELECT '), statement)
            self.assertIn(' FROM %s' % table, statement)

    def test_own_database(self):
        first = self.request()
        second = self.request()
        # The first asks the catalog, which no later request does.
        self.assertGreater(len(first), len(second))
        self.assertReads(['tasks'], second)

    def test_glance_database(self):
        self.create_glance_tables()
        self.request()
        self.assertReads(['images', 'tasks'], self.request())

    def test_asked_again_once_the_engine_is_disposed(self):
        self.request()
        # Glance's tables appear, the image is another project's; the
        # engine is disposed, as when the database changed under it.
        self.create_glance_tables(image_owner='another-project')
        sqla_api.get_engine().dispose()
        first = self.request(status=404)
        self.assertReads(['images'], self.request(status=404))
        self.assertGreater(len(first), 1)


class TestImageCatalogSQLite(ImageCatalogMixin, api_base.ApiTestCase):
    """The catalog of SQLite, in a file that outlives a disposed engine."""

    def use_database(self):
        path = self.useFixture(fixtures.TempDir()).path
        facade = enginefacade.transaction_context()
        facade.configure(connection='sqlite:///%s/task_api.sqlite' % path)
        self.addCleanup(facade.dispose_pool)
        self.useFixture(test_fixtures.ReplaceEngineFacadeFixture(
            sqla_api.main_context_manager, facade))
        models.Base.metadata.create_all(sqla_api.get_engine())
