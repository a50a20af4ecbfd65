"""What the paste pipeline adds around the v2 application."""

import json

from keystonemiddleware import fixture as ksm_fixture
import webtest

from task_api.api import pipeline
from task_api.db.sqlalchemy import api as sqla_api
from task_api import exception
from task_api.tests import base
from task_api.tests.functional.api import base as pipeline_base
from task_api.tests import keystone
from task_api.tests.unit.api import base as api_base
from task_api.tests.unit.api import test_tasks

TASK_ID = test_tasks.TASK_ID
OWNER = test_tasks.OWNER


# NOTE: what Glance 33 lists without an image cache, newest first: no
# v2.14, v2.16 or v2.18, which stand for the cache API.
LISTED_MINORS = (17, 15, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0)


def versions_body(base_url):
    entries = [{'id': 'v2.%d' % minor,
                'status': 'CURRENT' if minor == 17 else 'SUPPORTED',
                'links': [{'rel': 'self', 'href': base_url + '/v2/'}]}
               for minor in LISTED_MINORS]
    return {'versions': entries}


class TestVersions(pipeline_base.PipelineTestCase):
    """The versions document and version prefixes."""

    def test_root_is_300_with_versions(self):
        response = self.app.get('/', status=300)
        self.assertEqual('application/json',
                         response.headers['Content-Type'])
        self.assertEqual(versions_body('http://localhost'), response.json)
        self.assertNotIn('x-openstack-request-id', response.headers)

    def test_versions_is_200(self):
        response = self.app.get('/versions', status=200)
        body = response.json
        self.assertEqual(versions_body('http://localhost'), body)
        current = [v['id'] for v in body['versions']
                   if v['status'] == 'CURRENT']
        self.assertEqual(['v2.17'], current)
        self.assertIn('v2.12', [v['id'] for v in body['versions']])

    def test_public_endpoint_is_the_base_of_links(self):
        self.config(public_endpoint='https://image.example.com:9292',
                    group='api')
        response = self.app.get('/versions')
        self.assertEqual(versions_body('https://image.example.com:9292'),
                         response.json)

    def test_request_host_and_script_name_are_the_base_of_links(self):
        response = self.app.get('/versions', extra_environ={
            'HTTP_HOST': 'glance.example.com:9292',
            'SCRIPT_NAME': '/image'})
        self.assertEqual(
            versions_body('http://glance.example.com:9292/image'),
            response.json)

    def test_minor_version_prefixes_route_to_v2(self):
        base.insert_task_rows(sqla_api.get_engine())
        for minor in LISTED_MINORS:
            response = self.app.get('/v2.%d/tasks/%s' % (minor, TASK_ID),
                                    headers=api_base.ADMIN)
            self.assertEqual(TASK_ID, response.json['id'])
            self.assertEqual('/v2/tasks/' + TASK_ID, response.json['self'])

    def test_unknown_versions_get_the_versions_document(self):
        for path in ('/v3/tasks', '/v2.18/tasks/' + TASK_ID, '/v1/images',
                     '/v2.14/tasks', '/v2.16/tasks/' + TASK_ID, '/v2.16',
                     '/v2.99', '/anything'):
            response = self.app.get(path, status=300)
            self.assertEqual(versions_body('http://localhost'),
                             response.json)

    def test_healthcheck(self):
        response = self.app.get('/healthcheck', status=200)
        self.assertEqual('OK\nOK', response.text)


class TestRequestId(pipeline_base.PipelineTestCase):
    """x-openstack-request-id on every response of /v2."""

    def setUp(self):
        super().setUp()
        base.insert_task_rows(sqla_api.get_engine())

    def test_generated_when_absent(self):
        first = self.get('/tasks/' + TASK_ID)
        second = self.get('/tasks/' + TASK_ID)
        for response in (first, second):
            self.assertRegex(response.headers['x-openstack-request-id'],
                             r'^req-[0-9a-f]{8}(-[0-9a-f]{4}){3}-'
                             r'[0-9a-f]{12}$')
        self.assertNotEqual(first.headers['x-openstack-request-id'],
                            second.headers['x-openstack-request-id'])

    def test_inbound_id_is_reused(self):
        for sent, echoed in (('abc', 'req-abc'), ('req-xyz', 'req-xyz'),
                             ('x' * 60, 'req-' + 'x' * 60),
                             ('req-' + 'x' * 60, 'req-' + 'x' * 60)):
            headers = dict(api_base.ADMIN,
                           **{'X-Openstack-Request-Id': sent})
            response = self.get('/tasks/' + TASK_ID, headers=headers)
            self.assertEqual(echoed,
                             response.headers['x-openstack-request-id'])

    def test_on_errors_too(self):
        headers = dict(api_base.ADMIN, **{'X-Openstack-Request-Id': 'e1'})
        for path, status in (('/tasks/nope', 404), ('/nothing', 404)):
            response = self.get(path, headers=headers, status=status)
            self.assertEqual('req-e1',
                             response.headers['x-openstack-request-id'])
        response = self.app.put('/v2/tasks/' + TASK_ID, headers=headers,
                                status=405)
        self.assertEqual('req-e1', response.headers['x-openstack-request-id'])

    def test_too_long_inbound_id_is_400(self):
        headers = dict(api_base.ADMIN,
                       **{'X-Openstack-Request-Id': 'x' * 65})
        response = self.get('/tasks/' + TASK_ID, headers=headers, status=400)
        self.assertEqual('400 Bad Request\n\nX-Openstack-Request-Id is longer '
                         'than 64 characters, counting the req- prefix.'
                         '\n\n   ', response.text)


