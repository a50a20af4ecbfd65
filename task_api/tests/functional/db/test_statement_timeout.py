"""[database] statement_timeout: the server cancels a statement that runs
longer, the request is told the database is unavailable, and the
connection stays usable; migrations are not bounded."""

import sqlalchemy as sa

from task_api.db import migration
from task_api.db.sqlalchemy import api as sqla_api
from task_api.db.sqlalchemy import engines
from task_api import exception
from task_api.tests import base
from task_api.tests import fixtures


class StatementTimeoutMixin:
    """A statement of two seconds under a bound of one."""

    def setUp(self):
        super().setUp()
        self.config(statement_timeout=1, group='database')
        # NOTE: bounds are set when a connection is made: a new engine.
        self.engine = engines.attach(
            sa.create_engine(sqla_api.get_engine().url))
        self.addCleanup(self.engine.dispose)

    @sqla_api._translate_errors
    def sleep(self, connection, seconds):
        return connection.execute(sa.text(self.SLEEP % seconds)).scalar()

    def test_long_statement_is_cancelled_by_the_server(self):
        with self.engine.connect() as connection:
            self.assertRaises(exception.DatabaseUnavailable, self.sleep,
                              connection, 2)
            connection.rollback()
            # The server cancelled the statement: the connection serves.
            self.assertEqual(1, connection.execute(
                sa.text('SELECT 1')).scalar())

    def test_statement_within_the_bound(self):
        with self.engine.connect() as connection:
            self.sleep(connection, 0.1)

    def test_migrations_are_not_bounded(self):
        with migration._unbounded_connection(self.engine) as connection:
            self.sleep(connection, 2)
        # Connections made afterwards have their bound again.
        with self.engine.connect() as connection:
            self.assertRaises(exception.DatabaseUnavailable, self.sleep,
                              connection, 2)


class TestStatementTimeoutPostgreSQL(StatementTimeoutMixin, base.DbTestCase):
    FIXTURE = fixtures.PostgreSQLDatabase
    SLEEP = 'SELECT pg_sleep(%s)'


class TestStatementTimeoutMySQL(StatementTimeoutMixin, base.DbTestCase):
    FIXTURE = fixtures.MySQLDatabase
    SLEEP = 'SELECT SLEEP(%s) FROM DUAL WHERE 1 = 1'


class TestBusyTimeoutSQLite(base.TestCase):
    """SQLite waits statement_timeout seconds for another writer's lock."""

    def test_locked_database_is_unavailable(self):
        self.config(statement_timeout=1, group='database')
        path = self.useFixture(base.fixtures.TempDir()).path
        engine = engines.attach(
            sa.create_engine('sqlite:///%s/t.sqlite' % path))
        self.addCleanup(engine.dispose)
        with engine.begin() as connection:
            connection.execute(sa.text('CREATE TABLE t (x INTEGER)'))
        holder = engine.connect()
        self.addCleanup(holder.close)
        holder.execute(sa.text('BEGIN IMMEDIATE'))

        @sqla_api._translate_errors
        def write():
            with engine.begin() as connection:
                connection.execute(sa.text('INSERT INTO t VALUES (1)'))

        self.assertRaises(exception.DatabaseUnavailable, write)


class TestOptionsPostgreSQL(base.DbTestCase):
    """The bound joins the options of connection_parameters."""

    FIXTURE = fixtures.PostgreSQLDatabase

    def test_options_of_the_url_are_kept(self):
        self.config(statement_timeout=7, group='database')
        url = sqla_api.get_engine().url.update_query_dict(
            {'options': '-c lock_timeout=3000'})
        engine = engines.attach(sa.create_engine(url))
        self.addCleanup(engine.dispose)
        with engine.connect() as connection:
            self.assertEqual(('7s', '3s'), tuple(
                connection.exec_driver_sql('SHOW %s' % name).scalar()
                for name in ('statement_timeout', 'lock_timeout')))
