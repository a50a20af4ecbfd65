"""Tests of POST /v2/tasks."""

import json

import jsonschema

import sqlalchemy as sa

from task_api.db.sqlalchemy import api as sqla_api
from task_api.tests.unit.api import base as api_base

PROJECT = 'aaaaaaaa-1111-4111-8111-aaaaaaaaaaaa'
CALLER = {'X-Roles': 'admin', 'X-Project-Id': PROJECT, 'X-User-Id': 'u-1'}
PUBLIC_URL = 'http://8.8.8.8/images/cirros.qcow2'
ISO_RE = r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$'
UUID_RE = r'^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-' \
          r'[0-9a-f]{12}$'


class CreateTaskMixin:
    """POST /v2/tasks; mixed in per backend."""

    def post(self, body, status=None, headers=None, content_type=None):
        if not isinstance(body, bytes):
            body = json.dumps(body).encode('utf-8')
        headers = dict(headers or CALLER)
        if content_type:
            headers['Content-Type'] = content_type
        # NOTE: WebTest checks no status once errors are expected.
        response = self.app.post(self.prefix + '/tasks', body,
                                 headers=headers, expect_errors=True)
        if status is not None:
            self.assertEqual(status, response.status_int,
                             response.text[:1000])
        return response

    def rows(self):
        with sqla_api.get_engine().connect() as connection:
            tasks = connection.execute(sa.text(
                'SELECT id, type, status, owner, expires_at, deleted, '
                'image_id, request_id, user_id FROM tasks')).all()
            info = connection.execute(sa.text(
                'SELECT task_id, input, result, message FROM task_info')).all()
        return tasks, info

    def assertRefused(self, body, message, status=400, **kw):
        response = self.post(body, status=status, **kw)
        self.assertEqual('%d %s\n\n%s\n\n   ' % (
            status, response.status.split(' ', 1)[1], message),
            response.text)
        self.assertEqual(([], []), self.rows())
        return response

    def test_created_task(self):
        task_input = {'import_from': PUBLIC_URL, 'import_from_format':
                      'qcow2', 'image_properties': {'name': 'cirros ✓'}}
        response = self.post({'type': 'import', 'input': task_input},
                             status=201,
                             content_type='application/json')
        body = response.json
        task_id = body['id']
        self.assertRegex(task_id, UUID_RE)
        self.assertRegex(body['created_at'], ISO_RE)
        self.assertEqual(body['created_at'], body['updated_at'])
        request_id = body['request_id']
        self.assertTrue(request_id.startswith('req-'))
        self.assertEqual({
            'id': task_id, 'input': task_input, 'type': 'import',
            'status': 'pending', 'owner': PROJECT, 'message': '',
            'result': None, 'created_at': body['created_at'],
            'updated_at': body['updated_at'],
            'self': '/v2/tasks/' + task_id, 'schema': '/v2/schemas/task',
            'request_id': request_id, 'user_id': 'u-1'}, body)
        self.assertEqual(list(body), [
            'id', 'input', 'type', 'status', 'owner', 'message', 'result',
            'created_at', 'updated_at', 'self', 'schema', 'request_id',
            'user_id'])
        self.assertEqual('http://localhost/v2/tasks/' + task_id,
                         response.headers['Location'])
        tasks, info = self.rows()
        self.assertEqual([(task_id, 'import', 'pending', PROJECT, None,
                           False, None, request_id, 'u-1')],
                         [tuple(row) for row in tasks])
        self.assertEqual(task_id, info[0].task_id)
        self.assertEqual(task_input, json.loads(info[0].input))
        self.assertIsNone(info[0].result)
        self.assertEqual('', info[0].message)
        shown = self.get('/tasks/' + task_id, headers=CALLER).json
        self.assertEqual(body, shown)

    def test_server_assigns_what_the_body_claims(self):
        response = self.post({
            'type': 'api_image_import',
            'input': {'image_id': 'x-image', 'import_req': {}},
            'id': '11111111-1111-4111-8111-111111111111',
            'status': 'success', 'owner': 'someone-else',
            'message': 'fake', 'result': {'a': 1},
            'expires_at': '2030-01-01T00:00:00Z', 'self': '/x',
            'schema': '/y', 'user_id': 'u-9', 'request_id': 'req-9'},
            status=201, content_type='text/plain')
        body = response.json
        self.assertNotEqual('11111111-1111-4111-8111-111111111111',
                            body['id'])
        self.assertEqual(('pending', PROJECT, '', None, 'x-image', 'u-1'),
                         (body['status'], body['owner'], body['message'],
                          body['result'], body['image_id'],
                          body['user_id']))
        self.assertNotIn('expires_at', body)

    def test_any_content_type_and_none(self):
        body = json.dumps({'type': 'location_import', 'input': {}}).encode()
        for content_type in ('application/octet-stream', None):
            self.post(body, status=201, content_type=content_type)

    def test_request_id_of_the_creating_request_is_stored(self):
        headers = dict(CALLER, **{'X-Openstack-Request-Id': 'req-create-1'})
        response = self.post({'type': 'location_import', 'input': {}},
                             status=201, headers=headers)
        if self.prefix:
            self.assertEqual('req-create-1', response.json['request_id'])

    def test_body_errors_in_order(self):
        cases = [
            (b'', 'Body expected in request.'),
            (b'{"type": ', 'Malformed JSON in request body.'),
            (b'\xff\xfe', 'Malformed JSON in request body.'),
            (b'{"type": "import", "input": {"a": NaN}}',
             'Malformed JSON in request body.'),
            (b'[' * 100000, 'The JSON document in the request body is '
             'nested deeper than 32 levels of arrays and objects.'),
            (b'"abc"', 'Unexpected body type. Expected list/dict.'),
            (b'42', 'Unexpected body type. Expected list/dict.'),
            (b'["type", "input"]', "Task 'type' is required"),
            (b'{"input": {}}', "Task 'type' is required"),
            (b'{"type": "import"}', "Task 'input' is required"),
            (b'{"type": "api_image_import", "input": null}',
             "Task 'input' must be an object for api_image_import tasks"),
            (b'{"type": "location_import", "input": null}',
             "Task 'input' must be an object for location_import tasks"),
        ]
        for body, message in cases:
            self.assertRefused(body, message)

    def test_schema_validation_messages(self):
        for body, start in (
                ({'type': 'import', 'input': {}, 'task_input': {}},
                 "Provided object does not match schema 'task': Additional "
                 "properties are not allowed ('task_input' was unexpected)"),
                ({'type': 'nope', 'input': {}},
                 "Provided object does not match schema 'task': 'nope' is "
                 "not one of ['import', 'api_image_import', "
                 "'location_import']"),
                ({'type': 'import', 'input': 'x'},
                 "Provided object does not match schema 'task': 'x' is not "
                 "of type 'null', 'object'"),
                ({'type': 'import', 'input': {}, 'status': 'done'},
                 "Provided object does not match schema 'task': 'done' is "
                 "not one of ['pending', 'processing', 'success', "
                 "'failure']"),
                ({'type': 'import', 'input': {}, 'id': 'x'},
                 "Provided object does not match schema 'task': 'x' does "
                 "not match")):
            response = self.post(body, status=400)
            self.assertIn('\n\n' + start, response.text)
        self.assertEqual(([], []), self.rows())

    def test_import_uri_checks(self):
        cases = [
            ({}, 'Invalid location: None'),
            (None, 'Invalid location: None'),
            ({'import_from': ''}, 'Invalid location: None'),
            ({'import_from': 7}, 'Invalid location: 7'),
            ({'import_from': 'file:///etc/passwd'},
             'File based imports are not allowed. Please use a non-local '
             'source of image data.'),
            ({'import_from': 'filesystem:///var/lib/x'},
             'File based imports are not allowed. Please use a non-local '
             'source of image data.'),
            ({'import_from': 'swift://container/object'},
             "The given uri is not valid. Please specify a valid uri from "
             "the following list of supported uri ['http']"),
            ({'import_from': 'container/object'},
             "The given uri is not valid. Please specify a valid uri from "
             "the following list of supported uri ['http']"),
        ]
        filtered = ('http://127.0.0.1/x', 'http://localhost/x',
                    'http://[::1]/x', 'http://169.254.169.254/latest',
                    'http://10.1.2.3/x', 'http://192.168.0.1/x',
                    'http://0.0.0.0/x', 'http://2130706433/x',
                    'http://8.8.8.8:8080/x', 'http://8.8.8.8:99999/x',
                    'http://no-such-host.invalid/x', 'http:///x',
                    'http://[::ffff:127.0.0.1]/x')
        for uri in filtered:
            message = 'URI for legacy import task does not pass filtering: '
            cases.append(({'import_from': uri}, message + uri))
        cases.append(({'import_from': 'http://joe:pw@127.0.0.1/x'},
                      'URI for legacy import task does not pass filtering: '
                      'http://joe:***@127.0.0.1/x'))
        for task_input, message in cases:
            self.assertRefused({'type': 'import', 'input': task_input},
                               message)

    def test_import_filtering_options(self):
        self.config(allowed_hosts=['127.0.0.1'], allowed_ports=[8080],
                    group='import_filtering_opts')
        self.post({'type': 'import', 'input': {
            'import_from': 'http://127.0.0.1:8080/x'}}, status=201)
        self.post({'type': 'import', 'input': {
            'import_from': 'http://8.8.8.8:8080/x'}}, status=400)
        self.config(allowed_hosts=[], disallowed_hosts=['8.8.4.4'],
                    allowed_ports=[], disallowed_ports=[8443],
                    allowed_schemes=[], disallowed_schemes=['http'],
                    group='import_filtering_opts')
        for uri, status in (('https://8.8.8.8:9999/x', 201),
                            ('https://8.8.4.4/x', 400),
                            ('https://8.8.8.8:8443/x', 400),
                            ('http://8.8.8.8/x', 400)):
            self.post({'type': 'import', 'input': {'import_from': uri}},
                      status=status)

    def test_values_longer_than_their_columns_are_400(self):
        self.assertRefused({'type': 'api_image_import',
                            'input': {'image_id': 'i' * 37}},
                           'input.image_id is longer than 36 characters.')
        self.assertRefused({'type': 'location_import', 'input': {}},
                           'The user id of the caller is longer than 64 '
                           'characters.',
                           headers=dict(CALLER, **{'X-User-Id': 'u' * 65}))
        self.assertRefused({'type': 'location_import', 'input': {}},
                           'The project id of the caller is longer than 255 '
                           'characters.',
                           headers=dict(CALLER, **{'X-Project-Id': 'p' * 256}))
        self.post({'type': 'api_image_import',
                   'input': {'image_id': 'i' * 36}}, status=201,
                  headers=dict(CALLER, **{'X-User-Id': 'u' * 64}))

    def test_too_large_body_is_413(self):
        self.config(max_request_body_size=100, group='api')
        self.assertRefused({'type': 'location_import',
                            'input': {'pad': 'x' * 200}},
                           'The request body is larger than 100 bytes.',
                           status=413)

    def test_caller_without_project_is_refused(self):
        self.assertRefused({'type': 'location_import', 'input': {}},
                           'A task belongs to a project, and the caller has '
                           'none: use a project-scoped token.',
                           headers={'X-Roles': 'admin', 'X-User-Id': 'u'})

    def test_policy_comes_before_the_body(self):
        self.assertRefused(b'', 'You are not authorized to complete '
                           'tasks_api_access action.', status=403,
                           headers=api_base.member_of(PROJECT))
        self.set_policy({'tasks_api_access': 'role:member',
                         'add_task': 'role:creator'})
        self.assertRefused({'type': 'location_import', 'input': {}},
                           'You are not authorized to complete add_task '
                           'action.', status=403,
                           headers=api_base.member_of(PROJECT))
        response = self.post({'type': 'location_import', 'input': {}},
                             status=201, headers=api_base.member_of(
                                 PROJECT, 'member,creator'))
        self.assertEqual(PROJECT, response.json['owner'])


