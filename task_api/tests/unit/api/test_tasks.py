"""Tests of GET /v2/tasks/{task_id} and the other methods of a task URL."""

import datetime

import sqlalchemy as sa

from task_api.db.sqlalchemy import api as sqla_api
from task_api.tests import base
from task_api.tests import fixtures as task_fixtures
from task_api.tests.unit.api import base as api_base

OWNER = 'aaaaaaaa-1111-4111-8111-aaaaaaaaaaaa'
OTHER = 'bbbbbbbb-2222-4222-8222-bbbbbbbbbbbb'
TASK_ID = '20840546-7c1e-4c1f-9b7e-2f8c0c6d8a11'
IMAGE_ID = '39bb149a-aaaa-4b1f-9a7e-1f8c0c6d8a22'
MISSING = '00000000-0000-4000-8000-000000000000'
CREATED = datetime.datetime(2026, 11, 29, 4, 28, 35, 123456)
UPDATED = datetime.datetime(2026, 11, 29, 4, 28, 36, 999999)
EXPIRES = datetime.datetime(2026, 12, 1, 4, 28, 36, 999999)
INPUT = {'import_from': 'http://example.com/image.qcow2',
         'import_from_format': 'qcow2',
         'image_properties': {'name': 'cirros'}}


def expected_body(**kw):
    """The body the Image API answers for the default test task.

    The optional keys come last, in their order, and only when given a
    value; pass None to leave one out.
    """
    optional = {'image_id': None,
                'request_id': 'req-11111111-2222-4333-8444-555555555555',
                'user_id': 'u1',
                'expires_at': None}
    for key in optional:
        if key in kw:
            optional[key] = kw.pop(key)
    body = {
        'id': TASK_ID,
        'input': INPUT,
        'type': 'import',
        'status': 'pending',
        'owner': OWNER,
        'message': '',
        'result': None,
        'created_at': '2026-11-29T04:28:35Z',
        'updated_at': '2026-11-29T04:28:36Z',
        'self': '/v2/tasks/' + TASK_ID,
        'schema': '/v2/schemas/task',
    }
    body.update(kw)
    body.update((key, value) for key, value in optional.items()
                if value is not None)
    return body


