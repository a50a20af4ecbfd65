"""Log lines of a request name that request, and no earlier caller."""

import re

from oslo_utils import uuidutils
import webtest

from task_api.api import app
from task_api.api.middleware import auth
from task_api.api.middleware import request_id
from task_api.tests.unit.api import base as api_base
from task_api.tests.unit.api import test_request_ids

LOGGER = test_request_ids.LOGGER


class LogBeforeContext(test_request_ids.LogInTheCall):
    """Logs a line where authentication middleware logs its warnings."""

    message = 'before the context'


class TestThreadContext(api_base.ApiTestCase):
    """The request-id middleware resets oslo.context's thread context."""

    def setUp(self):
        super().setUp()
        self.output = test_request_ids.capture_log_lines(
            self, '%(global_request_id)s %(request_id)s user=%(user)s '
                  'project=%(project_id)s %(message)s', LOGGER)
        pipeline = request_id.RequestIdMiddleware(LogBeforeContext(
            auth.NoAuthMiddleware(auth.ContextMiddleware(app.setup_app()))))
        self.app = webtest.TestApp(pipeline, extra_environ=self.environ)

    def test_lines_before_the_context_name_only_their_request(self):
        # NOTE: WebTest calls the application in this thread, as a server
        # thread serves one request after another.
        first = 'req-%s' % uuidutils.generate_uuid()
        second = 'req-%s' % uuidutils.generate_uuid()
        self.app.get('/tasks', headers={
            'X-User-Id': 'user-a', 'X-Project-Id': 'project-a',
            'X-Roles': 'admin', 'X-Openstack-Request-Id': first})
        self.app.get('/tasks', headers={
            'X-User-Id': 'user-b', 'X-Project-Id': 'project-b',
            'X-Roles': 'admin', 'X-Openstack-Request-Id': second})
        lines = self.output.getvalue().splitlines()
        # The client's id is the global one; the local one is task_api's.
        pattern = (r'^%s (req-[0-9a-f-]{36}) user=None project=None before '
                   r'the context$')
        locals_ = [re.match(pattern % first, lines[0]).group(1),
                   re.match(pattern % second, lines[1]).group(1)]
        self.assertEqual(2, len(lines))
        self.assertNotIn(first, locals_)
        self.assertNotEqual(locals_[0], locals_[1])
