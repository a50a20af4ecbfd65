"""Fixtures shared by task_api's tests."""

import os
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


class _SchemaMixin:
    """Provision through task_api's own enginefacade, schema from models."""

    _BUILD_SCHEMA = True
    _DROP_SCHEMA_PER_TEST = True

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
