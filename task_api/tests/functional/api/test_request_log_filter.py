"""The ``server`` pipeline, which task-api serves, logs each request.

The ``main`` pipeline, which the WSGI module serves behind a web server
that logs requests itself, does not.
"""

import logging

import fixtures
import webtest

from task_api.api.middleware import request_log
from task_api.api import pipeline
from task_api.tests import base
from task_api.tests.unit.api import base as api_base

MISSING = 'f' * 36


class TestRequestLogFilter(base.DbTestCase):

    def setUp(self):
        super().setUp()
        self.config(auth_mode='noauth', group='api')
        self.logger = self.useFixture(fixtures.FakeLogger(
            name=request_log.__name__, level=logging.INFO))

    def client(self, name):
        return webtest.TestApp(pipeline.load_app(name),
                               extra_environ={'REMOTE_ADDR': '127.0.0.1'})

    def test_the_server_pipeline_logs_requests(self):
        self.client('server').get('/v2/tasks/' + MISSING,
                                  headers=api_base.ADMIN, status=404)
        self.assertIn('127.0.0.1 "GET /v2/tasks/%s" status: 404 len: '
                      % MISSING, self.logger.output)

    def test_the_main_pipeline_does_not(self):
        self.client('main').get('/v2/tasks', headers=api_base.ADMIN,
                                status=200)
        self.assertEqual('', self.logger.output)
