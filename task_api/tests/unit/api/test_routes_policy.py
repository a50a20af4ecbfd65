"""Every route of the v2 tree is governed by policy; image tasks by get_image.

The routes are found by walking the controllers, as the routing itself
does, so a route added later is checked without editing these tests.
"""

import fixtures
import pecan
import webtest

from task_api.api import app
from task_api.api.controllers import base as controllers
from task_api.api.controllers.v2 import root
from task_api import policies
from task_api import policy
from task_api.tests import base
from task_api.tests.unit.api import base as api_base

# NOTE: one id for the task and the image it names, so that every {id} of
# a route template names something that exists.
THING = '5a1c7e0e-4b2d-4c8e-9f3a-0b1c2d3e4f5a'
ADMIN_PROJECT = api_base.ADMIN['X-Project-Id']
OWNER = 'aaaaaaaa-1111-4111-8111-aaaaaaaaaaaa'
OTHER = 'bbbbbbbb-2222-4222-8222-bbbbbbbbbbbb'


def walk(controller, path=''):
    """Yield (method, path template, handler) for every route below it.

    Follows what the routing of ``controllers.base`` follows: the children
    of a ParentController, and the collection methods, item methods and
    item children of a RestController.
    """
    if isinstance(controller, controllers.ParentController):
        for segment, child in controller._children.items():
            yield from walk(child, path + '/' + segment)
    elif isinstance(controller, controllers.RestController):
        for method, name in controller._collection_methods.items():
            yield method, path, getattr(controller, name)
        for method, name in controller._item_methods.items():
            yield method, path + '/{id}', getattr(controller, name)
        for segment, child in controller._item_children.items():
            yield from walk(child(THING), path + '/{id}/' + segment)
    else:
        raise AssertionError('%s at %s is routed by neither base class'
                             % (type(controller).__name__, path or '/'))


def routes():
    return sorted(walk(root.V2Controller()), key=lambda r: (r[1], r[0]))


class PolicyCalls(fixtures.Fixture):
    """Record the rules the enforcer is asked about, and let it answer."""

    def _setUp(self):
        self.rules = []
        decide = policy.Enforcer.decide

        def recording(enforcer, rule, target, context):
            self.rules.append(rule)
            return decide(enforcer, rule, target, context)

        self.useFixture(fixtures.MonkeyPatch(
            'task_api.policy.Enforcer.decide', recording))


class TestEveryRouteIsAuthorized(api_base.ApiTestCase):

    def setUp(self):
        super().setUp()
        base.create_test_task(id=THING, image_id=THING, owner=ADMIN_PROJECT)
        self.calls = self.useFixture(PolicyCalls())

    def request(self, method, template):
        self.calls.rules.clear()
        return self.app.request(template.replace('{id}', THING),
                                method=method, headers=api_base.ADMIN,
                                expect_errors=True)

    def test_the_walk_finds_the_routes(self):
        found = {(method, path) for method, path, _ in routes()}
        # NOTE: a sample, to know the walk goes everywhere; the tests
        # below take whatever it finds.
        for route in (('GET', '/tasks'), ('POST', '/tasks'),
                      ('GET', '/tasks/{id}'), ('DELETE', '/tasks/{id}'),
                      ('GET', '/schemas/task'),
                      ('GET', '/images/{id}/tasks')):
            self.assertIn(route, found)

    def test_every_handler_declares_its_rules(self):
        for method, path, handler in routes():
            authorization = getattr(handler, 'authorization', None)
            self.assertIsInstance(authorization, controllers.Authorization,
                                  '%s %s' % (method, path))
            registered = {rule.name for rule in policies.list_rules()}
            self.assertLessEqual(set(authorization.all_rules), registered)
            if not authorization.all_rules:
                self.assertTrue(authorization.reason,
                                '%s %s checks no rule and says not why'
                                % (method, path))
                # NOTE: the Image API checks no rule for its schemas, and
                # for nothing else.
                self.assertTrue(path.startswith('/schemas/'),
                                '%s %s checks no policy rule'
                                % (method, path))

    def test_every_declared_rule_reaches_the_enforcer(self):
        for method, path, handler in routes():
            response = self.request(method, path)
            self.assertNotIn(response.status_int, (401, 403, 404, 500),
                             '%s %s: %s' % (method, path, response.text))
            for rule in handler.authorization.all_rules:
                self.assertIn(rule, self.calls.rules,
                              '%s %s' % (method, path))

    def test_denying_any_declared_rule_refuses_the_route(self):
        for method, path, handler in routes():
            for rule in handler.authorization.all_rules:
                self.set_policy({rule: '!'})
                response = self.request(method, path)
                self.assertIn(response.status_int, (403, 404),
                              '%s %s with %s denied: %d %s'
                              % (method, path, rule, response.status_int,
                                 response.text))
                self.assertIn(rule, self.calls.rules)

    def test_a_policy_denying_everything_refuses_every_checked_route(self):
        self.set_policy({rule.name: '!' for rule in policies.list_rules()})
        for method, path, handler in routes():
            response = self.request(method, path)
            if handler.authorization.all_rules:
                self.assertIn(response.status_int, (403, 404),
                              '%s %s: %s' % (method, path, response.text))
            else:
                # The schemas: public documents, as in the Image API.
                self.assertEqual(200, response.status_int, path)
                self.assertEqual([], [rule for rule in self.calls.rules
                                      if rule != 'context_is_admin'])

    def test_a_handler_that_declares_nothing_is_refused(self):
        class Undeclared(controllers.RestController):
            _collection_methods = {'GET': 'get_all'}

            @pecan.expose('json')
            def get_all(self):
                return {'served': True}

        children = dict(root.V2Controller._children, extra=Undeclared())
        self.useFixture(fixtures.MockPatchObject(
            root.V2Controller, '_children', children))
        self.app = webtest.TestApp(api_base.noauth_app(),
                                   extra_environ=self.environ)
        response = self.request('GET', '/extra')
        self.assertEqual(403, response.status_int)
        self.assertNotIn('served', response.text)


