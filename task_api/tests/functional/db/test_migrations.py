"""The migrations build the schema of the models, on every backend."""

from alembic import config as alembic_config
from alembic import script as alembic_script
from oslo_db.sqlalchemy import test_migrations
import sqlalchemy as sa

from task_api.db import migration
from task_api.db.sqlalchemy import api as sqla_api
from task_api.db.sqlalchemy import models
from task_api import exception
from task_api.tests import base
from task_api.tests import fixtures

TASK_INDEXES = {
    'ix_tasks_type': ['type'],
    'ix_tasks_status': ['status'],
    'ix_tasks_owner': ['owner'],
    'ix_tasks_deleted': ['deleted'],
    'ix_tasks_updated_at': ['updated_at'],
    'ix_tasks_image_id': ['image_id'],
    'ix_tasks_created_at_id': ['created_at', 'id'],
    'ix_tasks_expires_at': ['expires_at'],
}

# The two indexes that the tables of a Glance database lack.
OWN_INDEXES = ('ix_tasks_created_at_id', 'ix_tasks_expires_at')


def head_revision():
    """The revision of the newest migration script."""
    config = alembic_config.Config()
    config.set_main_option('script_location', migration.SCRIPT_LOCATION)
    scripts = alembic_script.ScriptDirectory.from_config(config)
    return scripts.get_current_head()


def task_indexes(engine):
    """The indexes of the tasks table, as {name: [column, ...]}."""
    return {index['name']: index['column_names']
            for index in sa.inspect(engine).get_indexes('tasks')}


class MigrationsTests(test_migrations.ModelsMigrationsSync):
    """Migration tests on an empty database; mixed into a DbTestCase."""

    def setUp(self):
        super().setUp()
        self.engine = sqla_api.get_engine()

    def db_sync(self, engine):
        migration.upgrade(engine=engine)

    def get_engine(self):
        return self.engine

    def get_metadata(self):
        return models.Base.metadata

    def version(self):
        return migration.version(engine=self.engine)

    def include_object(self, object_, name, type_, reflected, compare_to):
        # The version table belongs to alembic, not to the models.
        return not (type_ == 'table' and name == migration.VERSION_TABLE)

    def test_empty_database_has_no_version(self):
        self.assertIsNone(self.version())

    def test_upgrade_reaches_head(self):
        migration.upgrade(engine=self.engine)

        self.assertEqual(head_revision(), self.version())
        inspector = sa.inspect(self.engine)
        self.assertEqual({'tasks', 'task_info', 'task_api_claims',
                          migration.VERSION_TABLE},
                         set(inspector.get_table_names()))
        self.assertEqual(TASK_INDEXES, task_indexes(self.engine))

    def test_upgrade_twice_is_a_no_op(self):
        migration.upgrade(engine=self.engine)
        task = base.create_test_task()
        tables = set(sa.inspect(self.engine).get_table_names())

        migration.upgrade(engine=self.engine)

        self.assertEqual(head_revision(), self.version())
        self.assertEqual(tables,
                         set(sa.inspect(self.engine).get_table_names()))
        self.assertEqual(TASK_INDEXES, task_indexes(self.engine))
        self.assertEqual(task, self.dbapi.task_get(self.admin_context,
                                                   task['id']))

    def test_upgrade_adopts_existing_tables(self):
        # Tables made by another project (Glance) with the same columns,
        # without task_api's own indexes, under its own alembic_version.
        metadata = sa.MetaData()
        for table in models.Base.metadata.sorted_tables:
            table.to_metadata(metadata)
        tasks = metadata.tables['tasks']
        for index in list(tasks.indexes):
            if index.name in OWN_INDEXES:
                tasks.indexes.discard(index)
        other_version = sa.Table(
            'alembic_version', metadata,
            sa.Column('version_num', sa.String(32), primary_key=True))
        metadata.create_all(self.engine)
        with self.engine.begin() as connection:
            connection.execute(other_version.insert().values(
                version_num='2024_1_contract01'))
        task = base.create_test_task()

        migration.upgrade(engine=self.engine)

        self.assertEqual(head_revision(), self.version())
        self.assertEqual(TASK_INDEXES, task_indexes(self.engine))
        self.assertEqual(task, self.dbapi.task_get(self.admin_context,
                                                   task['id']))
        with self.engine.connect() as connection:
            self.assertEqual(['2024_1_contract01'], connection.execute(
                sa.select(other_version.c.version_num)).scalars().all())

    def test_upgrade_refuses_existing_tables_lacking_columns(self):
        metadata = sa.MetaData()
        sa.Table('tasks', metadata,
                 sa.Column('id', sa.String(36), primary_key=True),
                 sa.Column('type', sa.String(30), nullable=False))
        metadata.create_all(self.engine)

        error = self.assertRaises(exception.TaskApiException,
                                  migration.upgrade,
                                  engine=self.engine)

        self.assertIn('status', str(error))
        self.assertIsNone(self.version())


class TestMigrationsSQLite(MigrationsTests, base.DbTestCase):
    """Migrations on SQLite."""

    FIXTURE = fixtures.EmptySQLiteDatabase


class TestMigrationsPostgreSQL(MigrationsTests, base.DbTestCase):
    """Migrations on PostgreSQL."""

    FIXTURE = fixtures.EmptyPostgreSQLDatabase


class TestMigrationsMySQL(MigrationsTests, base.DbTestCase):
    """Migrations on MySQL/MariaDB."""

    FIXTURE = fixtures.EmptyMySQLDatabase

    def test_tables_are_innodb_utf8mb4(self):
        migration.upgrade(engine=self.engine)
        with self.engine.connect() as connection:
            rows = connection.execute(sa.text(
                'SELECT table_name, engine, table_collation '
                'FROM information_schema.tables '
                'WHERE table_schema = DATABASE() '
                "AND table_name IN ('tasks', 'task_info')")).all()
        self.assertEqual(2, len(rows))
        for name, engine, collation in rows:
            self.assertEqual('InnoDB', engine, name)
            self.assertTrue(collation.startswith('utf8mb4_'), collation)
