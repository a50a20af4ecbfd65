"""Reads and writes with [database] connection_parameters set."""

from oslo_db.sqlalchemy import enginefacade
from oslo_db.sqlalchemy import test_fixtures

from task_api.db.sqlalchemy import api as sqla_api
from task_api.tests import base
from task_api.tests.functional.api import base as pipeline_base
from task_api.tests.unit.api import base as api_base

TASK_ID = '20840546-7c1e-4c1f-9b7e-2f8c0c6d8a11'
NEW_TASK = {'type': 'import',
            'input': {'import_from': 'http://8.8.8.8/cirros.qcow2',
                      'import_from_format': 'qcow2',
                      'image_properties': {'name': 'cirros'}}}


class ConnectionParametersMixin:
    """The engines built from [database] as task_api's own are."""

    def setUp(self):
        super().setUp()
        base.insert_task_rows(sqla_api.get_engine(), id=TASK_ID)
        url = sqla_api.get_engine().url.render_as_string(hide_password=False)
        self.config(connection=url, group='database')
        self.config(connection_parameters=self.PARAMETERS, group='database')
        # NOTE: configured the way oslo.db configures the enginefacade of
        # the service from [database].
        facade = enginefacade.transaction_context()
        facade.configure(connection=url,
                         connection_parameters=self.PARAMETERS,
                         max_retries=0)
        self.addCleanup(facade.dispose_pool)
        self.useFixture(test_fixtures.ReplaceEngineFacadeFixture(
            sqla_api.main_context_manager, facade))

    def test_show_list_and_create(self):
        self.assertEqual(TASK_ID, self.get('/tasks/' + TASK_ID).json['id'])
        self.assertEqual([TASK_ID], [task['id'] for task in self.get(
            '/tasks').json['tasks']])
        response = self.app.post_json('/v2/tasks', NEW_TASK,
                                      headers=api_base.ADMIN,
                                      expect_errors=True)
        self.assertEqual(201, response.status_int, response.text)
        self.assertEqual('pending', self.get(
            '/tasks/' + response.json['id']).json['status'])

    def test_engine_connects_with_the_parameters_once(self):
        url = sqla_api.get_engine().url
        for name in self.EXPECTED:
            self.assertEqual(self.EXPECTED[name], url.query[name])


class TestConnectionParametersPostgreSQL(
        ConnectionParametersMixin, pipeline_base.PostgreSQLPipelineTestCase):
    PARAMETERS = 'sslmode=disable&connect_timeout=5'
    EXPECTED = {'sslmode': 'disable', 'connect_timeout': '5'}


class TestConnectionParametersMySQL(ConnectionParametersMixin,
                                    pipeline_base.MySQLPipelineTestCase):
    PARAMETERS = 'connect_timeout=5&local_infile=0'
    EXPECTED = {'connect_timeout': '5', 'local_infile': '0'}
