"""The task-api console script as a server process for functional tests."""

import json
import os
import re
import signal
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


#: The line task-api logs once it listens, with the port it got.
SERVING = re.compile(r'Serving the tasks API on http://[^ ]*:(\d+)/')


def restore_sigint():
    """preexec_fn: give the child the default SIGINT disposition.

    A shell starting tox in the background (``&``, ``nohup``) makes its
    children ignore SIGINT, and Python keeps an ignored SIGINT ignored; a
    server under test must see Ctrl-C as an interactive one would.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def run_server(args, **kwargs):
    """Start ``task-api`` with ``args`` as a user's shell would."""
    return subprocess.Popen([script('task-api')] + list(args),
                            preexec_fn=restore_sigint, **kwargs)


def wait_for_port(process, read_log, timeout=60):
    """The port a starting task-api listens on, from its log.

    :raises: RuntimeError with the log when it exits or does not listen
        within ``timeout`` seconds.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = SERVING.search(read_log())
        if found:
            return int(found.group(1))
        if process.poll() is not None:
            raise RuntimeError('task-api exited with %s: %s' % (
                process.returncode, read_log()))
        time.sleep(0.1)
    raise RuntimeError('task-api did not listen within %d seconds: %s'
                       % (timeout, read_log()))


def script(name):
    """The path of a console script installed beside this Python."""
    return os.path.join(os.path.dirname(sys.executable), name)


class TaskApiServer(fixtures.Fixture):
    """task-api serving on a port of its choosing, in noauth mode.

    The server runs the paste pipeline of a real deployment on its own
    embedded SQLite database under a temporary state_path, and logs to a
    file there. It binds port 0 and the fixture reads the port it got from
    its log. It is stopped with SIGTERM at clean-up.

    :param extra_lines: more lines of its configuration file, after those
        of ``[api]``, e.g. a ``[keystone_authtoken]`` section.
    :param args: more command-line arguments, e.g. ``['--debug']``.
    :param api_options: ``[api]`` options.
    """

    START_TIMEOUT = 60

    def __init__(self, extra_lines=(), args=(), **api_options):
        super().__init__()
        self.extra_lines = list(extra_lines)
        self.args = list(args)
        self.api_options = api_options

    def _setUp(self):
        self.tmp = self.useFixture(fixtures.TempDir()).path
        state_path = os.path.join(self.tmp, 'state')
        self.db_path = os.path.join(state_path, 'task_api.sqlite')
        self.log_path = os.path.join(self.tmp, 'task_api.log')
        self.config_file = os.path.join(self.tmp, 'task_api.conf')
        lines = ['[DEFAULT]', 'state_path = %s' % state_path,
                 'log_file = %s' % self.log_path,
                 '[api]', 'bind_host = 127.0.0.1',
                 'bind_port = 0', 'auth_mode = noauth']
        lines += ['%s = %s' % item for item in self.api_options.items()]
        lines += self.extra_lines
        with open(self.config_file, 'w') as stream:
            stream.write('\n'.join(lines) + '\n')

        self.output_path = os.path.join(self.tmp, 'task_api.out')
        with open(self.output_path, 'wb') as output:
            self.process = run_server(['--config-file', self.config_file]
                                      + self.args,
                                      stdout=output,
                                      stderr=subprocess.STDOUT)
        self.addCleanup(self._stop)
        self.port = wait_for_port(self.process, self._read_output_and_log,
                                  self.START_TIMEOUT)
        self.url = 'http://127.0.0.1:%d' % self.port
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
        try:
            with open(self.log_path) as stream:
                return stream.read()
        except FileNotFoundError:
            return ''

    def _read_output_and_log(self):
        with open(self.output_path) as stream:
            return stream.read() + self.read_log()
