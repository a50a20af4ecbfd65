"""Ids and owners are compared exactly, on every backend.

MySQL's and MariaDB's default collations ignore case and trailing spaces;
project ``ABC`` must still not see the tasks of ``abc`` or ``abc ``.
"""

from task_api import context as task_context
from task_api import exception
from task_api.tests import base
from task_api.tests import fixtures

ID_1 = '0000000a-0000-4000-8000-00000000000a'
ID_2 = '0000000b-0000-4000-8000-00000000000b'
ID_3 = '0000000c-0000-4000-8000-00000000000c'
#: owner, image id and id of each task
TASKS = {'abc': ('img', ID_1), 'ABC': ('IMG', ID_2),
         'abc ': ('img ', ID_3)}


def member(project_id):
    return task_context.RequestContext(project_id=project_id)


class IsolationMixin:
    """Three projects whose ids a case-insensitive collation confuses."""

    def setUp(self):
        super().setUp()
        for owner, (image_id, task_id) in TASKS.items():
            base.create_test_task(id=task_id, owner=owner,
                                  image_id=image_id,
                                  type='api_image_import')

    def test_show(self):
        for owner, (_image_id, task_id) in TASKS.items():
            for other, (_, other_id) in TASKS.items():
                if other == owner:
                    self.assertEqual(owner, self.dbapi.task_get(
                        member(owner), task_id)['owner'])
                    continue
                self.assertRaises(exception.TaskNotFound,
                                  self.dbapi.task_get, member(owner),
                                  other_id)

    def test_show_id_in_another_case_is_not_found(self):
        for context in (self.admin_context, member('abc')):
            self.assertRaises(exception.TaskNotFound, self.dbapi.task_get,
                              context, ID_1.upper())

    def test_list(self):
        for owner, (_image_id, task_id) in TASKS.items():
            self.assertEqual([task_id], [task['id'] for task in
                             self.dbapi.task_get_all(member(owner))])

    def test_list_filters_on_string_columns(self):
        def ids(**filters):
            return sorted(task['id'] for task in self.dbapi.task_get_all(
                self.admin_context, filters=filters))

        self.assertEqual([ID_1, ID_2, ID_3], ids())
        for owner, (image_id, task_id) in TASKS.items():
            self.assertEqual([task_id], ids(owner=owner))
            self.assertEqual([task_id], ids(image_id=image_id))
            self.assertEqual([task_id], ids(id=task_id))
        self.assertEqual([], ids(id=ID_1.upper()))
        self.assertEqual([], ids(type='API_IMAGE_IMPORT'))
        self.assertEqual([], ids(type='api_image_import '))
        self.assertEqual([], ids(status='PENDING'))

    def test_marker_in_another_case_or_project(self):
        self.assertRaises(exception.MarkerNotFound, self.dbapi.task_get_all,
                          self.admin_context, marker=ID_1.upper())
        self.assertRaises(exception.MarkerNotFound, self.dbapi.task_get_all,
                          member('ABC'), marker=ID_1)
        self.assertEqual([], self.dbapi.task_get_all(
            member('abc'), marker=ID_1))

    def test_image_tasks(self):
        for owner, (image_id, task_id) in TASKS.items():
            for context in (self.admin_context, member(owner)):
                self.assertEqual([task_id], [
                    task['id'] for task in self.dbapi.tasks_get_by_image(
                        context, image_id, 10)])
        self.assertEqual([], self.dbapi.tasks_get_by_image(
            member('ABC'), 'img', 10))

    def test_update(self):
        for context, task_id in ((self.admin_context, ID_1.upper()),
                                 (member('ABC'), ID_1),
                                 (member('abc '), ID_1)):
            self.assertRaises(exception.TaskNotFound, self.dbapi.task_update,
                              context, task_id, {'status': 'processing',
                                                 'message': 'x'})
        self.assertEqual(('pending', ''), tuple(self.dbapi.task_get(
            self.admin_context, ID_1)[key] for key in ('status', 'message')))
        updated = self.dbapi.task_update(member('abc'), ID_1,
                                         {'status': 'processing',
                                          'message': 'Working'})
        self.assertEqual(('processing', 'Working', 'abc'),
                         (updated['status'], updated['message'],
                          updated['owner']))
        for owner in ('ABC', 'abc '):
            task = self.dbapi.task_get(member(owner), TASKS[owner][1])
            self.assertEqual(('pending', ''),
                             (task['status'], task['message']))


class TestIsolationSQLite(IsolationMixin, base.DbTestCase):
    """SQLite compares exactly already."""


class TestIsolationPostgreSQL(IsolationMixin, base.DbTestCase):
    """PostgreSQL compares exactly already."""

    FIXTURE = fixtures.PostgreSQLDatabase


class TestIsolationMySQL(IsolationMixin, base.DbTestCase):
    """MariaDB, whose default collation ignores case and trailing spaces."""

    FIXTURE = fixtures.MySQLDatabase
