"""The task-api console script, run as a real process."""

import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request

import fixtures
import sqlalchemy as sa

from task_api.tests import base
from task_api.tests.functional import server

TASK_ID = '5a1f0c3e-8d2b-4e6f-9a7c-0b1d2e3f4a5b'
CLIENT_ID = 'req-0c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5'


class TestTaskApiServer(base.TestCase):
    """task-api creates the SQLite schema, serves, logs and stops."""

    def setUp(self):
        super().setUp()
        self.tmp = self.useFixture(fixtures.TempDir()).path
        self.port = None
        self.db_path = os.path.join(self.tmp, 'state', 'task_api.sqlite')
        self.config_file = os.path.join(self.tmp, 'task_api.conf')
        self.write_config(bind_host='127.0.0.1')

    def write_config(self, bind_host, **api):
        lines = ['[DEFAULT]', 'state_path = %s' % os.path.join(
                 self.tmp, 'state'), 'log_file = %s' % os.path.join(
                 self.tmp, 'task_api.log'),
                 '[api]', 'bind_host = %s' % bind_host,
                 'bind_port = 0', 'auth_mode = noauth']
        lines += ['%s = %s' % item for item in api.items()]
        with open(self.config_file, 'w') as stream:
            stream.write('\n'.join(lines) + '\n')

    def start(self):
        process = server.run_server(
            ['--config-file', self.config_file],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.addCleanup(self._kill, process)
        return process

    @staticmethod
    def _kill(process):
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()

    def request(self, path, headers=None):
        request = urllib.request.Request(
            'http://127.0.0.1:%d%s' % (self.port, path),
            headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, dict(response.headers), \
                    response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def wait_until_serving(self, process):
        self.port = server.wait_for_port(process, self.read_log)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                self.fail('task-api exited with %s: %s' % (
                    process.returncode, process.stdout.read().decode()))
            try:
                return self.request('/versions')
            except OSError:
                time.sleep(0.2)
        self.fail('task-api did not answer within 60 seconds')

    def read_log(self):
        try:
            with open(os.path.join(self.tmp, 'task_api.log')) as stream:
                return stream.read()
        except FileNotFoundError:
            return ''

    def test_serves_creates_schema_logs_and_stops_on_sigterm(self):
        process = self.start()
        status, _headers, body = self.wait_until_serving(process)
        self.assertEqual(200, status)
        self.assertIn('v2.12', [v['id'] for v in json.loads(body)[
            'versions']])

        # The schema exists: a row written with SQL is served.
        base.insert_task_rows(sa.create_engine('sqlite:///' + self.db_path),
                              id=TASK_ID)
        status, headers, body = self.request('/v2/tasks/' + TASK_ID, {
            'X-Openstack-Request-Id': CLIENT_ID})
        self.assertEqual(200, status)
        self.assertEqual(TASK_ID, json.loads(body)['id'])
        self.assertEqual(CLIENT_ID, headers['x-openstack-request-id'])
        status, _headers, _body = self.request('/v2/tasks/' + 'f' * 36)
        self.assertEqual(404, status)
        for _ in range(20):
            self.request('/versions')

        process.send_signal(signal.SIGTERM)
        self.assertEqual(0, process.wait(timeout=30))
        log = self.read_log()
        self.assertIn('"GET /v2/tasks/%s" status: 200' % TASK_ID, log)
        shown = [line for line in log.splitlines()
                 if '"GET /v2/tasks/%s" status: 200' % TASK_ID in line]
        self.assertEqual(1, len(shown), log)
        # The client's req-<uuid>, the global request id, once per line,
        # beside the local one.
        self.assertEqual(1, shown[0].count(CLIENT_ID), shown[0])
        self.assertRegex(shown[0], r'\[%s req-[0-9a-f-]{36} ' % CLIENT_ID)
        self.assertIn('"GET /v2/tasks/%s" status: 404' % ('f' * 36), log)
        self.assertIn('Stopping the tasks API server', log)
        # A request is logged with its own context, never a previous one's.
        versions = [line for line in log.splitlines()
                    if '"GET /versions"' in line]
        self.assertEqual(21, len(versions))
        for line in versions:
            self.assertNotIn('req-', line)

    def test_ctrl_c_stops_cleanly(self):
        process = self.start()
        self.wait_until_serving(process)
        process.send_signal(signal.SIGINT)
        self.assertEqual(0, process.wait(timeout=30))
        self.assertNotIn('Traceback', self.read_log())

    def test_ctrl_c_stops_cleanly_when_started_with_sigint_ignored(self):
        # As under "nohup tox &": the test runner ignores SIGINT.
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        self.addCleanup(signal.signal, signal.SIGINT, previous)
        process = self.start()
        signal.signal(signal.SIGINT, previous)
        self.wait_until_serving(process)
        process.send_signal(signal.SIGINT)
        self.assertEqual(0, process.wait(timeout=30))
        self.assertIn('Stopping the tasks API server', self.read_log())

    def test_noauth_refuses_a_public_address(self):
        self.write_config(bind_host='0.0.0.0')
        process = self.start()
        self.assertEqual(1, process.wait(timeout=60))
        self.assertIn('Refusing to serve in noauth mode on 0.0.0.0',
                      self.read_log())

    def test_noauth_on_a_public_address_when_forced(self):
        self.write_config(bind_host='0.0.0.0',
                          allow_noauth_on_public_bind='true')
        process = self.start()
        status, _headers, _body = self.wait_until_serving(process)
        self.assertEqual(200, status)
