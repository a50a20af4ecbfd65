"""task_api in a host service's paste pipeline, beside the host's own app.

The pipeline is real paste: a stand-in for the host's context middleware,
task_api's dispatch filter, and a stand-in host application that answers
with what it received. task_api serves from the test's database.
"""

import os

import fixtures
from paste import deploy
import sqlalchemy as sa
import webtest

from task_api import conf
from task_api.db.sqlalchemy import api as sqla_api
from task_api.db.sqlalchemy import timeouts
from task_api import policy
from task_api.tests import base
from task_api.tests import fixtures as task_fixtures

PASTE_INI = """\
[pipeline:main]
pipeline = host_context task_api host

[pipeline:keystone_headers]
pipeline = task_api host

[filter:host_context]
paste.filter_factory = %(host)s:context_filter_factory

[filter:task_api]
paste.filter_factory = task_api.plugin:filter_factory
config_file = task_api-plugin.conf
%(methods)s

[app:host]
paste.app_factory = %(host)s:app_factory
"""
HOST = 'task_api.tests.unit.plugin.host_app'

ADMIN = {'X-Roles': 'admin', 'X-Project-Id': 'admin-project',
         'X-User-Id': 'admin-user', 'X-Identity-Status': 'Confirmed'}
TASK_ID = '20840546-7c1e-4c1f-9b7e-2f8c0c6d8a11'
IMAGE_ID = 'bbbbbbbb-2222-4222-8222-bbbbbbbbbbbb'
CLIENT_ID = 'req-0f6d5b2e-8f49-4c55-9f0e-4f0a7c1b9d21'


class PluginTestCase(base.DbTestCase):
    """Requests through the host's pipeline with task_api's filter in it."""

    methods = None
    pipeline = 'main'
    host_policy = None

    def setUp(self):
        super().setUp()
        tmp = self.useFixture(fixtures.TempDir()).path
        with open(os.path.join(tmp, 'task_api-plugin.conf'), 'w') as stream:
            stream.write('[database]\nconnection = %s\n' % (
                sqla_api.get_engine().url.render_as_string(
                    hide_password=False)))
        with open(os.path.join(tmp, 'paste.ini'), 'w') as stream:
            stream.write(PASTE_INI % {
                'host': HOST, 'methods': 'methods = %s' % self.methods
                if self.methods else ''})
        # NOTE: the plugin makes its configuration the one task_api reads;
        # the test process's comes back afterwards.
        self.addCleanup(policy.reset)
        self.addCleanup(conf.use, conf.current())
        self.addCleanup(timeouts.use_wait_callback, True)
        if self.host_policy:
            # NOTE: the host's [oslo_policy] policy_file.
            self.set_policy(self.host_policy)
        application = deploy.loadapp('config:%s/paste.ini' % tmp,
                                     name=self.pipeline)
        policy.reset()
        self.app = webtest.TestApp(application)
        self.dbapi.task_create(self.admin_context, base.get_test_task(
            id=TASK_ID, image_id=IMAGE_ID, owner='admin-project',
            input={'import_from': 'http://user:secret@example.com/i.qcow2'}))

    def request(self, method, path, status=200, headers=None, **kw):
        response = self.app.request(path, method=method,
                                    headers=dict(ADMIN, **(headers or {})),
                                    expect_errors=True, **kw)
        self.assertEqual(status, response.status_int, response.text[:500])
        return response

    def create(self, path):
        """POST a task at ``path`` with the client's request id."""
        response = self.request(
            'POST', path, status=201,
            body=b'{"type": "api_image_import", "input": {"image_id": '
                 b'"x-image", "import_req": {}}}',
            headers={'Content-Type': 'application/json',
                     'X-Openstack-Request-Id': CLIENT_ID})
        self.assertEqual(CLIENT_ID, response.headers['X-Openstack-Request-Id'])
        return response

    def assertHost(self, response, method, path):
        self.assertEqual({'app': 'host', 'method': method, 'script_name': '',
                          'path_info': path,
                          'request_id': response.request.headers.get(
                              'X-Openstack-Request-Id')}, response.json)


class TestDispatch(PluginTestCase):

    def test_task_reads_go_to_task_api(self):
        for prefix in ('/v2', '/v2.1', '/v2.16'):
            listed = self.request('GET', prefix + '/tasks').json
            self.assertEqual([TASK_ID], [t['id'] for t in listed['tasks']])
            self.assertEqual('/v2/schemas/tasks', listed['schema'])
            shown = self.request('GET', prefix + '/tasks/' + TASK_ID)
            self.assertEqual(TASK_ID, shown.json['id'])
            self.assertRegex(shown.headers['ETag'], r'^"[0-9a-f]{32}"$')
            self.assertEqual('http://user:***@example.com/i.qcow2',
                             shown.json['input']['import_from'])
            self.request('GET', prefix + '/tasks/' + TASK_ID, status=304,
                         headers={'If-None-Match': shown.headers['ETag']})
            self.assertEqual('task', self.request(
                'GET', prefix + '/schemas/task').json['name'])
            self.assertEqual('tasks', self.request(
                'GET', prefix + '/schemas/tasks').json['name'])
            image_tasks = self.request(
                'GET', '%s/images/%s/tasks' % (prefix, IMAGE_ID)).json
            self.assertEqual([TASK_ID],
                             [t['id'] for t in image_tasks['tasks']])
            self.request('GET', prefix + '/tasks/unknown', status=404)

    def test_everything_else_goes_to_the_host(self):
        for method, path in (
                ('GET', '/v2/images'),
                ('GET', '/v2/images/%s' % IMAGE_ID),
                ('GET', '/v2/images/%s/tasks/x' % IMAGE_ID),
                ('GET', '/v2/schemas/image'),
                ('GET', '/v2/tasks/%s/extra' % TASK_ID),
                ('GET', '/v2/taskss'),
                ('GET', '/v3/tasks'),
                ('GET', '/versions'),
                ('POST', '/v2/tasks'),
                ('DELETE', '/v2/tasks/%s' % TASK_ID),
                ('PUT', '/v2/tasks/%s' % TASK_ID)):
            self.assertHost(self.request(method, path), method, path)

    def test_creates_stay_with_the_host_by_default(self):
        response = self.request(
            'POST', '/v2/tasks', body=b'{"type": "import"}',
            headers={'Content-Type': 'application/json'})
        self.assertHost(response, 'POST', '/v2/tasks')
        self.assertEqual(1, len(self.dbapi.task_get_all(
            self.admin_context)))


