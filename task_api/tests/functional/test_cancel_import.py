"""Cancelling an import while its worker fetches the data.

The data comes slowly from the test HTTP server of test_import; the
worker checks for a cancel when it writes the progress, stops fetching,
reverts, and the task ends failure saying who cancelled it.
"""

import os
import threading
import time


from task_api.db import migration
from task_api.db.sqlalchemy import api as sqla_api
from task_api.tests.functional.api import base as api_base
from task_api.tests.functional import test_import
from task_api.tests.functional import test_worker
from task_api.tests.unit.api import base as unit_api_base
from task_api.worker import runner

CHUNKS = 40


class CancelImportTests:

    def setUp(self):
        super().setUp()
        test_import.use_import_setup(self, ['127.0.0.1'])

    def files(self, name):
        path = os.path.join(self.state_path, name)
        return sorted(os.listdir(path)) if os.path.isdir(path) else []

    def test_cancel_while_fetching_stops_and_reverts(self):
        chunk = b'\0' * (64 * 1024)
        sent = []
        self.server.routes['/slow.raw'] = test_import.stream(
            chunk, CHUNKS, delay=0.25, length=CHUNKS * len(chunk),
            sent=sent)
        task_input = {'import_from': self.server.url('/slow.raw'),
                      'import_from_format': 'raw',
                      'image_properties': {'name': 'slow',
                                           'disk_format': 'raw',
                                           'container_format': 'bare'}}
        response = self.app.post_json(
            '/v2/tasks', {'type': 'import', 'input': task_input},
            headers=unit_api_base.ADMIN)
        task_id = response.json['id']
        worker = runner.Worker(worker_id='w1',
                               registry=test_import.registry(
                                   test_import.Resolver({})))
        thread = threading.Thread(target=worker.run_once)
        thread.start()
        self.addCleanup(thread.join, 60)
        deadline = time.monotonic() + 60
        while not self.dbapi.task_get(self.admin_context,
                                      task_id)['message']:
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.02)

        response = self.app.post('/v2/tasks/%s/actions/cancel' % task_id,
                                 headers=unit_api_base.ADMIN)
        self.assertEqual(202, response.status_int)
        thread.join(60)

        self.assertFalse(thread.is_alive())
        body = self.get('/tasks/%s' % task_id, status=200).json
        self.assertEqual(
            ('failure', 'Cancelled by user admin-user of project '
                        'admin-project', None),
            (body['status'], body['message'], body['result']))
        self.assertLess(len(sent), CHUNKS)
        self.assertEqual([], self.files('images'))
        self.assertEqual([], self.files('import'))
        self.assertEqual(0, test_worker.claim_count(sqla_api.get_engine()))


class TestCancelImportSQLite(CancelImportTests, api_base.PipelineTestCase):
    """With the tasks in a SQLite file, read while the worker writes."""

    def setUp(self):
        super().setUp()
        test_worker.use_sqlite_file(self, os.path.join(self.state_path,
                                                       'task_api.sqlite'))
        migration.upgrade(engine=sqla_api.get_engine())


class TestCancelImportPostgreSQL(CancelImportTests,
                                 api_base.PostgreSQLPipelineTestCase):
    """On PostgreSQL."""


class TestCancelImportMySQL(CancelImportTests,
                            api_base.MySQLPipelineTestCase):
    """On MySQL/MariaDB."""
