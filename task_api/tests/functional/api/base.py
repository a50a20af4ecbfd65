"""The whole paste pipeline of etc/task_api/api-paste.ini under WebTest."""

import webtest

from task_api.api import pipeline
from task_api.tests import fixtures as task_fixtures
from task_api.tests.unit.api import base as api_base

_NOAUTH_APP = None


class PipelineTestCase(api_base.ApiTestCase):
    """Requests through the paste pipeline in noauth mode.

    Paths given to :meth:`get` are below /v2, as in the unit tests, so that
    the same test bodies run on both.
    """

    prefix = '/v2'
    environ = {'REMOTE_ADDR': '127.0.0.1'}

    def setUp(self):
        super().setUp()
        self.config(auth_mode='noauth', group='api')
        self.app = webtest.TestApp(self._noauth_app(),
                                   extra_environ=self.environ)

    @staticmethod
    def _noauth_app():
        # NOTE: loading the pipeline takes a while and it keeps no state
        # of a test, so the tests of one process share it.
        global _NOAUTH_APP
        if _NOAUTH_APP is None:
            _NOAUTH_APP = pipeline.load_app()
        return _NOAUTH_APP

    def get(self, path, headers=None, status=None):
        return super().get('/v2' + path, headers=headers, status=status)


class MySQLPipelineTestCase(PipelineTestCase):
    FIXTURE = task_fixtures.MySQLDatabase


class PostgreSQLPipelineTestCase(PipelineTestCase):
    FIXTURE = task_fixtures.PostgreSQLDatabase
