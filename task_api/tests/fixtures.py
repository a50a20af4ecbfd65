"""Fixtures shared by task_api's tests."""

import os
import warnings

import fixtures
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