class ShowTaskMixin:
    """GET /v2/tasks/{id} of rows written straight into the tables.

    Mixed into test cases of each database backend.
    """

    def insert(self, **kw):
        kw.setdefault('created_at', CREATED)
        kw.setdefault('updated_at', UPDATED)
        kw.setdefault('input', INPUT)
        return base.insert_task_rows(sqla_api.get_engine(), **kw)

    def assertShows(self, expected, task_id=TASK_ID, headers=None):
        response = self.get('/tasks/' + task_id, headers=headers)
        self.assertEqual(200, response.status_int)
        self.assertEqual('application/json', response.headers['Content-Type'])
        self.assertEqual(expected, response.json)
        # Key order is part of what clients and people see.
        self.assertEqual(list(expected), list(response.json))
        return response

    def test_pending_task(self):
        self.insert()
        self.assertShows(expected_body())

    def test_processing_task_with_image_id(self):
        self.insert(status='processing', type='api_image_import',
                    image_id='39bb149a-5c1e-4b1f-9a7e-1f8c0c6d8a22',
                    input={'image_id': '39bb149a-5c1e-4b1f-9a7e-1f8c0c6d8a22',
                           'import_req': {'method': {
                               'name': 'web-download'}}},
                    message='Copied 1 MiB')
        self.assertShows(expected_body(
            type='api_image_import', status='processing',
            input={'image_id': '39bb149a-5c1e-4b1f-9a7e-1f8c0c6d8a22',
                   'import_req': {'method': {'name': 'web-download'}}},
            message='Copied 1 MiB',
            image_id='39bb149a-5c1e-4b1f-9a7e-1f8c0c6d8a22'))

    def test_successful_task_has_result_and_expiry(self):
        self.insert(status='success', expires_at=EXPIRES,
                    result={'image_id': IMAGE_ID})
        self.assertShows(expected_body(
            status='success',
            result={'image_id': IMAGE_ID},
            expires_at='2026-12-01T04:28:36Z'))

    def test_failed_task_has_message(self):
        self.insert(status='failure', expires_at=EXPIRES,
                    message='Task failed due to Internal Error')
        self.assertShows(expected_body(
            status='failure', message='Task failed due to Internal Error',
            expires_at='2026-12-01T04:28:36Z'))

    def test_expired_task_is_still_shown(self):
        expired = datetime.datetime(2020, 1, 1, 0, 0, 0)
        self.insert(status='success', expires_at=expired, result={})
        self.assertShows(expected_body(status='success', result={},
                                       expires_at='2020-01-01T00:00:00Z'))

    def test_null_message_input_and_optional_columns(self):
        self.insert(message=None, input=None, request_id=None, user_id=None,
                    image_id='')
        self.assertShows(expected_body(input=None, request_id=None,
                                       user_id=None))

    def test_task_without_task_info_row(self):
        self.insert()
        with sqla_api.get_engine().begin() as connection:
            connection.execute(sa.text('DELETE FROM task_info'))
        self.assertShows(expected_body(input=None))

    def test_null_updated_at_shows_creation_time(self):
        self.insert(updated_at=None)
        self.assertShows(expected_body(updated_at='2026-11-29T04:28:35Z'))

    def test_non_ascii_input_is_written_as_utf8(self):
        self.insert(input={'name': 'Bild für Ärzte ✓'})
        response = self.assertShows(expected_body(
            input={'name': 'Bild für Ärzte ✓'}))
        self.assertIn('"Bild für Ärzte ✓"'.encode('utf-8'), response.body)

    def test_url_passwords_in_input_are_masked(self):
        stored = {'import_from': 'https://alice:s3cr%40t@example.com/x.img',
                  'mirrors': ['ftp://bob:hunter2@mirror.example/x',
                              {'deep': 'see http://carol:pw@h:8080/p?q=1'}],
                  'user_only': 'http://dave@example.com/x',
                  'count': 3}
        self.insert(input=stored)
        self.assertShows(expected_body(input={
            'import_from': 'https://alice:***@example.com/x.img',
            'mirrors': ['ftp://bob:***@mirror.example/x',
                        {'deep': 'see http://carol:***@h:8080/p?q=1'}],
            # NOTE: a lone user part may be a token.
            'user_only': 'http://***@example.com/x',
            'count': 3}))
        # Storage keeps what the executor needs.
        stored_input = self.dbapi.task_get(self.admin_context,
                                           TASK_ID)['input']
        self.assertEqual(stored, stored_input)

    def test_owner_sees_own_task(self):
        self.set_policy({'tasks_api_access': 'role:member'})
        self.insert()
        self.assertShows(expected_body(),
                         headers=api_base.member_of(OWNER))

    def test_other_project_task_is_404_for_non_admin(self):
        self.set_policy({'tasks_api_access': 'role:member'})
        self.insert(owner=OTHER)
        response = self.get('/tasks/' + TASK_ID,
                            headers=api_base.member_of(OWNER), status=404)
        self.assertIn('Could not find task ' + TASK_ID, response.text)

    def test_admin_sees_other_project_task(self):
        self.insert(owner=OTHER)
        self.assertShows(expected_body(owner=OTHER),
                         headers=api_base.member_of(OWNER, roles='admin'))

    def test_soft_deleted_task_is_shown_to_admin_only(self):
        self.set_policy({'tasks_api_access': 'role:member or role:admin'})
        self.insert(deleted=True, deleted_at=UPDATED)
        self.assertShows(expected_body())
        self.get('/tasks/' + TASK_ID, headers=api_base.member_of(OWNER),
                 status=404)

    def test_non_admin_is_forbidden_by_default(self):
        self.insert()
        response = self.get('/tasks/' + TASK_ID,
                            headers=api_base.member_of(OWNER), status=403)
        self.assertEqual(
            '403 Forbidden\n\nYou are not authorized to complete '
            'tasks_api_access action.\n\n   ', response.text)

    def test_get_task_rule_is_enforced(self):
        self.set_policy({'tasks_api_access': 'role:member',
                         'get_task': 'role:reader'})
        self.insert()
        response = self.get('/tasks/' + TASK_ID,
                            headers=api_base.member_of(OWNER), status=403)
        self.assertIn('You are not authorized to complete get_task action.',
                      response.text)
        self.assertShows(expected_body(),
                         headers=api_base.member_of(OWNER, 'member,reader'))

    def test_glance_style_rules_open_the_api_to_project_members(self):
        # A policy file written for Glance, loaded unchanged.
        self.set_policy({
            'context_is_admin': 'role:admin',
            'default': 'role:admin',
            'tasks_api_access': 'role:admin or role:member',
            'get_task': '',
            'get_tasks': '',
            'add_task': '',
            'modify_task': '',
            'get_image': 'role:admin or project_id:%(project_id)s'})
        self.insert()
        self.assertShows(expected_body(),
                         headers=api_base.member_of(OWNER, 'Member'))

    def test_etag_and_conditional_get(self):
        self.insert()
        first = self.assertShows(expected_body())
        etag = first.headers['ETag']
        self.assertRegex(etag, r'^"[0-9a-f]{32}"$')
        self.assertEqual('no-cache', first.headers['Cache-Control'])
        for condition in (etag, 'W/' + etag, '"other", ' + etag, '*'):
            headers = dict(api_base.ADMIN, **{'If-None-Match': condition})
            response = self.get('/tasks/' + TASK_ID, headers=headers,
                                status=304)
            self.assertEqual(b'', response.body)
            self.assertEqual(etag, response.headers['ETag'])
            self.assertNotIn('Content-Type', response.headers)
        headers = dict(api_base.ADMIN, **{'If-None-Match': '"other"'})
        self.assertShows(expected_body(), headers=headers)

    def test_etag_changes_with_the_task(self):
        self.insert()
        before = self.assertShows(expected_body()).headers['ETag']
        with sqla_api.get_engine().begin() as connection:
            connection.execute(sa.text(
                "UPDATE tasks SET status = 'processing'"))
        headers = dict(api_base.ADMIN, **{'If-None-Match': before})
        after = self.assertShows(expected_body(status='processing'),
                                 headers=headers)
        self.assertNotEqual(before, after.headers['ETag'])


