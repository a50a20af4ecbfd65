"""GET /v2/images/{image_id}/tasks is bounded: the newest api_limit_max."""

import datetime

from task_api.db.sqlalchemy import api as sqla_api
from task_api.tests import base
from task_api.tests.unit.api import base as api_base

IMAGE = '39bb149a-5c1e-4b1f-9a7e-1f8c0c6d8a22'
OWNER = 'aaaaaaaa-1111-4111-8111-aaaaaaaaaaaa'
T0 = datetime.datetime(2026, 11, 29, 4, 28, 35)


def task_id(number):
    return '00000000-0000-4000-8000-%012d' % number


class ImageTasksLimitMixin:
    """At most [api] api_limit_max tasks, newest first; per backend."""

    def insert(self, number, seconds, **kw):
        created = T0 + datetime.timedelta(seconds=seconds)
        return base.insert_task_rows(
            sqla_api.get_engine(), id=task_id(number), image_id=IMAGE,
            owner=OWNER, created_at=created, updated_at=created, **kw)

    def ids(self, headers=None):
        return [task['id'] for task in self.get(
            '/images/%s/tasks' % IMAGE, headers=headers).json['tasks']]

    def test_newest_tasks_up_to_api_limit_max(self):
        self.config(api_limit_max=3, group='api')
        for number, seconds in ((1, 1), (2, 5), (3, 2), (4, 5), (5, 3),
                                (6, 4)):
            self.insert(number, seconds)
        # A deleted and an expired task are not counted.
        self.insert(7, 9, deleted=True, deleted_at=T0)
        self.insert(8, 9, expires_at=T0, status='success')
        # Ties on created_at are broken by id, also descending.
        self.assertEqual([task_id(4), task_id(2), task_id(6)], self.ids())
        self.assertEqual([task_id(4), task_id(2), task_id(6)],
                         self.ids(api_base.member_of(OWNER, 'member,reader')))
        self.config(api_limit_max=1000, group='api')
        self.assertEqual([task_id(n) for n in (4, 2, 6, 5, 3, 1)],
                         self.ids())

    def test_limit_is_applied_by_the_database(self):
        self.config(api_limit_max=2, group='api')
        tasks = self.dbapi.tasks_get_by_image(self.admin_context, IMAGE, 2)
        self.assertEqual([], tasks)
        for number in range(1, 6):
            self.insert(number, number)
        tasks = self.dbapi.tasks_get_by_image(self.admin_context, IMAGE, 2)
        self.assertEqual([task_id(5), task_id(4)],
                         [task['id'] for task in tasks])


class TestImageTasksLimit(ImageTasksLimitMixin, api_base.ApiTestCase):
    """On SQLite."""
