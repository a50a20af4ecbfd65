"""The JSON columns read whatever other programs wrote, and write JSON."""

import sqlalchemy as sa

from task_api.db.sqlalchemy import api as sqla_api
from task_api.db.sqlalchemy import models
from task_api import exception
from task_api.tests import base

TASK_ID = '20840546-7c1e-4c1f-9b7e-2f8c0c6d8a11'
IMAGE_ID = 'c0ffee00-1234-4567-89ab-cdef01234567'


class StoredJSONTests:
    """Mixed into a DbTestCase per backend."""

    def write_raw(self, input_text, result_text):
        base.insert_task_rows(sqla_api.get_engine(), input=None, result=None,
                              image_id=IMAGE_ID)
        with sqla_api.get_engine().begin() as connection:
            connection.execute(
                sa.update(models.TaskInfo.__table__)
                .where(models.TaskInfo.__table__.c.task_id == TASK_ID)
                .values(input=sa.literal(input_text, sa.Text),
                        result=sa.literal(result_text, sa.Text)))

    def test_text_that_is_not_strict_json_reads_as_text(self):
        for text in ('not json {', '{"a": NaN}', '[Infinity]',
                     '{"a": -1e999}', '[' * 5000 + ']' * 5000, ''):
            with self.subTest(text=text[:20]):
                self.write_raw(text, text)
                task = self.dbapi.task_get(self.admin_context, TASK_ID)
                self.assertEqual((text, text),
                                 (task['input'], task['result']))
                tasks = self.dbapi.tasks_get_by_image(self.admin_context,
                                                      IMAGE_ID, 10)
                self.assertEqual([(text, text)], [
                    (task['input'], task['result']) for task in tasks])
                with sqla_api.get_engine().begin() as connection:
                    connection.execute(sa.delete(models.TaskInfo.__table__))
                    connection.execute(sa.delete(models.Task.__table__))

    def test_json_reads_as_values(self):
        self.write_raw('{"a": [1, 2.5, "\\u00e9", null]}', '"done"')
        task = self.dbapi.task_get(self.admin_context, TASK_ID)
        self.assertEqual({'a': [1, 2.5, 'é', None]}, task['input'])
        self.assertEqual('done', task['result'])

    def test_nan_and_infinity_are_never_stored(self):
        base.create_test_task()
        for value in (float('nan'), float('inf'), -float('inf')):
            with self.subTest(value=value):
                self.assertRaises(exception.InvalidColumnValue,
                                  self.dbapi.task_update,
                                  self.admin_context, TASK_ID,
                                  {'result': {'size': value}})
        with sqla_api.get_engine().connect() as connection:
            self.assertIsNone(connection.execute(
                sa.select(models.TaskInfo.__table__.c.result)).scalar())


class TestStoredJSONSQLite(StoredJSONTests, base.DbTestCase):
    """SQLite."""
