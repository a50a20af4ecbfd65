"""Tests of GET /v2/images/{image_id}/tasks."""

import datetime

from task_api.db.sqlalchemy import api as sqla_api
from task_api.tests import base
from task_api.tests.unit.api import base as api_base

IMAGE = '39bb149a-5c1e-4b1f-9a7e-1f8c0c6d8a22'
OWNER = 'aaaaaaaa-1111-4111-8111-aaaaaaaaaaaa'
OTHER = 'bbbbbbbb-2222-4222-8222-bbbbbbbbbbbb'
T0 = datetime.datetime(2026, 11, 29, 4, 28, 35, 760798)


class ImageTasksMixin:
    """The image tasks call on rows written with SQL; per backend."""

    def insert(self, number, **kw):
        kw.setdefault('created_at', T0 + datetime.timedelta(seconds=number))
        kw.setdefault('updated_at', kw['created_at'])
        kw.setdefault('image_id', IMAGE)
        kw.setdefault('owner', OWNER)
        return base.insert_task_rows(
            sqla_api.get_engine(),
            id='00000000-0000-4000-8000-%012d' % number, **kw)

    def expected(self, task):
        """The raw row of ``task``, timestamps as the database keeps them."""
        stored = self.dbapi.task_get(self.admin_context, task['id'])

        def stamp(key):
            value = stored[key]
            return value and value.strftime('%Y-%m-%dT%H:%M:%S.%f')
        return {
            'id': task['id'], 'type': task['type'],
            'status': task['status'], 'owner': task['owner'],
            'expires_at': stamp('expires_at'),
            'created_at': stamp('created_at'),
            'updated_at': stamp('updated_at'),
            'deleted_at': stamp('deleted_at'),
            'deleted': task['deleted'], 'image_id': task['image_id'],
            'request_id': task['request_id'], 'user_id': task['user_id'],
            'input': task['input'], 'result': task['result'],
            'message': task['message']}

    def test_raw_rows_newest_first(self):
        first = self.insert(1, type='api_image_import',
                            input={'image_id': IMAGE, 'import_req': {
                                'method': {'name': 'glance-direct'}}},
                            message='Copied 1 MiB')
        second = self.insert(2, status='success', result={'image_id': IMAGE},
                             expires_at=datetime.datetime(2099, 1, 1))
        response = self.get('/images/%s/tasks' % IMAGE)
        self.assertEqual('application/json', response.content_type)
        self.assertEqual({'tasks': [self.expected(second),
                                    self.expected(first)]}, response.json)
        self.assertEqual(
            ['id', 'type', 'status', 'owner', 'expires_at', 'created_at',
             'updated_at', 'deleted_at', 'deleted', 'image_id', 'request_id',
             'user_id', 'input', 'result', 'message'],
            list(response.json['tasks'][0]))
        self.assertRegex(response.json['tasks'][0]['created_at'],
                         r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$')

    def test_only_live_visible_tasks_of_the_image(self):
        self.insert(1)
        self.insert(2, expires_at=datetime.datetime(2020, 1, 1),
                    status='success')
        self.insert(3, deleted=True, deleted_at=T0)
        self.insert(4, owner=OTHER)
        self.insert(5, image_id='another-image')
        self.insert(6, status='failure',
                    expires_at=datetime.datetime(2099, 1, 1))
        ids = [task['id'][-1] for task in self.get(
            '/images/%s/tasks' % IMAGE).json['tasks']]
        self.assertEqual(['6', '4', '1'], ids)
        # Non-administrators need no tasks_api_access for this call, only
        # get_image: a reader of the project (Keystone's member role
        # implies reader).
        ids = [task['id'][-1] for task in self.get(
            '/images/%s/tasks' % IMAGE,
            headers=api_base.member_of(OWNER, 'member,reader')).json['tasks']]
        self.assertEqual(['6', '1'], ids)

    def test_credentials_in_input_are_masked(self):
        self.insert(1, input={'import_req': {'method': {
            'uri': 'https://joe:secret@example.com/x.img'}}})
        task = self.get('/images/%s/tasks' % IMAGE).json['tasks'][0]
        self.assertEqual({'import_req': {'method': {
            'uri': 'https://joe:***@example.com/x.img'}}}, task['input'])

    def test_image_without_tasks(self):
        self.assertEqual({'tasks': []},
                         self.get('/images/%s/tasks' % IMAGE).json)

    def test_other_image_paths_and_methods(self):
        for path in ('/images', '/images/%s' % IMAGE,
                     '/images/%s/tasks/x' % IMAGE, '/images//tasks',
                     '/images/a%00b/tasks', '/images/%s/tasks' % ('i' * 37)):
            self.get(path, status=404)
        for method in ('POST', 'PUT', 'DELETE'):
            response = self.app.request(
                self.prefix + '/images/%s/tasks' % IMAGE, method=method,
                headers=api_base.ADMIN, status=405)
            self.assertEqual('GET', response.headers['Allow'])


class TestImageTasks(ImageTasksMixin, api_base.ApiTestCase):
    """On SQLite."""
