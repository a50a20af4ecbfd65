"""What task-api and the WSGI module do with a configuration or database
they cannot serve with: refuse at start with one line, status non-zero.
"""

import json
import os
import socket
import subprocess
import sys
import textwrap
import time

import fixtures
import sqlalchemy as sa

from task_api.db import migration
from task_api.db.sqlalchemy import api as sqla_api
from task_api.tests import base
from task_api.tests import fixtures as task_fixtures
from task_api.tests.functional import server
from task_api.tests import keystone


class StartMixin:
    """Runs task-api, or imports the WSGI module, on a file of the test's."""

    def setUp(self):
        super().setUp()
        self.tmp = self.useFixture(fixtures.TempDir()).path
        self.state_path = os.path.join(self.tmp, 'state')

    def write_config(self, text=None, **groups):
        groups.setdefault('DEFAULT', {}).setdefault('state_path',
                                                    self.state_path)
        groups.setdefault('api', {}).setdefault('auth_mode', 'noauth')
        groups['api'].setdefault('bind_port', '0')
        path = os.path.join(self.tmp, 'task_api.conf')
        with open(path, 'w') as stream:
            if text is not None:
                stream.write(text)
            else:
                for group, options in groups.items():
                    stream.write('[%s]\n' % group)
                    for name, value in options.items():
                        stream.write('%s = %s\n' % (name, value))
        return path

    def run_task_api(self, *args):
        """Run task-api until it exits; return (status, output)."""
        process = server.run_server(
            list(args), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, env=dict(os.environ, XDG_STATE_HOME=self.tmp))
        self.addCleanup(self._kill, process)
        try:
            output, _ = process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
            self.fail('task-api kept running: %s' % output)
        return process.returncode, output

    @staticmethod
    def _kill(process):
        if process.poll() is None:
            process.kill()
            process.wait()

    def assertRefused(self, *args, status=1):
        """task-api exits with ``status`` after one error line; return it."""
        code, output = self.run_task_api(*args)
        self.assertEqual(status, code, output)
        self.assertNotIn('Traceback', output)
        errors = [line for line in output.splitlines()
                  if ' ERROR ' in line or line.startswith('task-api: ')]
        self.assertEqual(1, len(errors), output)
        return errors[0]

    def import_wsgi(self, config_file, script=None):
        """Import task_api.wsgi.api in a new Python; return (status, out)."""
        script = script or 'import task_api.wsgi.api\n'
        process = subprocess.run(
            [sys.executable, '-c', script], capture_output=True, text=True,
            timeout=120, env=dict(os.environ, XDG_STATE_HOME=self.tmp,
                                  OS_TASK_API_CONFIG_FILES=config_file))
        return process.returncode, process.stdout + process.stderr

    def assertWsgiRefused(self, config_file):
        code, output = self.import_wsgi(config_file)
        self.assertNotEqual(0, code, output)
        # NOTE: the one line the module logs; what the WSGI server does
        # with the exception that follows is its own business.
        lines = [line for line in output.splitlines()
                 if 'CRITICAL task_api.wsgi.api' in line]
        self.assertEqual(1, len(lines), output)
        self.assertIn('] task_api cannot serve: ', lines[0])
        return lines[0]


