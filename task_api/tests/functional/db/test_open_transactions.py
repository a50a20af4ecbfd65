"""A test that leaves a transaction open fails alone, not the tests after it.

The schema of each test's database is dropped after the test; a session
inside a transaction holds locks that keep the drop waiting until the
statement bound cancels it, and the next tests would find the rows of
this one (see task_api.tests.fixtures.end_open_transactions).
"""

import socket

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from task_api.db.sqlalchemy import api as sqla_api
from task_api.tests import base
from task_api.tests import fixtures
from task_api.tests.functional import tcp_proxy


class OpenTransactionsMixin:

    def open_transaction(self, engine):
        connection = engine.connect()
        # NOTE: its session is ended from the server.
        self.addCleanup(connection.invalidate)
        connection.execute(sa.text('SELECT count(*) FROM tasks')).scalar()
        return connection

    def separate_engine(self, **url_values):
        engine = sa.create_engine(sqla_api.get_engine().url.set(**url_values))
        self.addCleanup(engine.dispose)
        return engine

    def test_session_whose_client_holds_it_fails_the_test(self):
        connection = self.open_transaction(self.separate_engine())

        error = self.assertRaises(AssertionError,
                                  fixtures.end_open_transactions,
                                  sqla_api.get_engine())

        self.assertIn('The test left 1 database session(s) inside a '
                      'transaction, their connections open', str(error))
        # The session was ended all the same: its client finds it gone.
        error = self.assertRaises(sa_exc.DBAPIError, connection.execute,
                                  sa.text('SELECT count(*) FROM tasks'))
        self.assertTrue(error.connection_invalidated)

    def test_no_session_left(self):
        with self.separate_engine().connect() as connection:
            connection.execute(sa.text('SELECT count(*) FROM tasks'))
        fixtures.end_open_transactions(sqla_api.get_engine())


class TestOpenTransactionsPostgreSQL(OpenTransactionsMixin, base.DbTestCase):

    FIXTURE = fixtures.PostgreSQLDatabase


class TestOpenTransactionsMySQL(OpenTransactionsMixin, base.DbTestCase):

    FIXTURE = fixtures.MySQLDatabase


class TestRelayCut(base.TestCase):
    """The relay's cut ends idle connections too."""

    def test_cut_ends_an_idle_relayed_connection(self):
        server = socket.create_server(('127.0.0.1', 0))
        self.addCleanup(server.close)
        proxy = self.useFixture(tcp_proxy.TcpProxy(
            '127.0.0.1', server.getsockname()[1]))
        client = socket.create_connection(('127.0.0.1', proxy.port))
        self.addCleanup(client.close)
        upstream, _address = server.accept()
        self.addCleanup(upstream.close)
        client.settimeout(5)
        upstream.settimeout(5)
        # NOTE: a byte relayed: the relay holds the connection, and its
        # pumps are back to reading, idle.
        client.sendall(b'x')
        self.assertEqual(b'x', upstream.recv(1))

        proxy.cut()

        # Both ends see the connection end, though nothing was sent.
        self.assertEqual(b'', upstream.recv(1))
        try:
            self.assertEqual(b'', client.recv(1))
        except ConnectionResetError:
            pass
