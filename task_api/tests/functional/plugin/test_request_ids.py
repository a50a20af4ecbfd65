"""Request ids of task_api inside a host's pipeline.

The host here behaves as glance-api's context middleware does: its
context's request id is the client's X-Openstack-Request-Id as sent (a new
``req-<uuid>`` without one), and its response answers that id, ``req-``
prefixed when it lacks it. task_api takes the host's id, records the id the
host answers with the tasks it creates, and changes nothing the host set.
"""

import fixtures
from oslo_context import context
from oslo_utils import uuidutils
import webob

from task_api.tests import fixtures as task_fixtures
from task_api.tests.functional.plugin import test_dispatch
from task_api.tests.unit.plugin import host_app

app_factory = host_app.app_factory


class GlanceLikeContext:
    """glance-api's context middleware, as far as request ids go."""

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        roles = [role.strip() for role in
                 environ.get('HTTP_X_ROLES', '').split(',') if role.strip()]
        ctx = context.RequestContext(
            user_id=environ.get('HTTP_X_USER_ID'),
            project_id=environ.get('HTTP_X_PROJECT_ID'), roles=roles,
            is_admin='admin' in roles,
            request_id=environ.get('HTTP_X_OPENSTACK_REQUEST_ID'))
        webob.Request(environ).context = ctx
        request_id = ctx.request_id

        def _start_response(status, headers, exc_info=None):
            intact = (webob.Request(environ).context is ctx
                      and ctx.request_id == request_id
                      and context.get_current() is ctx)
            answered = (request_id if request_id.startswith('req-')
                        else 'req-' + request_id)
            headers = [(name, value) for name, value in headers
                       if name.lower() != 'x-openstack-request-id']
            headers += [('x-openstack-request-id', answered),
                        ('X-Host-Context-Intact', str(intact).lower())]
            return start_response(status, headers, exc_info)

        return self.application(environ, _start_response)


def context_filter_factory(global_conf, **local_conf):
    return GlanceLikeContext


class TestInAGlanceLikeHost(test_dispatch.PluginTestCase):

    methods = 'GET HEAD POST'

    def setUp(self):
        self.useFixture(fixtures.MonkeyPatch(
            'task_api.tests.functional.plugin.test_dispatch.HOST',
            __name__))
        super().setUp()

    def create_with(self, client_id):
        headers = {'Content-Type': 'application/json'}
        if client_id is not None:
            headers['X-Openstack-Request-Id'] = client_id
        response = self.request(
            'POST', '/v2/tasks', status=201, headers=headers,
            body=b'{"type": "location_import", "input": {}}')
        stored = self.dbapi.task_get(self.admin_context,
                                     response.json['id'])['request_id']
        return response, stored

    def test_the_id_the_host_answers_is_stored(self):
        bare_uuid = uuidutils.generate_uuid()
        for sent, answered in (
                (test_dispatch.CLIENT_ID, test_dispatch.CLIENT_ID),
                ('abc', 'req-abc'), (bare_uuid, 'req-' + bare_uuid)):
            response, stored = self.create_with(sent)
            self.assertEqual([answered], response.headers.getall(
                'x-openstack-request-id'))
            self.assertEqual(answered, stored)
            self.assertEqual(answered, response.json['request_id'])
            self.assertEqual('true',
                             response.headers['X-Host-Context-Intact'])

    def test_without_a_client_id_the_hosts_own_is_stored(self):
        response, stored = self.create_with(None)
        answered = response.headers['x-openstack-request-id']
        self.assertRegex(answered, r'^req-[0-9a-f-]{36}$')
        self.assertEqual(answered, stored)
        self.assertEqual('true', response.headers['X-Host-Context-Intact'])


class TestInAGlanceLikeHostPostgreSQL(TestInAGlanceLikeHost):
    FIXTURE = task_fixtures.PostgreSQLDatabase


class TestInAGlanceLikeHostMySQL(TestInAGlanceLikeHost):
    FIXTURE = task_fixtures.MySQLDatabase
