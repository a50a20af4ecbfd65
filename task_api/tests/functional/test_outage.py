"""A database outage answers 503, and service resumes by itself."""

from oslo_db.sqlalchemy import enginefacade
from oslo_db.sqlalchemy import test_fixtures

from task_api.db.sqlalchemy import api as sqla_api
from task_api.db.sqlalchemy import engines
from task_api.tests import base
from task_api.tests.functional.api import base as pipeline_base
from task_api.tests.functional import tcp_proxy
from task_api.tests.unit.api import base as api_base

TASK_ID = '20840546-7c1e-4c1f-9b7e-2f8c0c6d8a11'
NEW_TASK = {'type': 'import',
            'input': {'import_from': 'http://8.8.8.8/cirros.qcow2',
                      'import_from_format': 'qcow2',
                      'image_properties': {'name': 'cirros'}}}


class OutageMixin:
    """Show and list through a relay to the real server, then cut it."""

    def setUp(self):
        super().setUp()
        base.insert_task_rows(sqla_api.get_engine(), id=TASK_ID)
        url = sqla_api.get_engine().url
        proxy = self.useFixture(tcp_proxy.TcpProxy(url.host or 'localhost',
                                                   url.port or self.PORT))
        self.proxy = proxy
        relayed = enginefacade.transaction_context()
        relayed.configure(connection=url.set(
            host='127.0.0.1', port=proxy.port).render_as_string(
                hide_password=False), max_retries=0,
            connection_parameters=engines.url_parameters(None))
        self.addCleanup(relayed.dispose_pool)
        self.useFixture(test_fixtures.ReplaceEngineFacadeFixture(
            sqla_api.main_context_manager, relayed))

    def assertServing(self):
        self.assertEqual(TASK_ID, self.get('/tasks/' + TASK_ID).json['id'])
        self.assertEqual([TASK_ID], [task['id'] for task in self.get(
            '/tasks').json['tasks']])

    def assertUnavailable(self):
        headers = dict(api_base.ADMIN, Accept='application/json')
        for path in ('/tasks/' + TASK_ID, '/tasks'):
            response = self.get(path, headers=headers, status=503)
            self.assertEqual('503 Service Unavailable',
                             response.json['code'])
            self.assertEqual('5', response.headers['Retry-After'])

    def test_restart_between_requests_costs_no_error(self):
        self.assertServing()
        # The database restarts while task_api is idle: every pooled
        # connection is dead, and the server is back.
        self.proxy.cut()
        self.proxy.restore()
        self.assertServing()
        response = self.app.post_json('/v2/tasks', NEW_TASK,
                                      headers=api_base.ADMIN,
                                      expect_errors=True)
        self.assertEqual(201, response.status_int, response.text)
        self.assertEqual('pending', self.get(
            '/tasks/' + response.json['id']).json['status'])

    def test_outage_and_recovery(self):
        self.assertServing()
        # Pooled connections die and new ones are refused.
        self.proxy.cut()
        self.assertUnavailable()
        self.assertUnavailable()
        self.proxy.restore()
        # No restart, no operator: the next requests are served.
        self.assertServing()
        self.assertServing()


class TestOutagePostgreSQL(OutageMixin,
                           pipeline_base.PostgreSQLPipelineTestCase):
    PORT = 5432


class TestOutageMySQL(OutageMixin, pipeline_base.MySQLPipelineTestCase):
    PORT = 3306
