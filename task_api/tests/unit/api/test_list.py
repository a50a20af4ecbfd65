"""Tests of GET /v2/tasks."""

import datetime
import uuid

import sqlalchemy as sa

from task_api.db.sqlalchemy import api as sqla_api
from task_api.tests import base
from task_api.tests.unit.api import base as api_base

OWNER = 'aaaaaaaa-1111-4111-8111-aaaaaaaaaaaa'
OTHER = 'bbbbbbbb-2222-4222-8222-bbbbbbbbbbbb'
T0 = datetime.datetime(2026, 11, 1, 12, 0, 0)
FUTURE = datetime.datetime(2099, 1, 1, 0, 0, 0)
PAST = datetime.datetime(2020, 1, 1, 0, 0, 0)


def task_id(number):
    return str(uuid.UUID(int=number, version=4))


def stub(task):
    body = {'id': task['id'], 'type': task['type'],
            'status': task['status'], 'owner': task['owner'],
            'created_at': task['created_at'].strftime('%Y-%m-%dT%H:%M:%SZ'),
            'updated_at': task['updated_at'].strftime('%Y-%m-%dT%H:%M:%SZ'),
            'self': '/v2/tasks/' + task['id'], 'schema': '/v2/schemas/task'}
    if task['expires_at'] is not None:
        body['expires_at'] = task['expires_at'].strftime(
            '%Y-%m-%dT%H:%M:%SZ')
    return body


