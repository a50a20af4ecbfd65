"""The task-api console script as a server process for functional tests."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import fixtures
import sqlalchemy as sa

# Requests to the loopback server never go through a proxy of the
# environment.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def free_port():
    """A TCP port on the loopback address that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def script(name):
    """The path of a console script installed beside this Python."""
    return os.path.join(os.path.dirname(sys.executable), name)


class TaskApiServer(fixtures.Fixture):
    """task-api serving on a free loopback port, in noauth mode.

    The server runs the paste pipeline of a real deployment on its own
    embedded SQLite database under a temporary state_path, and logs to a
    file there. It is stopped with SIGTERM at clean-up.
    """

    START_TIMEOUT = 60

    def __init__(self, **api_options):
        super().__init__()
        self.api_options = api_options

    def _setUp(self):
        self.tmp = self.useFixture(fixtures.TempDir()).path
        self.port = free_port()
        self.url = 'http://127.0.0.1:%d' % self.port
        state_path = os.path.join(self.tmp, 'state')
        self.db_path = os.path.join(state_path, 'task_api.sqlite')
        self.log_path = os.path.join(self.tmp, 'task_api.log')
        self.config_file = os.path.join(self.tmp, 'task_api.conf')
        lines = ['[DEFAULT]', 'state_path = %s' % state_path,
                 'log_file = %s' % self.log_path,
                 '[api]', 'bind_host = 127.0.0.1',
                 'bind_port = %d' % self.port, 'auth_mode = noauth']
        lines += ['%s = %s' % item for item in self.api_options.items()]
        with open(self.config_file, 'w') as stream:
            stream.write('\n'.join(lines) + '\n')

        self.output_path = os.path.join(self.tmp, 'task_api.out')
        with open(self.output_path, 'wb') as output:
            self.process = subprocess.Popen(
                [script('task-api'), '--config-file', self.config_file],
                stdout=output, stderr=subprocess.STDOUT)
        self.addCleanup(self._stop)
        self._wait_until_serving()

    def _stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def _wait_until_serving(self):
        deadline = time.monotonic() + self.START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                with open(self.output_path) as stream:
                    output = stream.read()
                raise RuntimeError('task-api exited with %s: %s' % (
                    self.process.returncode, output))
            try:
                self.request('/versions')
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError('task-api did not answer within %d seconds'
                           % self.START_TIMEOUT)

    def request(self, path, method='GET', body=None, headers=None):
        """Send one request; return (status, headers, body bytes)."""
        data = None if body is None else json.dumps(body).encode('utf-8')
        request = urllib.request.Request(
            self.url + path, data=data, method=method,
            headers=headers or {})
        try:
            with _OPENER.open(request, timeout=10) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            with error:
                return error.code, error.headers, error.read()

    def get_json(self, path):
        """GET a path that must answer 200; return the decoded body."""
        status, _headers, body = self.request(
            path, headers={'Accept': 'application/json'})
        if status != 200:
            raise AssertionError('GET %s answered %s: %r' % (
                path, status, body))
        return json.loads(body)

    def engine(self):
        """An engine on the server's SQLite database (disposed at clean-up).

        The server keeps the database in WAL mode, so reads and writes
        through this engine do not block it.
        """
        engine = sa.create_engine('sqlite:///' + self.db_path)
        self.addCleanup(engine.dispose)
        return engine

    def read_log(self):
        with open(self.log_path) as stream:
            return stream.read()