class TestNoAuth(pipeline_base.PipelineTestCase):
    """Identity from headers; none at all acts as an administrator."""

    def setUp(self):
        super().setUp()
        base.insert_task_rows(sqla_api.get_engine(), owner='other-project')

    def test_no_identity_headers_is_admin(self):
        response = self.app.get('/v2/tasks/' + TASK_ID)
        self.assertEqual('other-project', response.json['owner'])

    def test_project_headers_scope_the_caller(self):
        self.set_policy({'tasks_api_access': 'role:member'})
        self.get('/tasks/' + TASK_ID, headers=api_base.member_of('mine'),
                 status=404)
        headers = api_base.member_of('other-project')
        self.assertEqual(TASK_ID, self.get('/tasks/' + TASK_ID,
                                           headers=headers).json['id'])

    def test_role_names_are_case_insensitive(self):
        self.get('/tasks/' + TASK_ID,
                 headers={'X-Roles': 'Admin', 'X-Project-Id': 'p'})

    def test_claimed_identity_status_is_irrelevant(self):
        headers = dict(api_base.member_of('p'),
                       **{'X-Identity-Status': 'Invalid'})
        self.get('/tasks/' + TASK_ID, headers=headers, status=403)


class TestUnconfiguredKeystone(api_base.ApiTestCase):
    """keystone mode before [keystone_authtoken] is filled in."""

    def test_pipeline_refuses_to_load(self):
        self.config(auth_mode='keystone', group='api')
        error = self.assertRaises(exception.ConfigInvalid, pipeline.load_app)
        self.assertEqual(
            'Invalid configuration: [api] auth_mode is keystone but '
            '[keystone_authtoken] does not set auth_type, auth_url, '
            'username, password, project_name: no request could be '
            'authenticated', str(error))

    def test_an_auth_plugin_alone_is_not_enough(self):
        self.useFixture(keystone.KeystoneAuthtoken(
            username=None, password=None))
        self.config(auth_mode='keystone', group='api')
        error = self.assertRaises(exception.ConfigInvalid, pipeline.load_app)
        self.assertIn('does not set username, password:', str(error))


class TestKeystone(api_base.ApiTestCase):
    """auth_token in front of the API, its tokens from a fixture."""

    def setUp(self):
        super().setUp()
        self.config(auth_mode='keystone', group='api')
        self.useFixture(keystone.KeystoneAuthtoken())
        tokens = self.useFixture(ksm_fixture.AuthTokenFixture())
        tokens.add_token_data(token_id='admin-token', user_id='u-admin',
                              project_id='p-admin', role_list=['admin'])
        tokens.add_token_data(token_id='member-token', user_id='u-member',
                              project_id=OWNER, role_list=['member'])
        self.app = webtest.TestApp(pipeline.load_app())
        base.insert_task_rows(sqla_api.get_engine())

    def test_no_token_is_401_with_www_authenticate(self):
        response = self.app.get('/v2/tasks/' + TASK_ID, status=401)
        self.assertEqual('Keystone uri="http://keystone.example/v3"',
                         response.headers['WWW-Authenticate'])

    def test_identity_headers_without_token_are_401(self):
        self.app.get('/v2/tasks/' + TASK_ID, headers=api_base.ADMIN,
                     status=401)

    def test_unknown_token_is_401(self):
        self.app.get('/v2/tasks/' + TASK_ID,
                     headers={'X-Auth-Token': 'forged'}, status=401)

    def test_admin_token_shows_task(self):
        response = self.app.get('/v2/tasks/' + TASK_ID,
                                headers={'X-Auth-Token': 'admin-token'})
        self.assertEqual(test_tasks.expected_body(updated_at=response.json[
            'updated_at'], created_at=response.json['created_at'],
            input=base.get_test_task()['input']), response.json)
        self.assertIn('x-openstack-request-id', response.headers)

    def test_member_token_is_403_by_default(self):
        self.app.get('/v2/tasks/' + TASK_ID,
                     headers={'X-Auth-Token': 'member-token'}, status=403)

    def test_member_token_with_opened_policy(self):
        self.set_policy({'tasks_api_access': 'role:member'})
        response = self.app.get('/v2/tasks/' + TASK_ID,
                                headers={'X-Auth-Token': 'member-token'})
        self.assertEqual(OWNER, response.json['owner'])

    def test_versions_need_no_token(self):
        response = self.app.get('/versions')
        self.assertEqual(json.loads(response.body),
                         versions_body('http://localhost'))
        self.app.get('/healthcheck', status=200)