class TestImageTasksPolicy(api_base.ApiTestCase):
    """get_image governs GET /v2/images/{id}/tasks, with Glance's default."""

    def setUp(self):
        super().setUp()
        base.create_test_task(id='00000000-0000-4000-8000-000000000001',
                              image_id=THING, owner=OWNER)
        base.create_test_task(id='00000000-0000-4000-8000-000000000002',
                              image_id=THING, owner=ADMIN_PROJECT)

    def ids(self, headers, status=200):
        response = self.get('/images/%s/tasks' % THING, headers=headers,
                            status=status)
        if status != 200:
            return response
        return [task['id'][-1] for task in response.json['tasks']]

    def test_glance_default(self):
        self.assertEqual(
            "rule:context_is_admin or (role:reader and "
            "(project_id:%(project_id)s or project_id:%(member_id)s or "
            "'community':%(visibility)s or 'public':%(visibility)s or "
            "'shared':%(visibility)s))",
            {rule.name: rule for rule in policies.list_rules()}[
                'get_image'].check_str)
        # An administrator sees every project's tasks of the image.
        self.assertEqual(['2', '1'], self.ids(api_base.ADMIN))
        # A reader of a project sees its project's, without
        # tasks_api_access.
        self.assertEqual(['1'], self.ids(api_base.member_of(
            OWNER, 'member,reader')))
        self.assertEqual([], self.ids(api_base.member_of(OTHER, 'reader')))

    def test_caller_without_reader_role_gets_404(self):
        response = self.ids(api_base.member_of(OWNER, 'member'), status=404)
        self.assertEqual('404 Not Found\n\nThe resource could not be '
                         'found.\n\n   ', response.text)

    def test_operator_can_close_the_call(self):
        self.set_policy({'get_image': 'role:admin'})
        self.ids(api_base.member_of(OWNER, 'member,reader'), status=404)
        self.assertEqual(['2', '1'], self.ids(api_base.ADMIN))

    def test_each_task_is_checked_against_its_owner(self):
        # Administrators may look at the image tasks of their own project
        # only; the others' are left out.
        self.set_policy({'get_image': 'project_id:%(owner)s'})
        self.assertEqual(['2'], self.ids(api_base.ADMIN))
        self.assertEqual(['1'], self.ids(api_base.member_of(OWNER)))


class TestContextMiddlewareIsRequired(base.DbTestCase):
    """Without the context middleware, identity headers are not trusted."""

    def test_requests_without_the_context_middleware_are_401(self):
        logger = self.useFixture(fixtures.FakeLogger(name='task_api'))
        bare = webtest.TestApp(app.setup_app(),
                               extra_environ={'SCRIPT_NAME': '/v2'})
        base.create_test_task(id=THING, owner=ADMIN_PROJECT)
        for path in ('/tasks', '/tasks/' + THING,
                     '/images/%s/tasks' % THING, '/schemas/task'):
            headers = dict(api_base.ADMIN, **{
                'X-Identity-Status': 'Confirmed',
                'Accept': 'application/json'})
            response = bare.get(path, headers=headers, expect_errors=True)
            self.assertEqual(401, response.status_int, path)
            self.assertEqual({
                'code': '401 Unauthorized', 'title': 'Unauthorized',
                'message': 'This server could not verify that you are '
                           'authorized to access the document you '
                           'requested. Either you supplied the wrong '
                           'credentials (e.g., bad password), or your '
                           'browser does not understand how to supply the '
                           'credentials required.<br /><br />\n\n\n'},
                response.json)
        self.assertIn('the request did not pass the context middleware',
                      logger.output)
