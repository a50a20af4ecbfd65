"""Routing errors and undecodable paths through the whole paste pipeline."""

from keystonemiddleware import fixture as ksm_fixture
import webtest

from task_api.api import pipeline
from task_api.tests.functional.api import base as pipeline_base
from task_api.tests import keystone
from task_api.tests.unit.api import base as api_base
from task_api.tests.unit.api import test_errors

# NOTE: paths that are not UTF-8 once percent-decoded, at every level.
UNDECODABLE = ('/%FF', '/%ff/tasks', '/versions%FF', '/healthcheck/%FF',
               '/v2/%FF', '/v2/tasks/%FF', '/v2/tasks/%C3', '/v2/%FF/x',
               '/v2/images/%FF/tasks', '/v2/images/x/tasks/%FF',
               '/v2/schemas/%FF', '/v2.12/tasks/%FF', '/v2.%FF/tasks',
               '/v3/%FF')


class TestRoutingErrors(test_errors.RoutingErrorsMixin,
                        pipeline_base.PipelineTestCase):
    """Under /v2, with the request id of every /v2 response."""

    # NOTE: oslo.middleware's CORS filter answers every OPTIONS request
    # that the application refuses with an empty 200, as in Glance.
    methods = tuple(method for method in test_errors.METHODS
                    if method != 'OPTIONS')

    def check_headers(self, response, what):
        self.assertRegex(response.headers.get('x-openstack-request-id', ''),
                         '^req-', what)


class TestRoutingErrorsUnderMinorVersion(TestRoutingErrors):
    """The same under a /v2.N/ prefix."""

    prefix = '/v2.12'


class UndecodablePathsMixin:

    def assertRefused(self, headers=None):
        for path in UNDECODABLE:
            for accept in test_errors.ACCEPTS:
                response = self.app.get(
                    path, headers=dict(headers or {}, Accept=accept),
                    expect_errors=True)
                self.assertEqual(400, response.status_int, path)
                self.assertEqual(test_errors.error_body(
                    '400 Bad Request', 'The request path is not valid '
                    'UTF-8.<br /><br />\n\n\n', accept),
                    (response.headers['Content-Type'], response.text), path)


class TestUndecodablePathsNoAuth(UndecodablePathsMixin,
                                 pipeline_base.PipelineTestCase):

    def test_undecodable_paths_are_400(self):
        self.assertRefused()
        self.assertRefused(api_base.ADMIN)


class TestUndecodablePathsKeystone(UndecodablePathsMixin,
                                   api_base.ApiTestCase):

    def setUp(self):
        super().setUp()
        self.config(auth_mode='keystone', group='api')
        self.useFixture(keystone.KeystoneAuthtoken())
        tokens = self.useFixture(ksm_fixture.AuthTokenFixture())
        tokens.add_token_data(token_id='admin-token', user_id='u-admin',
                              project_id='p-admin', role_list=['admin'])
        self.app = webtest.TestApp(pipeline.load_app())

    def test_undecodable_paths_are_400_with_or_without_a_token(self):
        self.assertRefused()
        self.assertRefused({'X-Auth-Token': 'forged'})
        self.assertRefused({'X-Auth-Token': 'admin-token'})
