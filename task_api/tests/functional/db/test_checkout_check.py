"""task_api's engines check a pooled connection only when it may be dead.

oslo.db's engines ping every connection at checkout. task_api's (their
URL names its engine plugin) check a connection at checkout only for a
write, or when it rested: a read on a connection in steady use sends its
statement alone, and is run once more when the connection was dead.
Checked on the server's side: the statements a PostgreSQL connection's
cursors run, the pings (COM_PING, an admin command) MariaDB counts.
"""

import fixtures
from oslo_db.sqlalchemy import enginefacade
from oslo_db.sqlalchemy import test_fixtures
from psycopg2 import extensions
import sqlalchemy as sa

from task_api.db.sqlalchemy import api as sqla_api
from task_api.db.sqlalchemy import engines
from task_api.tests import base
from task_api.tests import fixtures as task_fixtures

TASK_ID = '7d0e1b9c-3a5f-4c2e-9b8d-6f1a2c3e4d5b'


class CheckoutMixin:
    """task_api's engine with its plugin, one task, one warm connection."""

    def setUp(self):
        super().setUp()
        base.insert_task_rows(sqla_api.get_engine(), id=TASK_ID)
        self.url = sqla_api.get_engine().url
        facade = enginefacade.transaction_context()
        facade.configure(
            connection=self.url.render_as_string(hide_password=False),
            max_retries=0, connection_parameters=engines.url_parameters(None))
        self.addCleanup(facade.dispose_pool)
        self.useFixture(test_fixtures.ReplaceEngineFacadeFixture(
            sqla_api.main_context_manager, facade))
        self.engine = sqla_api.get_engine()
        self.watch()
        self.assertEqual(TASK_ID, self.read()['id'])

    def read(self):
        return self.dbapi.task_get(self.admin_context, TASK_ID)

    def write(self):
        return self.dbapi.task_update(self.admin_context, TASK_ID,
                                      {'message': 'written'})

    def backend_id(self):
        """The server's id of the pooled connection (a checkout itself)."""
        with self.engine.connect() as connection:
            return connection.exec_driver_sql(self.BACKEND_ID).scalar()

    def kill(self, backend_id):
        """End that connection from the server's side, as a restart does."""
        killer = sa.create_engine(self.url, poolclass=sa.pool.NullPool)
        self.addCleanup(killer.dispose)
        with killer.connect() as connection:
            connection.exec_driver_sql(self.KILL % backend_id)

    def test_warm_read_sends_its_statement_alone(self):
        before = self.checks()
        self.assertEqual(TASK_ID, self.read()['id'])
        self.assertEqual(TASK_ID, self.read()['id'])
        self.assertEqual(before, self.checks())

    def test_rested_connection_is_checked(self):
        self.useFixture(fixtures.MockPatchObject(
            engines, 'IDLE_CHECK_SECONDS', -1))
        before = self.checks()
        self.assertEqual(TASK_ID, self.read()['id'])
        self.assertLess(before, self.checks())

    def test_write_checks_its_connection(self):
        before = self.checks()
        self.write()
        self.assertLess(before, self.checks())

    def test_read_on_killed_connection_is_served(self):
        dead = self.backend_id()
        self.kill(dead)
        logs = self.useFixture(fixtures.FakeLogger(name=engines.__name__))
        self.assertEqual(TASK_ID, self.read()['id'])
        self.assertIn('the read runs again on a new one', logs.output)
        self.assertNotEqual(dead, self.backend_id())

    def test_write_on_killed_connection_is_served(self):
        self.kill(self.backend_id())
        self.assertEqual('written', self.write()['message'])
        self.assertEqual('written', self.read()['message'])

    def test_rested_killed_connection_is_replaced_before_the_read(self):
        self.kill(self.backend_id())
        self.useFixture(fixtures.MockPatchObject(
            engines, 'IDLE_CHECK_SECONDS', -1))
        logs = self.useFixture(fixtures.FakeLogger(name=engines.__name__))
        self.assertEqual(TASK_ID, self.read()['id'])
        self.assertNotIn('runs again', logs.output)


class _CountingCursor(extensions.cursor):
    statements = []

    def execute(self, query, vars=None):
        self.statements.append(query)
        return super().execute(query, vars)


class TestCheckoutPostgreSQL(CheckoutMixin, base.DbTestCase):
    FIXTURE = task_fixtures.PostgreSQLDatabase
    BACKEND_ID = 'SELECT pg_backend_pid()'
    KILL = 'SELECT pg_terminate_backend(%d)'

    def watch(self):
        # NOTE: every statement of task_api's connections, the pool's
        # ping included, goes through a cursor of theirs.
        self.statements = _CountingCursor.statements = []

        def count(dbapi_connection, connection_record):
            dbapi_connection.cursor_factory = _CountingCursor

        sa.event.listen(self.engine, 'connect', count)

    def checks(self):
        # NOTE: the dialect's ping.
        return sum(1 for statement in self.statements
                   if statement.strip() == 'SELECT 1')

    def round_trips(self):
        """Count the waits for the server of task_api's wait callback.

        psycopg2 calls it once for each message it sends and waits for
        the answer of, its own (BEGIN, a switch of the session's
        characteristics) included.
        """
        waits = []
        callback = extensions.get_wait_callback()
        self.assertIsNotNone(callback)

        def counting(connection):
            waits.append(connection)
            return callback(connection)

        extensions.set_wait_callback(counting)
        self.addCleanup(extensions.set_wait_callback, callback)
        return waits

    def test_warm_read_is_one_round_trip(self):
        waits = self.round_trips()
        self.assertEqual(TASK_ID, self.read()['id'])
        self.assertEqual(1, len(waits))
        self.assertEqual(
            [TASK_ID],
            [task['id'] for task in self.dbapi.task_get_all(
                self.admin_context)])
        self.assertEqual(2, len(waits))

    def test_read_gives_its_connection_back_in_transaction_mode(self):
        self.read()
        with self.engine.connect() as connection:
            driver = connection.connection.dbapi_connection
            self.assertFalse(driver.autocommit)
            self.assertEqual(extensions.STATUS_READY, driver.status)
        # NOTE: a write after it is one transaction: its failure leaves
        # nothing behind.
        self.assertEqual('written', self.write()['message'])

    def test_rested_connection_is_read_in_autocommit_mode(self):
        self.useFixture(fixtures.MockPatchObject(
            engines, 'IDLE_CHECK_SECONDS', -1))
        self.assertEqual(TASK_ID, self.read()['id'])
        self.assertEqual(TASK_ID, self.read()['id'])
        with self.engine.connect() as connection:
            self.assertFalse(
                connection.connection.dbapi_connection.autocommit)


class TestCheckoutMySQL(CheckoutMixin, base.DbTestCase):
    FIXTURE = task_fixtures.MySQLDatabase
    BACKEND_ID = 'SELECT CONNECTION_ID()'
    KILL = 'KILL %d'

    def watch(self):
        pass

    def checks(self):
        # NOTE: the pooled connection's own count of pings; reading it is
        # a checkout too, counted the same way before and after.
        with self.engine.connect() as connection:
            return int(connection.exec_driver_sql(
                "SHOW SESSION STATUS LIKE 'Com_admin_commands'").first()[1])
