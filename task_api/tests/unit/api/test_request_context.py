"""Log lines of a request name that request, and no earlier caller."""

import io
import logging

from oslo_config import cfg
from oslo_log import formatters
from oslo_log import log
import webtest

from task_api.api import app
from task_api.api.middleware import auth
from task_api.api.middleware import base as middleware_base
from task_api.api.middleware import request_id
from task_api.tests.unit.api import base as api_base

LOGGER = 'task_api.tests.probe'


class LogBeforeContext(middleware_base.Middleware):
    """Logs a line where authentication middleware logs its warnings."""

    def __call__(self, environ, start_response):
        logging.getLogger(LOGGER).warning('before the context')
        return self.application(environ, start_response)


class TestThreadContext(api_base.ApiTestCase):
    """The request-id middleware resets oslo.context's thread context."""

    def setUp(self):
        super().setUp()
        # NOTE: oslo.log's formatter with options of its own, so that
        # lines show just the fields this test is about.
        log_conf = cfg.ConfigOpts()
        log.register_options(log_conf)
        log_conf([])
        log_conf.set_override(
            'logging_context_format_string',
            '%(request_id)s user=%(user)s project=%(project_id)s '
            '%(message)s')
        log_conf.set_override('logging_default_format_string',
                              'no context: %(message)s')
        self.output = io.StringIO()
        handler = logging.StreamHandler(self.output)
        handler.setFormatter(formatters.ContextFormatter(config=log_conf))
        logger = logging.getLogger(LOGGER)
        logger.addHandler(handler)
        self.addCleanup(logger.removeHandler, handler)
        pipeline = request_id.RequestIdMiddleware(LogBeforeContext(
            auth.NoAuthMiddleware(auth.ContextMiddleware(app.setup_app()))))
        self.app = webtest.TestApp(pipeline, extra_environ=self.environ)

    def test_lines_before_the_context_name_only_their_request(self):
        # NOTE: WebTest calls the application in this thread, as a server
        # thread serves one request after another.
        self.app.get('/tasks', headers={
            'X-User-Id': 'user-a', 'X-Project-Id': 'project-a',
            'X-Roles': 'admin', 'X-Openstack-Request-Id': 'req-first'})
        self.app.get('/tasks', headers={
            'X-User-Id': 'user-b', 'X-Project-Id': 'project-b',
            'X-Roles': 'admin', 'X-Openstack-Request-Id': 'req-second'})
        self.assertEqual(['req-first user=None project=None before the '
                          'context',
                          'req-second user=None project=None before the '
                          'context'],
                         self.output.getvalue().splitlines())
