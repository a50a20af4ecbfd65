"""The JSON columns on real PostgreSQL and MySQL/MariaDB servers."""

from task_api.tests import base
from task_api.tests import fixtures
from task_api.tests.unit.db import test_stored_json


class TestStoredJSONPostgreSQL(test_stored_json.StoredJSONTests,
                               base.DbTestCase):
    """PostgreSQL."""

    FIXTURE = fixtures.PostgreSQLDatabase


class TestStoredJSONMySQL(test_stored_json.StoredJSONTests,
                          base.DbTestCase):
    """MySQL/MariaDB."""

    FIXTURE = fixtures.MySQLDatabase
