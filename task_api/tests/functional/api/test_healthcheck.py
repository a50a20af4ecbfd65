"""/healthcheck reports the database, through the whole paste pipeline."""

import json

from task_api.tests import fixtures as task_fixtures
from task_api.tests.functional.api import base

HEALTHY = 'OK\nOK'


class HealthcheckMixin:
    """/healthcheck on a database that serves, is down, or has no tables."""

    def healthcheck(self, status, accept='text/plain'):
        response = self.app.get('/healthcheck', headers={'Accept': accept},
                                expect_errors=True)
        self.assertEqual(status, response.status_int, response.text)
        return response

    def test_database_serves(self):
        self.assertEqual(HEALTHY, self.healthcheck(200).text)
        self.assertEqual({'detailed': False, 'reasons': ['OK', 'OK']},
                         json.loads(self.healthcheck(
                             200, 'application/json').text))

    def test_never_html(self):
        # oslo.middleware's HTML page names the host and the platform and
        # walks every thread's stack, for callers without credentials.
        for accept in ('text/html', '*/*', 'text/html,text/plain;q=0.5',
                       'image/png', ''):
            response = self.healthcheck(200, accept)
            self.assertEqual(('text/plain', HEALTHY),
                             (response.content_type, response.text), accept)
        for accept in ('text/html,application/json;q=0.5',
                       'text/html;q=0.9,application/json'):
            response = self.healthcheck(200, accept)
            self.assertEqual('application/json', response.content_type)

    def test_database_unreachable(self):
        self.useFixture(task_fixtures.UnreachableDatabase())
        self.assertEqual('OK\nDATABASE UNAVAILABLE',
                         self.healthcheck(503).text)
        self.assertEqual(
            {'detailed': False, 'reasons': ['OK', 'DATABASE UNAVAILABLE']},
            json.loads(self.healthcheck(503, 'application/json').text))


class NotMigratedMixin:
    """A database in which task_api's migrations never ran."""

    def test_database_not_migrated(self):
        response = self.app.get('/healthcheck', expect_errors=True)
        self.assertEqual(503, response.status_int)
        self.assertEqual('OK\nDATABASE NOT MIGRATED', response.text)


class TestHealthcheckSQLite(HealthcheckMixin, base.PipelineTestCase):
    """SQLite."""


class TestHealthcheckPostgreSQL(HealthcheckMixin,
                                base.PostgreSQLPipelineTestCase):
    """PostgreSQL."""


class TestHealthcheckMySQL(HealthcheckMixin, base.MySQLPipelineTestCase):
    """MariaDB."""


class TestNotMigratedSQLite(NotMigratedMixin, base.PipelineTestCase):
    FIXTURE = task_fixtures.EmptySQLiteDatabase


class TestNotMigratedPostgreSQL(NotMigratedMixin, base.PipelineTestCase):
    FIXTURE = task_fixtures.EmptyPostgreSQLDatabase


class TestNotMigratedMySQL(NotMigratedMixin, base.PipelineTestCase):
    FIXTURE = task_fixtures.EmptyMySQLDatabase