class ListTasksMixin:
    """GET /v2/tasks on rows written with SQL; mixed in per backend."""

    def insert(self, number, **kw):
        created = T0 + datetime.timedelta(seconds=number)
        kw.setdefault('created_at', created)
        kw.setdefault('updated_at', created)
        kw.setdefault('owner', OWNER)
        kw.setdefault('id', task_id(number))
        return base.insert_task_rows(sqla_api.get_engine(), **kw)

    def list(self, query='', headers=None, status=None):
        return self.get('/tasks' + query, headers=headers, status=status)

    def ids(self, query='', headers=None):
        return [task['id'] for task in self.list(query, headers).json[
            'tasks']]

    def count_rows(self):
        with sqla_api.get_engine().connect() as connection:
            return connection.execute(sa.text(
                'SELECT COUNT(*) FROM tasks')).scalar()

    def test_empty_list(self):
        response = self.list()
        self.assertEqual('application/json', response.content_type)
        self.assertEqual({'tasks': [], 'first': '/v2/tasks',
                          'schema': '/v2/schemas/tasks'}, response.json)

    def test_items_newest_first_without_payload(self):
        tasks = [self.insert(1),
                 self.insert(2, status='success', expires_at=FUTURE,
                             result={'image_id': 'x'}, image_id='img'),
                 self.insert(3, type='api_image_import', message='m')]
        response = self.list()
        self.assertEqual({'tasks': [stub(t) for t in reversed(tasks)],
                          'first': '/v2/tasks',
                          'schema': '/v2/schemas/tasks'}, response.json)
        self.assertEqual(['id', 'type', 'status', 'owner', 'created_at',
                          'updated_at', 'self', 'schema', 'expires_at'],
                         list(response.json['tasks'][1]))

    def test_expired_deleted_and_other_projects_tasks(self):
        self.set_policy({'tasks_api_access': 'role:member or role:admin'})
        self.insert(1)
        self.insert(2, expires_at=PAST, status='success')
        self.insert(3, deleted=True, deleted_at=T0)
        self.insert(4, owner=OTHER)
        self.insert(5, owner=OTHER, expires_at=PAST, status='failure')
        self.assertEqual([task_id(4), task_id(1)], self.ids())
        self.assertEqual([task_id(1)], self.ids(
            headers=api_base.member_of(OWNER)))
        self.assertEqual([], self.ids('?owner=' + OTHER,
                                      headers=api_base.member_of(OWNER)))

    def test_listing_never_writes(self):
        self.set_policy({'tasks_api_access': 'role:member or role:admin'})
        self.insert(1, expires_at=PAST, status='success')
        self.insert(2, owner=OTHER, expires_at=PAST, status='success')
        with sqla_api.get_engine().connect() as connection:
            before = connection.execute(sa.text(
                'SELECT id, deleted, deleted_at, updated_at FROM tasks '
                'ORDER BY id')).all()
        self.list()
        self.list(headers=api_base.member_of(OWNER))
        with sqla_api.get_engine().connect() as connection:
            after = connection.execute(sa.text(
                'SELECT id, deleted, deleted_at, updated_at FROM tasks '
                'ORDER BY id')).all()
        self.assertEqual(before, after)

    def test_default_limit_and_next_link(self):
        for number in range(1, 28):
            self.insert(number)
        body = self.list().json
        self.assertEqual([task_id(n) for n in range(27, 2, -1)],
                         [task['id'] for task in body['tasks']])
        self.assertEqual('/v2/tasks?marker=' + task_id(3), body['next'])
        body = self.get(body['next'][len('/v2'):]).json
        self.assertEqual([task_id(2), task_id(1)],
                         [task['id'] for task in body['tasks']])
        self.assertNotIn('next', body)
        self.assertEqual('/v2/tasks', body['first'])

    def test_configured_default_and_cap(self):
        self.config(limit_param_default=2, api_limit_max=3, group='api')
        for number in range(1, 6):
            self.insert(number)
        self.assertEqual(2, len(self.ids()))
        body = self.list('?limit=100').json
        self.assertEqual(3, len(body['tasks']))
        self.assertEqual('/v2/tasks?limit=100&marker=' + task_id(3),
                         body['next'])

    def test_full_last_page_links_to_an_empty_page(self):
        self.insert(1)
        self.insert(2)
        body = self.list('?limit=2').json
        self.assertEqual('/v2/tasks?limit=2&marker=' + task_id(1),
                         body['next'])
        last = self.get(body['next'][len('/v2'):]).json
        self.assertEqual({'tasks': [], 'first': '/v2/tasks?limit=2',
                          'schema': '/v2/schemas/tasks'}, last)

    def test_limit_zero(self):
        self.insert(1)
        self.assertEqual({'tasks': [], 'first': '/v2/tasks?limit=0',
                          'schema': '/v2/schemas/tasks'},
                         self.list('?limit=0').json)

    def test_links_echo_parameters_and_drop_the_marker(self):
        for number in range(1, 4):
            self.insert(number)
        body = self.list('?limit=1&sort_key=status&sort_dir=asc&foo=bar'
                         '&marker=' + task_id(1)).json
        self.assertEqual('/v2/tasks?limit=1&sort_key=status&sort_dir=asc'
                         '&foo=bar', body['first'])
        self.assertEqual('/v2/tasks?limit=1&sort_key=status&sort_dir=asc'
                         '&foo=bar&marker=' + task_id(2), body['next'])

    def test_repeated_parameters_take_the_last_value(self):
        for number in range(1, 4):
            self.insert(number)
        body = self.list('?limit=1&limit=2&sort_dir=desc&sort_dir=asc').json
        self.assertEqual([task_id(1), task_id(2)],
                         [task['id'] for task in body['tasks']])
        self.assertEqual('/v2/tasks?limit=2&sort_dir=asc', body['first'])

    def test_bad_parameters(self):
        cases = {
            '?limit=abc': 'limit param must be an integer',
            '?limit=1.5': 'limit param must be an integer',
            '?limit=-1': 'limit param must be positive',
            '?marker=not-a-uuid': 'Invalid marker format',
            '?marker=' + task_id(99):
                'Task with the given id %s was not found' % task_id(99),
            '?sort_key=input': 'Sort key supplied was not valid.',
            '?sort_key=foo': 'Sort key supplied was not valid.',
            '?sort_dir=up': 'Invalid sort direction: up',
            '?status=blah': 'Invalid status value: blah',
            '?type=blah': 'Invalid type value: blah',
            '?created_at=yesterday': 'Invalid created_at value: yesterday',
        }
        self.insert(1)
        before = self.count_rows()
        for query, message in cases.items():
            response = self.list(query, status=400)
            self.assertEqual('400 Bad Request\n\n%s\n\n   ' % message,
                             response.text, query)
        self.assertEqual(before, self.count_rows())

    def test_marker_of_another_project_is_400_like_an_unknown_one(self):
        self.set_policy({'tasks_api_access': 'role:member'})
        self.insert(1, owner=OTHER)
        response = self.list('?marker=' + task_id(1),
                             headers=api_base.member_of(OWNER), status=400)
        self.assertIn('Task with the given id %s was not found'
                      % task_id(1), response.text)

    def test_odd_parameters_never_fail(self):
        self.insert(1)
        for query in ('?info=x', '?deleted=true', '?input=x', '?message=m',
                      '?result=1', '?self=x', '?status=', '?type=',
                      '?owner=' + 'x' * 500, '?id=' + 'x' * 300):
            self.list(query)
        self.assertEqual([task_id(1)], self.ids('?deleted=true'))
        self.assertEqual([], self.ids('?status='))
        self.list('?owner=a%00b', status=400)

    def test_filters(self):
        self.insert(1, type='import', status='pending')
        self.insert(2, type='api_image_import', status='processing',
                    image_id='img-2')
        self.insert(3, type='location_import', status='failure',
                    expires_at=FUTURE, user_id='someone')
        self.insert(4, owner=OTHER, status='success', expires_at=FUTURE)
        for query, expected in (
                ('?type=import', [4, 1]), ('?type=api_image_import', [2]),
                ('?type=location_import', [3]), ('?status=processing', [2]),
                ('?status=success', [4]), ('?owner=' + OTHER, [4]),
                ('?image_id=img-2', [2]), ('?user_id=someone', [3]),
                ('?id=' + task_id(3), [3]),
                ('?status=pending&type=import', [1]),
                ('?expires_at=2099-01-01T00:00:00Z', [4, 3])):
            self.assertEqual([task_id(n) for n in expected],
                             self.ids(query), query)

    def assertWalks(self, query, expected):
        """Pages of one task, followed through next links, give expected."""
        seen = []
        path = '/tasks?limit=1' + query
        while True:
            body = self.get(path).json
            seen.extend(task['id'] for task in body['tasks'])
            if 'next' not in body:
                break
            path = body['next'][len('/v2'):]
            self.assertLess(len(seen), 50)
        self.assertEqual(expected, seen, query)
        self.assertEqual(expected, self.ids('?limit=100' + query), query)

    def test_sorting_and_keyset_pages_with_nulls_and_ties(self):
        rows = [self.insert(1, status='success', expires_at=FUTURE),
                self.insert(2, status='pending'),
                self.insert(3, status='success',
                            expires_at=FUTURE + datetime.timedelta(days=1)),
                self.insert(4, status='pending',
                            created_at=T0 + datetime.timedelta(seconds=2)),
                self.insert(5, status='failure', expires_at=FUTURE)]

        def order(key, descending):
            def sort_value(row):
                value = row[key]
                return (value is not None, value or 0, row['created_at'],
                        row['id'])
            if key == 'id':
                return sorted((r['id'] for r in rows), reverse=descending)
            return [r['id'] for r in sorted(rows, key=sort_value,
                                            reverse=descending)]

        for key in ('created_at', 'status', 'expires_at', 'id', 'type',
                    'updated_at', 'image_id', 'deleted'):
            for direction in ('asc', 'desc'):
                self.assertWalks('&sort_key=%s&sort_dir=%s' % (key, direction),
                                 order(key, direction == 'desc'))

    def test_sort_key_id_sorts_by_id(self):
        self.insert(1, created_at=T0 + datetime.timedelta(hours=2))
        self.insert(2, created_at=T0 + datetime.timedelta(hours=1))
        self.assertEqual([task_id(1), task_id(2)],
                         self.ids('?sort_key=id&sort_dir=asc'))

    def test_rows_inserted_between_pages(self):
        for number in range(10, 14):
            self.insert(number)
        first = self.list('?limit=2').json
        self.assertEqual([task_id(13), task_id(12)],
                         [task['id'] for task in first['tasks']])
        # A newer task, and one tied with task 11 on created_at.
        self.insert(20)
        tied = task_id(11)[:-1] + '9'
        self.insert(11, id=tied)
        second = self.get(first['next'][len('/v2'):]).json
        third = self.get(second['next'][len('/v2'):]).json
        self.assertEqual([task_id(11), tied, task_id(10)],
                         [task['id'] for task in second['tasks']
                          + third['tasks']])

    def test_policy_is_checked_before_parameters(self):
        self.list('?limit=abc', headers=api_base.member_of(OWNER),
                  status=403)
        self.set_policy({'tasks_api_access': 'role:member',
                         'get_tasks': 'role:reader'})
        response = self.list(headers=api_base.member_of(OWNER), status=403)
        self.assertIn('get_tasks', response.text)
        self.list(headers=api_base.member_of(OWNER, 'member,reader'))

    def test_collection_methods(self):
        for method in ('PUT', 'DELETE', 'PATCH', 'HEAD'):
            response = self.app.request(self.prefix + '/tasks', method=method,
                                        headers=api_base.ADMIN, status=405)
            self.assertEqual('GET, POST', response.headers['Allow'])


class TestListTasks(ListTasksMixin, api_base.ApiTestCase):
    """List on SQLite."""