class TestConfigurationErrors(StartMixin, base.TestCase):

    def test_missing_configuration_file(self):
        missing = os.path.join(self.tmp, 'nope.conf')
        line = self.assertRefused('--config-file', missing, status=2)
        self.assertEqual('task-api: Failed to find some config files: %s'
                         % missing, line)

    def test_syntax_error(self):
        path = self.write_config(text='[api\nbind_port = 1\n')
        line = self.assertRefused('--config-file', path, status=2)
        self.assertEqual("task-api: Failed to parse %s: at %s:1, Invalid "
                         "section (must end with ]): '[api'" % (path, path),
                         line)

    def test_bad_value_of_each_group(self):
        for group, name in (('api', 'bind_port'),
                            ('api', 'max_request_body_size'),
                            ('task', 'task_time_to_live'),
                            ('database', 'max_pool_size'),
                            ('import_filtering_opts', 'allowed_ports'),
                            ('cors', 'max_age'),
                            ('oslo_policy', 'enforce_new_defaults'),
                            ('healthcheck', 'detailed')):
            path = self.write_config(**{group: {name: 'many'}})
            line = self.assertRefused('--config-file', path)
            self.assertIn('Invalid configuration: [%s] %s: invalid value ('
                          % (group, name), line)
            self.assertTrue(line.endswith("'many') in %s" % path), line)
            self.assertWsgiRefused(path)

    def test_bad_value_in_the_wsgi_module(self):
        path = self.write_config(task={'task_time_to_live': 'forever'})
        line = self.assertWsgiRefused(path)
        self.assertIn("[task] task_time_to_live: invalid value (invalid "
                      "literal for int() with base 10: 'forever') in %s"
                      % path, line)

    def test_port_in_use(self):
        with socket.socket() as busy:
            busy.bind(('127.0.0.1', 0))
            busy.listen()
            port = busy.getsockname()[1]
            path = self.write_config(api={'bind_port': str(port)})
            line = self.assertRefused('--config-file', path)
        self.assertTrue(line.endswith(
            'Invalid configuration: cannot listen on 127.0.0.1 port %d: '
            'Address already in use' % port), line)

    def test_keystone_mode_without_keystone_authtoken(self):
        path = self.write_config(api={'auth_mode': 'keystone'})
        line = self.assertRefused('--config-file', path)
        self.assertIn('[keystone_authtoken] does not set auth_type, '
                      'auth_url, username, password, project_name', line)
        line = self.assertWsgiRefused(path)
        self.assertIn('[keystone_authtoken] does not set auth_type', line)

    def test_bad_value_of_a_keystonemiddleware_option(self):
        path = self.write_config(
            api={'auth_mode': 'keystone'},
            keystone_authtoken=dict(keystone.COMPLETE,
                                    token_cache_time='soon'))
        line = self.assertRefused('--config-file', path)
        self.assertIn("[keystone_authtoken] token_cache_time: invalid value "
                      "(invalid literal for int() with base 10: 'soon') in "
                      "%s" % path, line)

    def test_paste_file_without_the_application(self):
        paste = os.path.join(self.tmp, 'api-paste.ini')
        with open(paste, 'w') as stream:
            stream.write('[app:other]\nuse = egg:Paste#urlmap\n')
        path = self.write_config(api={'paste_config': paste})
        # NOTE: task-api serves the pipeline that logs each request; the
        # WSGI module, the main one.
        line = self.assertRefused('--config-file', path)
        self.assertIn("Invalid configuration: cannot build the API from %s: "
                      "LookupError: No section 'server'" % paste, line)
        self.assertIn("cannot build the API from %s: LookupError: No "
                      "section 'main'" % paste, self.assertWsgiRefused(path))


class TestCommandLine(StartMixin, base.TestCase):

    def test_version(self):
        code, output = self.run_task_api('--version')
        self.assertEqual(0, code)
        self.assertRegex(output.strip(), r'^\d+\.\d+\.\d+')

    def test_help_describes_the_program(self):
        code, output = self.run_task_api('--help')
        self.assertEqual(0, code)
        self.assertIn('--host ADDRESS', output)
        self.assertIn('--port PORT', output)
        self.assertIn('Serve the tasks resource of the OpenStack Image API '
                      'v2', ' '.join(output.split()))

    def test_host_and_port_keep_a_local_trial_in_noauth_mode(self):
        process = server.run_server(
            ['--host', '127.0.0.1', '--port', '0'],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env=dict(os.environ, XDG_STATE_HOME=self.tmp))
        self.addCleanup(self._kill, process)
        lines = []

        def read():
            lines.append(process.stdout.readline())
            return ''.join(lines)

        port = server.wait_for_port(process, read)
        self.assertIn('(auth mode noauth)', ''.join(lines))
        api = server.TaskApiServer.__new__(server.TaskApiServer)
        api.url = 'http://127.0.0.1:%d' % port
        self.assertEqual([], api.get_json('/v2/tasks')['tasks'])