class TestCreatesToTaskApi(PluginTestCase):

    methods = 'GET HEAD POST'

    def test_task_api_creates_tasks(self):
        response = self.create('/v2.9/tasks')
        self.assertEqual('pending', response.json['status'])
        stored = self.dbapi.task_get(self.admin_context, response.json['id'])
        self.assertEqual(CLIENT_ID, stored['request_id'])
        self.assertEqual('admin-user', stored['user_id'])
        # Other methods still go to the host.
        self.assertHost(self.request('DELETE', '/v2/tasks/' + TASK_ID),
                        'DELETE', '/v2/tasks/' + TASK_ID)


class TestHostPolicy(PluginTestCase):
    """task_api enforces the host's policy file."""

    host_policy = {'tasks_api_access': 'role:auditor',
                   'get_task': 'role:auditor', 'get_tasks': 'role:auditor'}

    def test_the_hosts_rules_apply(self):
        self.request('GET', '/v2/tasks', status=403)
        listed = self.request('GET', '/v2/tasks', headers={
            'X-Roles': 'auditor', 'X-Project-Id': 'admin-project'}).json
        self.assertEqual([TASK_ID], [t['id'] for t in listed['tasks']])


class OnePoolMixin:
    """Inside the host, task_api keeps one pool of connections."""

    COUNT = None

    def connections(self):
        """The server's connections to the test's database, this one too."""
        with sqla_api.get_engine().connect() as connection:
            return connection.scalar(sa.text(self.COUNT))

    def test_reads_and_writes_share_one_connection(self):
        # NOTE: counted before and after rather than against 1: the test
        # database may be one an earlier test of this process used, whose
        # connections may not all be closed yet.
        before = self.connections()
        for _ in range(3):
            self.request('GET', '/v2/tasks')
            self.request('GET', '/v2/tasks/' + TASK_ID)
            self.request('GET', '/v2/images/%s/tasks' % IMAGE_ID)
        self.assertLessEqual(self.connections(), before)


class TestOnePoolPostgreSQL(OnePoolMixin, PluginTestCase):
    FIXTURE = task_fixtures.PostgreSQLDatabase
    COUNT = ('SELECT count(*) FROM pg_stat_activity '
             'WHERE datname = current_database()')


class TestOnePoolMySQL(OnePoolMixin, PluginTestCase):
    FIXTURE = task_fixtures.MySQLDatabase
    COUNT = ('SELECT count(*) FROM information_schema.processlist '
             'WHERE db = database()')


class TestDispatchPostgreSQL(TestDispatch):
    FIXTURE = task_fixtures.PostgreSQLDatabase


class TestDispatchMySQL(TestDispatch):
    FIXTURE = task_fixtures.MySQLDatabase


class TestRequestCoexistence(PluginTestCase):
    """task_api takes identity and request id from the host, replaces none."""

    def test_the_clients_request_id_survives(self):
        response = self.request('GET', '/v2/tasks/' + TASK_ID, headers={
            'X-Openstack-Request-Id': CLIENT_ID})
        self.assertEqual(CLIENT_ID, response.headers['X-Openstack-Request-Id'])
        self.assertEqual('true', response.headers['X-Host-Context-Intact'])

    def test_the_hosts_request_id_is_answered(self):
        response = self.request('GET', '/v2/tasks')
        self.assertRegex(response.headers['X-Openstack-Request-Id'],
                         r'^req-[0-9a-f-]{36}$')
        self.assertEqual(1, len(response.headers.getall(
            'X-Openstack-Request-Id')))
        self.assertEqual('true', response.headers['X-Host-Context-Intact'])

    def test_identity_comes_from_the_hosts_context(self):
        # As behind the host's unauthenticated pipeline: no identity status
        # from keystonemiddleware, only the host's context vouches.
        response = self.app.get('/v2/tasks', headers={
            'X-Roles': 'admin', 'X-Project-Id': 'p', 'X-User-Id': 'u'})
        self.assertEqual([TASK_ID], [t['id'] for t in response.json['tasks']])
        member = self.app.get('/v2/tasks', headers={
            'X-Roles': 'member', 'X-Project-Id': 'p', 'X-User-Id': 'u'},
            status=403)
        self.assertEqual('true', member.headers['X-Host-Context-Intact'])


class TestKeystoneHeaders(PluginTestCase):
    """Without a host context, keystonemiddleware's confirmed identity."""

    pipeline = 'keystone_headers'
    methods = 'GET HEAD POST'

    def test_confirmed_identity_and_the_clients_request_id(self):
        response = self.create('/v2/tasks')
        stored = self.dbapi.task_get(self.admin_context, response.json['id'])
        self.assertEqual((CLIENT_ID, 'admin-user', 'admin-project'),
                         (stored['request_id'], stored['user_id'],
                          stored['owner']))

    def test_unconfirmed_identity_is_refused(self):
        self.request('GET', '/v2/tasks', status=401,
                     headers={'X-Identity-Status': 'Invalid'})
