"""The classifier of database errors on PostgreSQL's and MariaDB's."""

import sqlalchemy as sa

from task_api.db import errors
from task_api.tests import base
from task_api.tests import fixtures
from task_api.tests.unit.db import test_errors


class ServerMixin:
    """A statement the server cancels at its statement timeout."""

    def test_statement_cancelled(self):
        for name, engine in self.engines().items():
            with engine.connect() as connection:
                connection.execute(sa.text(self.BOUND))
                error = test_errors.raised(connection.execute,
                                           sa.text(self.SLEEP))
            self.assertClasses({'is_unavailable'}, error)
            self.assertDriverError(error)


class TestClassifierPostgreSQL(ServerMixin, test_errors.ClassifierMixin,
                               base.DbTestCase):
    FIXTURE = fixtures.PostgreSQLDatabase
    DRIVER = 'psycopg2'
    REFUSED = {'type': 'i' * 31}
    BOUND = 'SET statement_timeout = 100'
    SLEEP = 'SELECT pg_sleep(2)'

    def unreachable_url(self):
        return ('postgresql+psycopg2://openstack_citest:openstack_citest'
                '@127.0.0.1:%d/task_api' % test_errors.closed_port(self))

    def test_nul_character(self):
        # psycopg2 refuses it before it reaches the server.
        for name, engine in self.engines().items():
            error = test_errors.raised(self.execute, engine, sa.text(
                'SELECT 1 WHERE :v IS NOT NULL').bindparams(v='a\x00b'))
            self.assertClasses({'is_refused_value'}, error)


class TestClassifierMySQL(ServerMixin, test_errors.ClassifierMixin,
                          base.DbTestCase):
    FIXTURE = fixtures.MySQLDatabase
    DRIVER = 'pymysql'
    REFUSED = {'type': 'i' * 31}
    BOUND = 'SET SESSION max_statement_time = 0.1'
    SLEEP = 'SELECT SLEEP(2) FROM DUAL WHERE 1 = 1'

    def unreachable_url(self):
        return ('mysql+pymysql://openstack_citest:openstack_citest'
                '@127.0.0.1:%d/task_api' % test_errors.closed_port(self))

    def test_server_that_never_answers(self):
        # PyMySQL gives up waiting for the server's greeting; its error
        # says so only through the socket's timeout it was handling.
        engine = sa.create_engine(
            'mysql+pymysql://openstack_citest:openstack_citest@127.0.0.1:%d'
            '/task_api?connect_timeout=1&read_timeout=1'
            % test_errors.silent_port(self))
        self.addCleanup(engine.dispose)
        error = test_errors.raised(engine.connect)
        self.assertClasses({'is_unavailable', 'timed_out'}, error)
        self.assertDriverError(error)
        self.assertIsInstance(errors.driver_error(error).__context__,
                              TimeoutError)