class TestEmbeddedDatabase(StartMixin, base.TestCase):

    def test_wsgi_module_creates_the_sqlite_schema(self):
        path = self.write_config()
        code, output = self.import_wsgi(path, textwrap.dedent('''
            import webtest
            from task_api.wsgi import api
            app = webtest.TestApp(api.application,
                                  extra_environ={'REMOTE_ADDR': '127.0.0.1'})
            response = app.get('/v2/tasks', headers={'Accept': 'text/plain'})
            print(response.status_int, response.body.decode())
            '''))
        self.assertEqual(0, code, output)
        status, body = output.strip().splitlines()[-1].split(' ', 1)
        self.assertEqual('200', status, output)
        self.assertEqual([], json.loads(body)['tasks'])
        engine = sa.create_engine('sqlite:///%s/task_api.sqlite'
                                  % self.state_path)
        self.addCleanup(engine.dispose)
        self.assertIn('tasks', sa.inspect(engine).get_table_names())

    def test_wsgi_processes_starting_together_share_the_schema(self):
        # As the processes of a WSGI server, on an empty state_path.
        path = self.write_config()
        env = dict(os.environ, XDG_STATE_HOME=self.tmp,
                   OS_TASK_API_CONFIG_FILES=path)
        go = os.path.join(self.tmp, 'go')
        # Each process loads everything first, then all start at once.
        script = textwrap.dedent('''
            import os, time
            from task_api.api import pipeline
            from task_api.common import service
            while not os.path.exists(%r):
                time.sleep(0.01)
            import task_api.wsgi.api
            ''') % go
        processes = [subprocess.Popen(
            [sys.executable, '-c', script],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env,
            text=True) for _ in range(6)]
        time.sleep(3)
        open(go, 'w').close()
        for process in processes:
            output, _ = process.communicate(timeout=120)
            self.assertEqual(0, process.returncode, output)


class ServerDatabaseTests(StartMixin):
    """An empty database provisioned on a server for each test."""

    def setUp(self):
        super().setUp()
        self.url = sqla_api.get_engine().url

    def config_for(self, url):
        return self.write_config(database={
            'connection': url.render_as_string(hide_password=False)})

    def assertDatabaseRefused(self, url, expected):
        path = self.config_for(url)
        line = self.assertRefused('--config-file', path)
        self.assertIn(expected, line)
        self.assertNotIn(':openstack_citest@', line)
        line = self.assertWsgiRefused(path)
        self.assertIn(expected, line)
        return line

    def test_schema_never_migrated(self):
        self.assertDatabaseRefused(
            self.url, 'has no task_api schema; run "task-api-manage db '
                      'sync"')

    def test_migrated_schema_serves(self):
        migration.upgrade(engine=sqla_api.get_engine())
        path = self.config_for(self.url)
        code, output = self.import_wsgi(path, textwrap.dedent('''
            import webtest
            from task_api.wsgi import api
            app = webtest.TestApp(api.application,
                                  extra_environ={'REMOTE_ADDR': '127.0.0.1'})
            print(app.get('/v2/tasks').status_int)
            '''))
        self.assertEqual((0, '200'), (code, output.strip().splitlines()[-1]),
                         output)
        # The start names the database, its password masked.
        self.assertIn('Database: %s\n' % self.url.render_as_string(
            hide_password=True), output)
        self.assertIn(':***@', output)
        self.assertNotIn(':openstack_citest@', output)

    def test_schema_of_a_newer_release(self):
        engine = sqla_api.get_engine()
        migration.upgrade(engine=engine)
        with engine.begin() as connection:
            connection.execute(sa.text(
                "UPDATE %s SET version_num = '0123456789ab'"
                % migration.VERSION_TABLE))
        self.assertDatabaseRefused(
            self.url, 'is at revision 0123456789ab, which this task_api '
                      'does not know')

    def test_wrong_password(self):
        self.assertDatabaseRefused(self.url.set(password='wrong'),
                                   'cannot reach the database')

    def test_missing_database(self):
        self.assertDatabaseRefused(
            self.url.set(database='task_api_no_such_database'),
            'task_api_no_such_database')

    def test_unknown_driver(self):
        path = self.write_config(database={
            'connection': 'postgres://u:p@127.0.0.1/task_api'})
        line = self.assertRefused('--config-file', path)
        self.assertIn('[database] connection: Can\'t load plugin: '
                      'sqlalchemy.dialects:postgres', line)
        self.assertWsgiRefused(path)

    def test_garbage_connection(self):
        path = self.write_config(database={'connection': 'garbage'})
        line = self.assertRefused('--config-file', path)
        self.assertIn('[database] connection: Could not parse SQLAlchemy '
                      'URL', line)
        self.assertWsgiRefused(path)


class TestStartPostgreSQL(ServerDatabaseTests, base.DbTestCase):
    FIXTURE = task_fixtures.EmptyPostgreSQLDatabase


class TestStartMySQL(ServerDatabaseTests, base.DbTestCase):
    FIXTURE = task_fixtures.EmptyMySQLDatabase
