"""Values a database refuses are the caller's error (400), never a 500."""

import sqlalchemy as sa

from task_api.db.sqlalchemy import api as sqla_api
from task_api import exception
from task_api.tests import base
from task_api.tests import fixtures


class RefusedValuesMixin:
    """Writes of values a column cannot hold leave nothing behind."""

    def count_rows(self):
        with sqla_api.get_engine().connect() as connection:
            return connection.execute(sa.text(
                'SELECT COUNT(*) FROM tasks')).scalar()

    def assertRefused(self, **values):
        error = self.assertRaises(exception.InvalidColumnValue,
                                  base.create_test_task, **values)
        self.assertEqual(400, error.code)
        self.assertEqual('The database cannot hold a value of the '
                         'request: it is too long for its column or holds '
                         'a character the database does not accept.',
                         error.message)
        self.assertEqual(0, self.count_rows())

    def test_value_longer_than_its_column(self):
        self.assertRefused(type='i' * 31)
        self.assertRefused(image_id='i' * 37)

    def test_update_with_a_value_longer_than_its_column(self):
        task = base.create_test_task()
        error = self.assertRaises(
            exception.InvalidColumnValue, self.dbapi.task_update,
            self.admin_context, task['id'], {'status': 's' * 31})
        self.assertEqual(400, error.code)
        self.assertEqual('pending', self.dbapi.task_get(
            self.admin_context, task['id'])['status'])


class TestRefusedValuesPostgreSQL(RefusedValuesMixin, base.DbTestCase):
    """PostgreSQL refuses too long values and NUL characters."""

    FIXTURE = fixtures.PostgreSQLDatabase

    def test_nul_character(self):
        self.assertRefused(image_id='a\x00b')
        self.assertRefused(message='Copied\x00')


class TestRefusedValuesMySQL(RefusedValuesMixin, base.DbTestCase):
    """MariaDB in strict mode refuses too long values."""

    FIXTURE = fixtures.MySQLDatabase

    def test_input_longer_than_a_text_column(self):
        self.assertRefused(input={'x': 'i' * 70000})


class TestRefusedValuesSQLite(base.DbTestCase):
    """SQLite stores any length; a lone surrogate cannot be encoded."""

    def test_lone_surrogate(self):
        error = self.assertRaises(exception.InvalidColumnValue,
                                  base.create_test_task, message='\ud800')
        self.assertEqual(400, error.code)
