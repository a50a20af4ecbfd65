"""Which tasks each caller may read, on every read path of the DB API.

One table of callers × rows, and what each kind of read shows of it:
show, update and a list's marker read one task by id; a list and an
image's tasks read many. The functional tests run it on PostgreSQL and
MariaDB.
"""

import datetime

from oslo_utils import timeutils

from task_api import context as task_context
from task_api.db.sqlalchemy import api as sqla_api
from task_api import exception
from task_api.tests import base

OWNER = 'aaaaaaaa-1111-4111-8111-aaaaaaaaaaaa'
OTHER = 'bbbbbbbb-2222-4222-8222-bbbbbbbbbbbb'
ADMIN_PROJECT = 'cccccccc-3333-4333-8333-cccccccccccc'
IMAGE = '39bb149a-5c1e-4b1f-9a7e-1f8c0c6d8a22'

#: name -> the caller's context
CALLERS = {
    'admin': dict(project_id=ADMIN_PROJECT, is_admin=True),
    'owner': dict(project_id=OWNER),
    'other project': dict(project_id=OTHER),
    'no project': dict(project_id=None),
    'owner seeing deleted': dict(project_id=OWNER, show_deleted=True),
}

#: name -> the row's columns, beside an id of its own and IMAGE
ROWS = {
    'live': dict(owner=OWNER),
    'expires later': dict(owner=OWNER, status='success', expires_at=+1),
    'expired': dict(owner=OWNER, status='success', expires_at=-1),
    'deleted': dict(owner=OWNER, deleted=True),
    'deleted and expired': dict(owner=OWNER, status='success',
                                expires_at=-1, deleted=True),
    'other project': dict(owner=OTHER),
    # NOTE: tasks.owner is NOT NULL (as in Glance): the row nearest to
    # one without owner has an empty one.
    'empty owner': dict(owner=''),
}

#: What a read of one task by id (show, update, a marker) finds.
ONE = {
    'admin': set(ROWS),
    'owner': {'live', 'expires later', 'expired'},
    'other project': {'other project'},
    'no project': set(),
    'owner seeing deleted': {'live', 'expires later', 'expired', 'deleted',
                             'deleted and expired'},
}

#: What a read of many tasks (a list, an image's tasks) finds: never a
#: deleted or an expired task, whoever the caller.
MANY = {
    'admin': {'live', 'expires later', 'other project', 'empty owner'},
    'owner': {'live', 'expires later'},
    'other project': {'other project'},
    'no project': set(),
    'owner seeing deleted': {'live', 'expires later'},
}


def task_id(row):
    return '00000000-0000-4000-8000-%012d' % (list(ROWS).index(row) + 1)


class VisibilityMixin:
    """Every read path against CALLERS × ROWS; mixed into a DbTestCase."""

    def setUp(self):
        super().setUp()
        # NOTE: whole seconds (MySQL's DATETIME), and expiries far enough
        # from now that no test runs across one.
        now = timeutils.utcnow().replace(microsecond=0)
        for number, (row, columns) in enumerate(ROWS.items()):
            columns = dict(columns)
            if 'expires_at' in columns:
                columns['expires_at'] = now + datetime.timedelta(
                    days=columns['expires_at'])
            if columns.get('deleted'):
                columns['deleted_at'] = now
            created = now - datetime.timedelta(hours=1, seconds=number)
            base.insert_task_rows(sqla_api.get_engine(), id=task_id(row),
                                  image_id=IMAGE, created_at=created,
                                  updated_at=created, **columns)
        self.by_id = {task_id(row): row for row in ROWS}

    def rows(self, tasks):
        return {self.by_id[task['id']] for task in tasks}

    def found(self, read, caller):
        """The rows that ``read(context, task_id)`` finds, one by one."""
        context = task_context.RequestContext(**CALLERS[caller])
        found = set()
        for row in ROWS:
            try:
                read(context, task_id(row))
            except (exception.TaskNotFound, exception.MarkerNotFound):
                continue
            found.add(row)
        return found

    def assertTable(self, expected, read):
        self.assertEqual(expected,
                         {caller: read(caller) for caller in CALLERS})

    def test_show(self):
        self.assertTable(ONE, lambda caller: self.found(
            self.dbapi.task_get, caller))

    def test_update(self):
        # NOTE: a change of nothing but updated_at, so that each read
        # finds the table as it was.
        self.assertTable(ONE, lambda caller: self.found(
            lambda context, task: self.dbapi.task_update(context, task, {}),
            caller))

    def test_marker(self):
        self.assertTable(ONE, lambda caller: self.found(
            lambda context, task: self.dbapi.task_get_all(context,
                                                          marker=task),
            caller))

    def test_list(self):
        self.assertTable(MANY, lambda caller: self.rows(
            self.dbapi.task_get_all(task_context.RequestContext(
                **CALLERS[caller]))))

    def test_list_filtered_on_deleted_rows(self):
        # A filter does not widen the rule.
        self.assertTable(MANY, lambda caller: self.rows(
            self.dbapi.task_get_all(task_context.RequestContext(
                **CALLERS[caller]), filters={'deleted': True})))

    def test_image_tasks(self):
        self.assertTable(MANY, lambda caller: self.rows(
            self.dbapi.tasks_get_by_image(task_context.RequestContext(
                **CALLERS[caller]), IMAGE, 100)))


class TestVisibilitySQLite(VisibilityMixin, base.DbTestCase):
    """The rule on SQLite."""
