"""Every URL of the API is declared with its authorization.

The v2 tree's handlers declare their rules (test_routes_policy walks
them); the other applications of the paste urlmap, and the answers the
routing gives before any handler, are listed here with the reason they
check no rule, so that a new mount or handler cannot go unnoticed.
"""

import configparser
import os

from task_api.api import pipeline
from task_api import policies
from task_api.tests.unit.api import base as api_base
from task_api.tests.unit.api import test_routes_policy

PASTE = os.path.join(os.path.dirname(pipeline.__file__), '..', '..', 'etc',
                     'task_api', 'api-paste.ini')

#: The applications of the urlmap that are not the v2 tree, and why they
#: check no policy rule: the Image API serves its versions document and
#: its health check to anyone.
UNCHECKED_MOUNTS = {'/': 'versions', '/healthcheck': 'healthcheck'}

ALL_METHODS = ('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS')


class TestEveryMountIsKnown(api_base.ApiTestCase):

    def test_the_urlmap_mounts_the_v2_tree_and_nothing_unlisted(self):
        paste = configparser.ConfigParser()
        paste.read(PASTE)
        mounts = {key: value.strip()
                  for key, value in paste['composite:urlmap'].items()
                  if key.startswith('/')}
        self.assertEqual(dict(UNCHECKED_MOUNTS, **{'/v2': 'v2'}), mounts)
        self.assertEqual('call:task_api.api.pipeline:pipeline_factory',
                         paste['composite:v2']['use'])
        for mode in ('keystone', 'noauth'):
            self.assertEqual('v2_app', paste['composite:v2'][mode].split()[-1])
        self.assertEqual('task_api.api.pipeline:app_factory',
                         paste['app:v2_app']['paste.app_factory'])


class TestMethodsWithoutAHandler(api_base.ApiTestCase):
    """A method a route does not serve is 405 before any handler runs.

    As in the Image API, whose router answers them without a policy
    check: no handler runs and nothing is read or changed.
    """

    def setUp(self):
        super().setUp()
        self.calls = self.useFixture(test_routes_policy.PolicyCalls())

    def test_each_unserved_method_is_405_with_allow(self):
        self.set_policy({rule.name: '!' for rule in policies.list_rules()})
        served = {}
        for method, path, _handler in test_routes_policy.routes():
            served.setdefault(path, []).append(method)
        for path, methods in served.items():
            for method in ALL_METHODS:
                if method in methods or method == 'HEAD':
                    continue
                self.calls.rules.clear()
                response = self.app.request(
                    path.replace('{id}', test_routes_policy.THING),
                    method=method, headers=api_base.ADMIN,
                    expect_errors=True)
                self.assertEqual(405, response.status_int,
                                 '%s %s' % (method, path))
                self.assertEqual(set(methods), set(
                    response.headers['Allow'].split(', ')), path)
                # NOTE: the context middleware asks context_is_admin of
                # every request.
                self.assertEqual([], [rule for rule in self.calls.rules
                                      if rule != 'context_is_admin'],
                                 '%s %s' % (method, path))
