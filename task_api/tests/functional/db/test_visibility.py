"""Which tasks each caller may read, on PostgreSQL and MariaDB."""

from task_api.tests import base
from task_api.tests import fixtures
from task_api.tests.unit.db import test_visibility


class TestVisibilityPostgreSQL(test_visibility.VisibilityMixin,
                               base.DbTestCase):
    """The rule on PostgreSQL."""

    FIXTURE = fixtures.PostgreSQLDatabase


class TestVisibilityMySQL(test_visibility.VisibilityMixin, base.DbTestCase):
    """The rule on MariaDB, whose collation ignores case and spaces."""

    FIXTURE = fixtures.MySQLDatabase
