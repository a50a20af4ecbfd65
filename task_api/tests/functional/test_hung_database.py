"""A hung database answers 503 within the configured bounds, then heals.

The database path is frozen with the TCP relay: connections stay open and
nothing answers, as when the server is stopped with SIGSTOP.
"""

import threading
import time

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
HEADERS = dict(api_base.ADMIN, Accept='application/json')

CONNECT_TIMEOUT = 1
STATEMENT_TIMEOUT = 1
POOL_TIMEOUT = 1
#: the longest a request may wait: a pooled connection, a ping that gets
#: no answer, a new connection that gets none either, and a statement
BOUND = POOL_TIMEOUT + CONNECT_TIMEOUT + 2 * (STATEMENT_TIMEOUT + 1)
#: generous room for a busy test machine
SLACK = 15


class BoundedWaitMixin:
    """Show, list and create through a relay to the real server."""

    #: [database] options of the engines
    POOL = {}

    def setUp(self):
        super().setUp()
        base.insert_task_rows(sqla_api.get_engine(), id=TASK_ID)
        url = sqla_api.get_engine().url
        self.proxy = self.useFixture(tcp_proxy.TcpProxy(
            url.host or 'localhost', url.port or self.PORT))
        self.config(connect_timeout=CONNECT_TIMEOUT,
                    statement_timeout=STATEMENT_TIMEOUT,
                    pool_timeout=POOL_TIMEOUT, group='database', **self.POOL)
        relayed = enginefacade.transaction_context()
        relayed.configure(connection=url.set(
            host='127.0.0.1', port=self.proxy.port).render_as_string(
                hide_password=False), max_retries=0,
            pool_timeout=POOL_TIMEOUT,
            connection_parameters=engines.url_parameters(None), **self.POOL)
        self.addCleanup(relayed.dispose_pool)
        self.useFixture(test_fixtures.ReplaceEngineFacadeFixture(
            sqla_api.main_context_manager, relayed))
        # NOTE: whatever happens, no thread stays blocked on the relay.
        self.addCleanup(self.proxy.thaw)

    def request(self, method, path, headers=HEADERS):
        """The response of one request, failing if it waits past BOUND."""
        outcome = {}

        def run():
            started = time.monotonic()
            if method == 'POST':
                outcome['response'] = self.app.post_json(
                    path, NEW_TASK, headers=headers, expect_errors=True)
            else:
                outcome['response'] = self.app.get(
                    path, headers=headers, expect_errors=True)
            outcome['seconds'] = time.monotonic() - started

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        thread.join(BOUND + SLACK)
        if thread.is_alive():
            self.proxy.thaw()
            thread.join(30)
            self.fail('%s %s waited more than %d seconds for a hung '
                      'database' % (method, path, BOUND + SLACK))
        return outcome['response']

    def assertServing(self):
        self.assertEqual(TASK_ID, self.get('/tasks/' + TASK_ID).json['id'])
        self.assertIn(TASK_ID, [task['id'] for task in self.get(
            '/tasks').json['tasks']])
        response = self.request('POST', '/v2/tasks')
        self.assertEqual(201, response.status_int, response.text)

    def assertUnavailable(self):
        for method, path in (('GET', '/v2/tasks/' + TASK_ID),
                             ('GET', '/v2/tasks'), ('POST', '/v2/tasks')):
            response = self.request(method, path)
            self.assertEqual(503, response.status_int,
                             '%s %s: %s' % (method, path, response.text))
            self.assertEqual('5', response.headers['Retry-After'])
            self.assertEqual({
                'message': 'The task database is unavailable at the '
                           'moment; try again later.<br /><br />\n\n\n',
                'code': '503 Service Unavailable',
                'title': 'Service Unavailable'}, response.json)


class PoolExhaustedMixin(BoundedWaitMixin):
    """Every pooled connection is busy: a request waits pool_timeout."""

    POOL = {'max_pool_size': 1, 'max_overflow': 0}

    def test_busy_pool_answers_503_then_serves(self):
        self.assertServing()
        held = sqla_api.get_engine().connect()
        try:
            self.assertUnavailable()
        finally:
            held.close()
        self.assertServing()


class HungDatabaseMixin(BoundedWaitMixin):
    """The relay frozen, as a database server stopped with SIGSTOP."""

    def assertHealth(self, status, body):
        response = self.request('GET', '/healthcheck',
                                {'Accept': 'text/plain'})
        self.assertEqual((status, body),
                         (response.status_int, response.text))

    def test_frozen_database_answers_503_then_heals(self):
        self.assertServing()
        self.assertHealth(200, 'OK\nOK')
        self.proxy.freeze()
        # Pooled connections get no answer, new ones no greeting.
        self.assertUnavailable()
        self.assertHealth(503, 'OK\nDATABASE UNAVAILABLE')
        self.assertUnavailable()
        self.proxy.thaw()
        # The connections that timed out were dropped; nothing else to do.
        self.assertServing()
        self.assertHealth(200, 'OK\nOK')
        self.assertServing()

    def test_database_frozen_while_idle(self):
        self.proxy.freeze()
        self.assertUnavailable()
        self.proxy.thaw()
        self.assertServing()


class TestHungPostgreSQL(HungDatabaseMixin,
                         pipeline_base.PostgreSQLPipelineTestCase):
    PORT = 5432


class TestHungMySQL(HungDatabaseMixin, pipeline_base.MySQLPipelineTestCase):
    PORT = 3306


class TestPoolExhaustedPostgreSQL(PoolExhaustedMixin,
                                  pipeline_base.PostgreSQLPipelineTestCase):
    PORT = 5432


class TestPoolExhaustedMySQL(PoolExhaustedMixin,
                             pipeline_base.MySQLPipelineTestCase):
    PORT = 3306
