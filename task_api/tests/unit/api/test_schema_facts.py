"""Every copy of a fact of the task schema is bound to its source.

Column names and lengths come from the model (task_api.db.sqlalchemy
.models), statuses from task_api.lifecycle; the wire format's keys live in
the view (task_api.api.views.tasks) and are bound here to the published
task schema (task_api.api.schemas.tasks).
"""

import datetime

import sqlalchemy as sa

from task_api.api.controllers import base as controllers
from task_api.api.schemas import tasks as schemas
from task_api.api import validation
from task_api.api.views import tasks as tasks_view
from task_api.db import api as db_api
from task_api.db.sqlalchemy import models
from task_api import lifecycle
from task_api.tests import base

TASKS = models.Task.__table__
TASK_INFO = models.TaskInfo.__table__


def full_task(**values):
    """A task as the DB API returns it, every column set."""
    now = datetime.datetime(2026, 1, 2, 3, 4, 5)
    task = {'id': 'a' * 36, 'type': 'import', 'status': 'success',
            'owner': 'p', 'expires_at': now, 'created_at': now,
            'updated_at': now, 'deleted_at': None, 'deleted': False,
            'image_id': 'i', 'request_id': 'r', 'user_id': 'u',
            'input': {}, 'result': {}, 'message': 'm'}
    task.update(values)
    return task


class TestColumnsComeFromTheModel(base.TestCase):

    def test_column_lengths_of_new_tasks(self):
        for column, length in validation._COLUMN_LENGTHS.items():
            self.assertEqual(TASKS.c[column].type.length, length, column)
        # Every string column a caller's values fill is checked.
        self.assertEqual(
            {'owner', 'image_id', 'request_id', 'user_id'},
            set(validation._COLUMN_LENGTHS))

    def test_longest_id(self):
        self.assertEqual(TASKS.c.id.type.length, controllers.MAX_ID_LENGTH)
        self.assertEqual(TASKS.c.image_id.type.length,
                         controllers.MAX_ID_LENGTH)

    def test_columns_of_the_db_api(self):
        self.assertEqual([column.name for column in TASKS.columns],
                         list(db_api.TASK_COLUMNS))
        self.assertEqual(
            [column.name for column in TASKS.columns
             if isinstance(column.type, sa.DateTime)],
            list(db_api.TIMESTAMP_COLUMNS))

    def test_types_and_statuses_fit_their_columns(self):
        for value in schemas.TASK_TYPES:
            self.assertLessEqual(len(value), TASKS.c.type.type.length)
        for value in schemas.TASK_STATUSES:
            self.assertLessEqual(len(value), TASKS.c.status.type.length)


class TestStatusesComeFromTheLifecycle(base.TestCase):

    def test_the_schema_lists_the_lifecycle_statuses(self):
        self.assertEqual(
            [lifecycle.PENDING, lifecycle.PROCESSING, lifecycle.SUCCESS,
             lifecycle.FAILURE],
            schemas.task_schema()['properties']['status']['enum'])
        self.assertEqual(set(lifecycle.TRANSITIONS),
                         set(schemas.TASK_STATUSES))


class TestTheViewMatchesTheSchema(base.TestCase):

    def test_show_writes_the_properties_of_the_task_schema(self):
        self.assertEqual(set(schemas.task_schema()['properties']),
                         set(tasks_view.show(full_task())))

    def test_show_leaves_out_only_optional_keys(self):
        bare = tasks_view.show(full_task(
            image_id=None, request_id=None, user_id=None, expires_at=None))
        self.assertEqual(
            {'image_id', 'request_id', 'user_id', 'expires_at'},
            set(schemas.task_schema()['properties']) - set(bare))

    def test_stub_writes_the_properties_of_the_tasks_schema(self):
        # NOTE: as in the Image API, a list item never holds the keys
        # only a shown task has, though the schema names them.
        item = schemas.tasks_schema()['properties']['tasks']['items']
        self.assertEqual(set(item['properties']) - {
            'image_id', 'request_id', 'user_id'},
            set(tasks_view.stub(full_task())))

    def test_the_image_tasks_list_writes_every_column(self):
        columns = [column.name for column in TASKS.columns] + [
            column.name for column in TASK_INFO.columns
            if column.name != 'task_id']
        self.assertEqual(columns, list(tasks_view.raw(full_task())))
