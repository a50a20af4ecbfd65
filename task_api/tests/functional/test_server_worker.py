"""task-api with [api] run_worker: the server runs the tasks it records.

A real task-api process serves the API on its embedded SQLite database
and runs one worker beside it; an HTTP server in the test process serves
the image an import task fetches.
"""

import hashlib
import json
import os
import signal
import time

import sqlalchemy as sa

from task_api.tests import base
from task_api.tests.functional import server
from task_api.tests.functional import test_import


class TestServerRunsTasks(base.TestCase):

    def setUp(self):
        super().setUp()
        self.images = self.useFixture(test_import.Server())
        self.images.routes['/disk.raw'] = test_import.body(test_import.RAW)

    def start(self, **api_options):
        return self.useFixture(server.TaskApiServer(extra_lines=[
            '[worker]', 'poll_interval = 0.2',
            '[import_filtering_opts]', 'allowed_hosts = 127.0.0.1',
            'allowed_ports = %d' % self.images.port], **api_options))

    def create(self, api, path='/disk.raw'):
        status, _, body = api.request('/v2/tasks', method='POST', body={
            'type': 'import', 'input': {
                'import_from': self.images.url(path),
                'import_from_format': 'raw',
                'image_properties': {'name': 'trial', 'disk_format': 'raw',
                                     'container_format': 'bare'}}},
            headers={'Content-Type': 'application/json'})
        self.assertEqual(201, status, body)
        return json.loads(body)['id']

    def test_import_task_reaches_success_in_the_server(self):
        api = self.start(run_worker='true')
        task_id = self.create(api)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            task = api.get_json('/v2/tasks/' + task_id)
            if task['status'] in ('success', 'failure'):
                break
            time.sleep(0.2)
        self.assertEqual(('success', ''), (task['status'], task['message']),
                         api.read_log()[-3000:])
        image_id = task['result']['image_id']
        stored = os.path.join(api.tmp, 'state', 'images', image_id)
        with open(stored, 'rb') as stream:
            data = stream.read()
        self.assertEqual(hashlib.sha512(test_import.RAW).hexdigest(),
                         hashlib.sha512(data).hexdigest())
        self.assertEqual(task['result']['os_hash_value'],
                         hashlib.sha512(data).hexdigest())

    def test_sigterm_lets_the_running_task_end(self):
        # About 3 s of data, so that SIGTERM comes while it is fetched.
        self.images.routes['/slow.raw'] = test_import.stream(
            b'\x5a' * 65536, 30, delay=0.1, length=30 * 65536)
        api = self.start(run_worker='true')
        task_id = self.create(api, '/slow.raw')
        deadline = time.monotonic() + 60
        while api.get_json('/v2/tasks/' + task_id)['status'] == 'pending':
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.1)
        api.process.send_signal(signal.SIGTERM)
        self.assertEqual(0, api.process.wait(timeout=60))
        with api.engine().connect() as connection:
            status = connection.execute(sa.text(
                'SELECT status FROM tasks WHERE id = :id'),
                {'id': task_id}).scalar()
        self.assertEqual('success', status, api.read_log()[-3000:])

    def test_without_run_worker_tasks_wait_for_a_worker(self):
        api = self.start()
        task_id = self.create(api)
        # Several poll intervals of a worker that would run here.
        time.sleep(2)
        self.assertEqual('pending',
                         api.get_json('/v2/tasks/' + task_id)['status'])
        self.assertEqual([], self.images.requests)