class TestCreateTask(CreateTaskMixin, api_base.ApiTestCase):
    """Create on SQLite."""


class TestSchemas(api_base.ApiTestCase):
    """The schema documents, byte for byte."""

    def assertDocument(self, path, name):
        response = self.get(path)
        self.assertEqual('application/json',
                         response.headers['Content-Type'])
        expected = api_base.read_data(name)
        self.assertEqual(expected, response.body)

    def test_task_schema(self):
        self.assertDocument('/schemas/task', 'schema-task.json')

    def test_tasks_schema(self):
        self.assertDocument('/schemas/tasks', 'schema-tasks.json')

    def test_image_schema_for_the_glance_cli(self):
        schema = json.loads(self.get('/schemas/image').body)
        self.assertEqual('image', schema['name'])
        jsonschema.Draft4Validator.check_schema(schema)
        jsonschema.validate({'id': '39bb149a-5c1e-4b1f-9a7e-1f8c0c6d8a22',
                             'name': 'cirros'}, schema)

    def test_non_admins_may_read_them(self):
        self.get('/schemas/task', headers=api_base.member_of('p'))

    def test_other_methods_are_405(self):
        for path in ('/schemas/task', '/schemas/tasks'):
            for method in ('POST', 'PUT', 'DELETE', 'PATCH'):
                response = self.app.request(
                    self.prefix + path, method=method,
                    headers=api_base.ADMIN, status=405)
                self.assertEqual('GET', response.headers['Allow'])
        self.get('/schemas/images', status=404)
        self.get('/schemas/metadefs/namespace', status=404)

    def test_schema_validates_what_show_answers(self):
        schema = json.loads(self.get('/schemas/task').body)
        task = self.post_task()
        jsonschema.validate(task, schema)

    def post_task(self):
        body = json.dumps({'type': 'location_import', 'input': {}})
        return self.app.post(self.prefix + '/tasks', body,
                             headers=CALLER).json