class TestShowTask(ShowTaskMixin, api_base.ApiTestCase):
    """Show on SQLite."""


class TaskErrorsMixin:
    """The error responses of a task URL."""

    def test_missing_task_returns_404_as_json(self):
        headers = dict(api_base.ADMIN, Accept='application/json')
        response = self.get('/tasks/' + MISSING, headers=headers, status=404)
        self.assertEqual('application/json', response.content_type)
        self.assertEqual({
            'message': 'Could not find task %s<br /><br />\n\n\n' % MISSING,
            'code': '404 Not Found', 'title': 'Not Found'}, response.json)

    def test_missing_task_returns_404_as_plain_text(self):
        response = self.get('/tasks/' + MISSING, status=404)
        self.assertEqual('text/plain; charset=UTF-8',
                         response.headers['Content-Type'])
        self.assertEqual('404 Not Found\n\nCould not find task %s\n\n   '
                         % MISSING, response.text)

    def test_missing_task_returns_404_as_html(self):
        for accept in ('text/html', '*/*'):
            headers = dict(api_base.ADMIN, Accept=accept)
            response = self.get('/tasks/' + MISSING, headers=headers,
                                status=404)
            self.assertEqual('text/html; charset=UTF-8',
                             response.headers['Content-Type'])
            self.assertEqual(
                '<html>\n <head>\n  <title>404 Not Found</title>\n '
                '</head>\n <body>\n  <h1>404 Not Found</h1>\n  '
                'Could not find task %s<br /><br />\n\n\n\n </body>\n'
                '</html>' % MISSING, response.text)

    def test_non_uuid_ids_are_404(self):
        for task_id, shown in (('not-a-uuid', 'not-a-uuid'),
                               ('x' * 300, 'x' * 300),
                               (TASK_ID + '.json', TASK_ID + '.json'),
                               ('a%00b', 'a\x00b')):
            response = self.get('/tasks/' + task_id, status=404)
            self.assertEqual('404 Not Found\n\nCould not find task %s\n\n   '
                             % shown, response.text)

    def test_extension_is_not_stripped(self):
        base.insert_task_rows(sqla_api.get_engine())
        self.get('/tasks/%s.json' % TASK_ID, status=404)

    def test_trailing_slashes_are_404(self):
        base.insert_task_rows(sqla_api.get_engine())
        for path in ('/tasks/%s/' % TASK_ID, '/tasks/', '/tasks/%s/x'
                     % TASK_ID, '/nothing'):
            response = self.get(path, status=404)
            self.assertEqual('404 Not Found\n\nThe resource could not be '
                             'found.\n\n   ', response.text)

    def test_undecodable_id_is_400(self):
        # NOTE: WebTest itself cannot decode such a path under a
        # SCRIPT_NAME, so this request names none.
        self.app.get(self.prefix + '/tasks/%FF', headers=api_base.ADMIN,
                     extra_environ={'SCRIPT_NAME': ''}, status=400)

    def test_delete_is_405_allow_get_whether_or_not_task_exists(self):
        base.insert_task_rows(sqla_api.get_engine())
        for task_id in (TASK_ID, MISSING):
            response = self.app.delete(self.prefix + '/tasks/' + task_id,
                                       headers=api_base.ADMIN, status=405)
            self.assertEqual('GET', response.headers['Allow'])
            self.assertEqual(
                'This operation is currently not permitted on tasks. They '
                'are deleted automatically once their expires_at time has '
                'passed.', response.text)
        self.get('/tasks/' + TASK_ID)

    def test_delete_by_non_admin_is_403(self):
        response = self.app.delete(self.prefix + '/tasks/' + TASK_ID,
                                   headers=api_base.member_of(OWNER),
                                   status=403)
        self.assertNotIn('Allow', response.headers)

    def test_other_methods_are_405(self):
        for method in ('PUT', 'POST', 'PATCH', 'HEAD'):
            response = self.app.request(
                self.prefix + '/tasks/' + TASK_ID, method=method,
                headers=api_base.ADMIN, status=405)
            self.assertEqual('GET, DELETE', response.headers['Allow'])
        response = self.app.put(self.prefix + '/tasks/' + TASK_ID,
                                headers=api_base.ADMIN, status=405)
        self.assertEqual('405 Method Not Allowed\n\nThe method PUT is not '
                         'allowed for this resource. \n\n ', response.text)

    def test_method_override_parameter_is_ignored(self):
        base.insert_task_rows(sqla_api.get_engine())
        response = self.get('/tasks/%s?_method=DELETE' % TASK_ID)
        self.assertEqual(TASK_ID, response.json['id'])

    def test_database_unavailable_is_503(self):
        self.useFixture(task_fixtures.UnreachableDatabase())
        headers = dict(api_base.ADMIN, Accept='application/json')
        response = self.get('/tasks/' + TASK_ID, headers=headers,
                            status=503)
        self.assertEqual('5', response.headers['Retry-After'])
        self.assertEqual({
            'message': 'The task database is unavailable at the moment; '
                       'try again later.<br /><br />\n\n\n',
            'code': '503 Service Unavailable',
            'title': 'Service Unavailable'}, response.json)


class TestTaskErrors(TaskErrorsMixin, api_base.ApiTestCase):
    """Errors on SQLite."""
