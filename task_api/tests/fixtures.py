"""Fixtures shared by task_api's tests."""

import os
import time
import warnings

import fixtures
from oslo_db.sqlalchemy import enginefacade
from oslo_db.sqlalchemy import test_fixtures
from sqlalchemy import exc as sa_exc

from task_api.db.sqlalchemy import api as sqla_api
from task_api.db.sqlalchemy import models
from task_api import policy


def db_required():
    """Whether a database that cannot be reached fails the tests (CI)."""
    return bool(os.environ.get('TASK_API_REQUIRE_DB'))


#: Sessions of a test's database, other than the one asking, inside a
#: transaction: their id, their client's TCP port, and a description (how
#: long the transaction has lasted, what the session last ran).
_OPEN_TRANSACTIONS = {
    'mysql': "SELECT p.id, SUBSTRING_INDEX(p.host, ':', -1), "
             "CONCAT_WS(' ', p.host, 'for', "
             "TIMESTAMPDIFF(SECOND, t.trx_started, NOW()), 's:', "
             "COALESCE(p.info, p.command)) "
             "FROM information_schema.processlist p "
             "JOIN information_schema.innodb_trx t "
             "ON t.trx_mysql_thread_id = p.id "
             "WHERE p.db = DATABASE() AND p.id <> CONNECTION_ID()",
    'postgresql': "SELECT pid, client_port, concat_ws(' ', client_addr, "
                  "client_port, 'for', round(extract(epoch FROM "
                  "clock_timestamp() - xact_start)), 's:', state, query) "
                  "FROM pg_stat_activity "
                  "WHERE datname = current_database() "
                  "AND pid <> pg_backend_pid() "
                  "AND xact_start IS NOT NULL",
}
_END_SESSION = {'mysql': 'KILL %d',
                'postgresql': 'SELECT pg_terminate_backend(%d)'}
_DEFAULT_PORTS = {'mysql': 3306, 'postgresql': 5432}
#: Seconds until a view of the server's transactions surely shows those
#: begun before it was asked: InnoDB's INNODB_TRX is a copy refreshed at
#: most every 0.1 s, which another process may just have read.
_VIEW_DELAY = {'mysql': 0.15}
#: Seconds a session inside a transaction is given to end by itself
ENDING_GRACE = 3


def _connected_ports(server_port):
    """Local TCP ports of this host's open connections to ``server_port``."""
    ports = set()
    for table in ('/proc/net/tcp', '/proc/net/tcp6'):
        try:
            with open(table) as stream:
                lines = stream.readlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, remote, state = fields[1], fields[2], fields[3]
            # NOTE: 01 is ESTABLISHED.
            if state == '01' and int(remote.rsplit(':', 1)[1], 16) == (
                    server_port):
                ports.add(int(local.rsplit(':', 1)[1], 16))
    return ports


def end_open_transactions(engine):
    """End the sessions a test left inside a transaction on its database.

    Such a session holds its locks, and the schema of the next test is
    not dropped until it ends: on MySQL even a finished SELECT holds one
    until its transaction ends. Sessions whose client is gone (a test
    that cut or froze the path to the server, or killed a worker) are
    ended from the server, as the server would end them in time.

    :raises: AssertionError naming each session whose client still holds
        its connection open: the test (or the code under test) left a
        transaction open, and it fails, rather than the tests after it.
    """
    name = engine.dialect.name
    query = _OPEN_TRANSACTIONS.get(name)
    if query is None:
        return
    time.sleep(_VIEW_DELAY.get(name, 0))
    deadline = time.monotonic() + ENDING_GRACE
    with engine.connect() as connection:
        sessions = connection.exec_driver_sql(query).all()
        while sessions and time.monotonic() < deadline:
            time.sleep(0.1)
            sessions = connection.exec_driver_sql(query).all()
        if not sessions:
            return
        connected = _connected_ports(engine.url.port or _DEFAULT_PORTS[name])
        for session_id, _port, _description in sessions:
            try:
                connection.exec_driver_sql(_END_SESSION[name] % session_id)
            except sa_exc.DBAPIError:
                # NOTE: it ended by itself meanwhile.
                pass
    held = [description for _session_id, port, description in sessions
            if str(port).isdigit() and int(port) in connected]
    if held:
        raise AssertionError(
            'The test left %d database session(s) inside a transaction, '
            'their connections open, which would keep the next test from '
            'dropping its schema: %s' % (len(held), '; '.join(held)))


class _SchemaMixin:
    """Provision through task_api's own enginefacade, schema from models."""

    _BUILD_SCHEMA = True
    _DROP_SCHEMA_PER_TEST = True

    def _setUp(self):
        super()._setUp()
        if self._has_db_resource():
            # NOTE: runs before the schema is dropped.
            self.addCleanup(end_open_transactions,
                            self._get_provisioned_db().engine)

    def get_enginefacade(self):
        return sqla_api.main_context_manager

    def generate_schema_create_all(self, engine):
        models.Base.metadata.create_all(engine)


class SQLiteDatabase(_SchemaMixin, test_fixtures.OpportunisticDbFixture):
    """A fresh in-memory SQLite schema for each test."""


class MySQLDatabase(_SchemaMixin, test_fixtures.MySQLOpportunisticFixture):
    """A throwaway schema on the MySQL/MariaDB of the test environment."""


class PostgreSQLDatabase(_SchemaMixin,
                         test_fixtures.PostgresqlOpportunisticFixture):
    """A throwaway schema on the PostgreSQL of the test environment."""


class _EmptyMixin(_SchemaMixin):
    """Provision through task_api's own enginefacade, create no table."""

    _BUILD_SCHEMA = False


class EmptySQLiteDatabase(_EmptyMixin, test_fixtures.OpportunisticDbFixture):
    """A fresh in-memory SQLite database without tables, for migrations."""


class EmptyMySQLDatabase(_EmptyMixin,
                         test_fixtures.MySQLOpportunisticFixture):
    """A throwaway MySQL/MariaDB database without tables."""


class EmptyPostgreSQLDatabase(_EmptyMixin,
                              test_fixtures.PostgresqlOpportunisticFixture):
    """A throwaway PostgreSQL database without tables."""


class UnreachableDatabase(fixtures.Fixture):
    """Point the DB API at a database of the same kind that is down.

    A closed port on the loopback address for a server, a file in a
    directory that does not exist for SQLite.
    """

    def _setUp(self):
        url = sqla_api.get_engine().url
        if url.get_backend_name() == 'sqlite':
            url = 'sqlite:////nonexistent-task-api-dir/task_api.sqlite'
        else:
            url = url.set(host='127.0.0.1', port=1).render_as_string(
                hide_password=False)
        unreachable = enginefacade.transaction_context()
        unreachable.configure(connection=url, max_retries=0)
        self.useFixture(test_fixtures.ReplaceEngineFacadeFixture(
            sqla_api.main_context_manager, unreachable))


class PolicyFixture(fixtures.Fixture):
    """Start each test with the in-code policy defaults."""

    def _setUp(self):
        policy.reset()
        self.addCleanup(policy.reset)


class WarningsFixture(fixtures.Fixture):
    """Turn SQLAlchemy's warnings about our own code into errors."""

    def _setUp(self):
        self._original = warnings.filters[:]
        warnings.simplefilter('once', DeprecationWarning)
        warnings.filterwarnings('error', category=sa_exc.SAWarning)
        warnings.filterwarnings('error', category=sa_exc.SADeprecationWarning)
        self.addCleanup(self._reset)

    def _reset(self):
        warnings.filters[:] = self._original