class TestLocation(pipeline_base.PipelineTestCase):
    """The Location of a created task, however the API is reached."""

    def create(self, **environ):
        return self.app.post('/v2/tasks', json.dumps(
            {'type': 'location_import', 'input': {}}),
            headers=api_base.ADMIN, extra_environ=environ, status=201)

    def test_direct(self):
        response = self.create(HTTP_HOST='image.example.com:9292')
        self.assertEqual('http://image.example.com:9292/v2/tasks/'
                         + response.json['id'], response.headers['Location'])

    def test_under_a_sub_path(self):
        response = self.create(HTTP_HOST='cloud.example.com',
                               SCRIPT_NAME='/image')
        self.assertEqual('http://cloud.example.com/image/v2/tasks/'
                         + response.json['id'], response.headers['Location'])

    def test_through_a_minor_version_prefix(self):
        response = self.app.post('/v2.12/tasks', json.dumps(
            {'type': 'location_import', 'input': {}}),
            headers=api_base.ADMIN, status=201)
        self.assertEqual('http://localhost/v2/tasks/' + response.json['id'],
                         response.headers['Location'])

    def test_behind_a_proxy(self):
        self.config(enable_proxy_headers_parsing=True,
                    group='oslo_middleware')
        response = self.create(HTTP_X_FORWARDED_PROTO='https',
                               HTTP_X_FORWARDED_HOST='image.example.com',
                               HTTP_X_FORWARDED_PREFIX='/image')
        self.assertEqual('https://image.example.com/image/v2/tasks/'
                         + response.json['id'], response.headers['Location'])

    def test_proxy_headers_are_ignored_unless_enabled(self):
        # NOTE: a client could otherwise choose the links it is given.
        response = self.create(HTTP_HOST='image.example.com',
                               HTTP_X_FORWARDED_PROTO='https',
                               HTTP_X_FORWARDED_HOST='evil.example.com',
                               HTTP_X_FORWARDED_PREFIX='/evil')
        self.assertEqual('http://image.example.com/v2/tasks/'
                         + response.json['id'], response.headers['Location'])


class TestCors(pipeline_base.PipelineTestCase):
    """Cross-origin requests from the origins of [cors] allowed_origin."""

    ORIGIN = 'https://dashboard.example.com'

    def setUp(self):
        super().setUp()
        base.insert_task_rows(sqla_api.get_engine())
        self.config(allowed_origin=[self.ORIGIN], group='cors')
        # NOTE: CORS reads its options when the pipeline is built.
        self.app = webtest.TestApp(pipeline.load_app(),
                                   extra_environ=self.environ)

    def test_allowed_origin(self):
        response = self.get('/tasks/' + TASK_ID,
                            headers=dict(api_base.ADMIN, Origin=self.ORIGIN))
        self.assertEqual(self.ORIGIN,
                         response.headers['Access-Control-Allow-Origin'])
        self.assertEqual('Origin', response.headers['Vary'])
        self.assertEqual('X-Openstack-Request-Id,ETag,Location',
                         response.headers['Access-Control-Expose-Headers'])
        self.assertEqual(TASK_ID, response.json['id'])

    def test_other_origin_gets_no_cors_headers(self):
        # NOTE: and in noauth mode, no answer (see test_noauth).
        response = self.get('/tasks/' + TASK_ID, headers=dict(
            api_base.ADMIN, Origin='https://elsewhere.example.com'),
            status=403)
        self.assertNotIn('Access-Control-Allow-Origin', response.headers)
        self.assertNotIn('Vary', response.headers)

    def test_same_origin_request_is_untouched(self):
        response = self.get('/tasks/' + TASK_ID)
        self.assertEqual([], [name for name in response.headers
                              if name.startswith('Access-Control')])
        self.assertNotIn('Vary', response.headers)

    def test_errors_carry_cors_headers(self):
        response = self.get('/tasks/nope', status=404,
                            headers=dict(api_base.ADMIN, Origin=self.ORIGIN))
        self.assertEqual(self.ORIGIN,
                         response.headers['Access-Control-Allow-Origin'])

    def test_preflight(self):
        response = self.app.options('/v2/tasks', headers={
            'Origin': self.ORIGIN,
            'Access-Control-Request-Method': 'POST',
            'Access-Control-Request-Headers': 'Content-Type,X-Auth-Token'})
        self.assertEqual(200, response.status_int)
        self.assertEqual(self.ORIGIN,
                         response.headers['Access-Control-Allow-Origin'])
        self.assertEqual('POST',
                         response.headers['Access-Control-Allow-Methods'])
        self.assertEqual('Content-Type,X-Auth-Token',
                         response.headers['Access-Control-Allow-Headers'])

    def test_preflight_of_a_method_not_allowed(self):
        response = self.app.options('/v2/tasks', headers={
            'Origin': self.ORIGIN,
            'Access-Control-Request-Method': 'PATCH'})
        self.assertEqual(200, response.status_int)
        self.assertNotIn('Access-Control-Allow-Origin', response.headers)
