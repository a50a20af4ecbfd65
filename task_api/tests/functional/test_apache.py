"""The API served by Apache httpd and mod_wsgi from the shipped template."""

import datetime
import glob
import grp
import http.client
import importlib.util
import json
import os
import pwd
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
import unittest

from oslotest import base
import sqlalchemy as sa
from testtools import content

from task_api.db.sqlalchemy import models
from task_api.tests.functional import test_raw_requests as raw

REPO_DIR = os.path.abspath(os.path.join(
    os.path.dirname(__file__), '..', '..', '..'))
TEMPLATE = os.path.join(REPO_DIR, 'etc', 'apache2', 'task_api.conf.template')
PASTE_CONFIG = os.path.join(REPO_DIR, 'etc', 'task_api', 'api-paste.ini')
APACHE_MODULES = '/usr/lib/apache2/modules'
MOD_WSGI = os.path.join(APACHE_MODULES, 'mod_wsgi.so')
PREFIX = '/image'
START_TIMEOUT = 60

DONE_ID = '6f0c6a47-3d5e-4f0e-9a43-4b6a2d1c0e51'
PENDING_ID = 'b1d3e5f7-0a2c-4e6a-8c0e-2a4c6e8a0c2e'
UNKNOWN_ID = 'f1e2d3c4-b5a6-4798-8a1b-2c3d4e5f6a7b'
OWNER = 'aaaaaaaa-1111-4111-8111-aaaaaaaaaaaa'
IMAGE_ID = 'c0ffee00-1234-4567-89ab-cdef01234567'
REQUEST_ID = 'req-11111111-2222-4333-8444-555555555555'


def _apache_binary():
    path = os.pathsep.join([os.environ.get('PATH', ''), '/usr/sbin', '/sbin'])
    return shutil.which('apache2', path=path)


def _apache_required():
    """Whether a missing Apache fails the test rather than skipping it."""
    return bool(os.environ.get('TASK_API_REQUIRE_APACHE'))


def _mod_wsgi_python():
    """The major.minor version of the libpython mod_wsgi is linked with."""
    with open(MOD_WSGI, 'rb') as f:
        found = re.search(rb'libpython(\d+)\.(\d+)', f.read())
    return (int(found.group(1)), int(found.group(2))) if found else None


def _free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def _untraversable(path, user):
    """The directories from ``path`` up to / that ``user`` cannot enter.

    Apache's daemon processes run as ``user`` (www-data when the tests run
    as root) and must reach the virtualenv, mod_wsgi's python-home, and
    the source tree, from the root directory down. The tests do not change
    permissions outside their own temporary directory: they name what
    blocks instead.
    """
    account = pwd.getpwnam(user)
    groups = {account.pw_gid} | {
        group.gr_gid for group in grp.getgrall() if user in group.gr_mem}
    blocked = []
    path = os.path.abspath(path)
    while True:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            if info.st_uid == account.pw_uid:
                allowed = info.st_mode & stat.S_IXUSR
            elif info.st_gid in groups:
                allowed = info.st_mode & stat.S_IXGRP
            else:
                allowed = info.st_mode & stat.S_IXOTH
            if not allowed:
                blocked.append(path)
        parent = os.path.dirname(path)
        if parent == path:
            return blocked
        path = parent


def _render(template, values):
    text = template
    for name, value in values.items():
        text = text.replace('%' + name + '%', str(value))
    left = sorted(set(re.findall(r'%[A-Z]+%', text)))
    if left:
        raise AssertionError('placeholders left unrendered: %s' % left)
    return text


def _ts(value):
    return value.strftime('%Y-%m-%dT%H:%M:%SZ')


def _require_apache():
    """Skip the test class, or fail under CI, when Apache cannot serve it."""
    missing = []
    if not _apache_binary():
        missing.append('apache2 (Debian package apache2)')
    if not os.path.exists(MOD_WSGI):
        missing.append('%s (Debian package libapache2-mod-wsgi-py3)'
                       % MOD_WSGI)
    if missing:
        message = 'not installed: %s' % ', '.join(missing)
        if _apache_required():
            raise AssertionError(
                message + ' (TASK_API_REQUIRE_APACHE is set)')
        raise unittest.SkipTest(message)
    wanted = _mod_wsgi_python()
    if wanted and wanted != sys.version_info[:2]:
        message = (
            'mod_wsgi embeds Python %d.%d but the tests run on %d.%d; '
            'run tox on a Python %d.%d (e.g. tox installed with '
            'python%d.%d -m pip) to test under Apache'
            % (wanted + sys.version_info[:2] + wanted + wanted))
        if _apache_required():
            raise AssertionError(
                message + ' (TASK_API_REQUIRE_APACHE is set)')
        raise unittest.SkipTest(message)


def _started(server):
    """Start ``server``; skip, or fail under CI, if this machine cannot."""
    try:
        server.start()
    except ApacheUnusable as error:
        server.stop()
        if _apache_required():
            raise AssertionError(
                '%s (TASK_API_REQUIRE_APACHE is set)' % error)
        raise unittest.SkipTest(str(error))
    except BaseException:
        server.stop()
        raise
    return server


class ApacheUnusable(Exception):
    """This machine cannot run the Apache tests; the message says why."""


class ApacheServer:
    """A throwaway Apache httpd serving task_api from the site template.

    It serves the API twice: at the root of one port and under PREFIX on
    another, each through its own rendering of the template.
    """

    def __init__(self, extra_lines=()):
        self.extra_lines = list(extra_lines)
        self.apache = _apache_binary()
        self.workdir = None
        self.pid = None
        self.port = None
        self.prefix_port = None

    def start(self):
        self.workdir = tempfile.mkdtemp(prefix='task_api-apache-')
        os.chmod(self.workdir, 0o755)
        self.data_dir = self._mkdir('data', 0o777)
        self.state_dir = self._mkdir('data/state', 0o777)
        self.run_dir = self._mkdir('run', 0o755)
        self.log_dir = self._mkdir('logs', 0o755)
        self.htdocs_dir = self._mkdir('htdocs', 0o755)
        self.db_path = os.path.join(self.data_dir, 'task_api.sqlite')
        self.config_file = self._write_config()
        self._sync_db()
        os.chmod(self.db_path, 0o666)

        wsgi_script = importlib.util.find_spec('task_api.wsgi.api').origin
        if os.geteuid() == 0:
            user, group = 'www-data', 'www-data'
            blocked = sorted({blocked for path in (
                sys.prefix, REPO_DIR, os.path.dirname(wsgi_script))
                for blocked in _untraversable(path, user)})
            if blocked:
                raise ApacheUnusable(
                    'Apache runs the application as %s, which cannot enter '
                    '%s; allow it (chmod o+x %s) or run the tests as another '
                    'user' % (user, ', '.join(blocked), ' '.join(blocked)))
        else:
            # Apache keeps the identity of whoever starts it.
            user = pwd.getpwuid(os.getuid()).pw_name
            group = grp.getgrgid(os.getgid()).gr_name

        with open(TEMPLATE) as f:
            self.template = f.read()
        self.user, self.group = user, group
        self.wsgi_script = wsgi_script
        # NOTE: Apache cannot say which port it got for port 0: free ports
        # are picked, and picked again if another process took one first.
        for attempt in range(5):
            try:
                self._start_on_free_ports()
                break
            except AssertionError as error:
                if 'Address already in use' not in str(error) or attempt == 4:
                    raise
        self._wait_until_serving(self.port, '/')
        self._wait_until_serving(self.prefix_port, PREFIX + '/')

    def _start_on_free_ports(self):
        template, user, group = self.template, self.user, self.group
        wsgi_script = self.wsgi_script
        self.port = _free_port()
        self.prefix_port = _free_port()
        sites = []
        for name, port, prefix, workers in (('root', self.port, '/', 2),
                                            ('prefix', self.prefix_port,
                                             PREFIX, 1)):
            log_dir = self._mkdir('logs/' + name, 0o755)
            site = os.path.join(self.workdir, 'task_api-%s.conf' % name)
            with open(site, 'w') as f:
                f.write(_render(template, {
                    'BINDHOST': '127.0.0.1',
                    'PUBLICPORT': port,
                    'PREFIX': prefix,
                    'USER': user,
                    'GROUP': group,
                    'APIWORKERS': workers,
                    'THREADS': 4,
                    'VIRTUALENV': sys.prefix,
                    'WSGISCRIPT': wsgi_script,
                    'LOGDIR': log_dir,
                }))
            sites.append(site)
        self.httpd_conf = self._write_httpd_conf(sites, user, group)

        self._apache('-t')
        self._apache('-k', 'start')
        self.pid = self._read_pid()

    def stop(self):
        if self.pid is not None:
            subprocess.run([self.apache, '-f', self.httpd_conf, '-k', 'stop'],
                           stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=30)
            deadline = time.monotonic() + 20
            while self._alive() and time.monotonic() < deadline:
                time.sleep(0.1)
            if self._alive():
                os.kill(self.pid, signal.SIGKILL)
            self.pid = None
        if self.workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None

    def logs(self):
        """The text of every log Apache and the application wrote."""
        texts = []
        if not self.workdir:
            return ''
        pattern = os.path.join(self.workdir, 'logs', '**', '*.log')
        for path in sorted(glob.glob(pattern, recursive=True)):
            with open(path, errors='replace') as f:
                text = f.read()
            # The tail is what matters; a traceback is well within it.
            texts.append('==> %s <==\n%s' % (path, text[-20000:]))
        return '\n'.join(texts)

    def request(self, path, port=None, headers=None):
        """GET path; return (status, headers, body as text)."""
        conn = http.client.HTTPConnection('127.0.0.1', port or self.port,
                                          timeout=30)
        try:
            conn.request('GET', path, headers=headers or {})
            resp = conn.getresponse()
            return resp.status, resp.headers, resp.read().decode('utf-8')
        finally:
            conn.close()

    def _mkdir(self, name, mode):
        path = os.path.join(self.workdir, name)
        os.makedirs(path, exist_ok=True)
        os.chmod(path, mode)
        return path

    def _env(self):
        env = dict(os.environ)
        # The daemon processes inherit Apache's environment; none of the
        # test runner's own Python settings may leak into them.
        for name in ('PYTHONHOME', 'PYTHONPATH', 'PYTHONSTARTUP',
                     'OS_TASK_API_CONFIG_DIR'):
            env.pop(name, None)
        env['OS_TASK_API_CONFIG_FILES'] = self.config_file
        return env

    def _write_config(self):
        path = os.path.join(self.workdir, 'task_api.conf')
        lines = [
            '[DEFAULT]',
            'state_path = %s' % self.state_dir,
            '',
            '[api]',
            'auth_mode = noauth',
        ]
        if os.path.exists(PASTE_CONFIG):
            lines.append('paste_config = %s' % PASTE_CONFIG)
        lines += [
            '',
            '[database]',
            'connection = sqlite:///%s' % self.db_path,
        ] + self.extra_lines
        with open(path, 'w') as f:
            f.write('\n'.join(lines) + '\n')
        os.chmod(path, 0o644)
        return path

    def _sync_db(self):
        manage = os.path.join(os.path.dirname(sys.executable),
                              'task-api-manage')
        if not os.path.exists(manage):
            manage = shutil.which('task-api-manage')
        if not manage:
            raise AssertionError(
                'task-api-manage is not installed beside %s; reinstall '
                'task_api in this environment (tox -r)' % sys.executable)
        result = subprocess.run(
            [manage, '--config-file', self.config_file, 'db', 'sync'],
            env=self._env(), stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, timeout=120)
        if result.returncode or not os.path.exists(self.db_path):
            raise AssertionError(
                'task-api-manage db sync failed (exit %d):\n%s' % (
                    result.returncode,
                    result.stdout.decode('utf-8', 'replace')))

    def _write_httpd_conf(self, sites, user, group):
        lines = [
            'ServerRoot "/etc/apache2"',
            'ServerName localhost',
            'DefaultRuntimeDir "%s"' % self.run_dir,
            'PidFile "%s"' % os.path.join(self.run_dir, 'httpd.pid'),
            'ErrorLog "%s"' % os.path.join(self.log_dir, 'error.log'),
            'LogLevel warn wsgi:info',
            'Timeout 60',
        ]
        if os.geteuid() == 0:
            lines += ['User %s' % user, 'Group %s' % group]
        lines += [
            'LoadModule mpm_event_module %s/mod_mpm_event.so'
            % APACHE_MODULES,
            'LoadModule authz_core_module %s/mod_authz_core.so'
            % APACHE_MODULES,
            'LoadModule wsgi_module %s' % MOD_WSGI,
            'WSGISocketPrefix "%s"' % os.path.join(self.run_dir, 'wsgi'),
            # As in Debian's apache2.conf: nothing is served unless a site
            # grants it, so the template has to grant its own URLs, while
            # the document root is open (mod_wsgi looks PATH_INFO up in it
            # to set PATH_TRANSLATED, which would log a denial otherwise).
            '<Directory />',
            '    AllowOverride None',
            '    Require all denied',
            '</Directory>',
            'DocumentRoot "%s"' % self.htdocs_dir,
            '<Directory "%s">' % self.htdocs_dir,
            '    Require all granted',
            '</Directory>',
        ]
        lines += ['Include "%s"' % site for site in sites]
        path = os.path.join(self.workdir, 'httpd.conf')
        with open(path, 'w') as f:
            f.write('\n'.join(lines) + '\n')
        return path

    def _apache(self, *args):
        result = subprocess.run(
            [self.apache, '-f', self.httpd_conf] + list(args),
            env=self._env(), stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, timeout=60)
        if result.returncode:
            raise AssertionError('apache2 %s failed (exit %d):\n%s\n%s' % (
                ' '.join(args), result.returncode,
                result.stdout.decode('utf-8', 'replace'), self.logs()))

    def _read_pid(self):
        pid_file = os.path.join(self.run_dir, 'httpd.pid')
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with open(pid_file) as f:
                    return int(f.read().strip())
            except (OSError, ValueError):
                time.sleep(0.1)
        raise AssertionError('Apache wrote no pid file:\n%s' % self.logs())

    def _alive(self):
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        # A zombie is gone for our purposes.
        try:
            with open('/proc/%d/stat' % self.pid) as f:
                return f.read().split(')')[-1].split()[0] != 'Z'
        except OSError:
            return False

    def _wait_until_serving(self, port, path):
        """Wait for an HTTP answer, whatever its status, from the app."""
        deadline = time.monotonic() + START_TIMEOUT
        error = None
        while time.monotonic() < deadline:
            if not self._alive():
                raise AssertionError('Apache exited:\n%s' % self.logs())
            try:
                self.request(path, port=port)
                return
            except (OSError, http.client.HTTPException) as exc:
                error = exc
                time.sleep(0.2)
        raise AssertionError('Apache did not answer on port %d within %d s '
                             '(%s):\n%s' % (port, START_TIMEOUT, error,
                                            self.logs()))


class TestApacheModWsgi(base.BaseTestCase):
    """Show, 404 and the versions document through Apache and mod_wsgi."""

    server = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        _require_apache()
        cls.created = datetime.datetime(2026, 11, 29, 4, 28, 35, 123456)
        cls.updated = datetime.datetime(2026, 11, 29, 4, 31, 2, 987654)
        cls.expires = cls.updated + datetime.timedelta(hours=48)
        server = _started(ApacheServer())
        try:
            cls._insert_tasks(server.db_path)
        except BaseException:
            server.stop()
            raise
        cls.server = server

    @classmethod
    def tearDownClass(cls):
        if cls.server is not None:
            cls.server.stop()
            cls.server = None
        super().tearDownClass()

    @classmethod
    def _insert_tasks(cls, db_path):
        engine = sa.create_engine('sqlite:///%s' % db_path)
        common = {'type': 'import', 'owner': OWNER, 'deleted': False,
                  'deleted_at': None, 'created_at': cls.created,
                  'updated_at': cls.updated}
        tasks = [
            dict(common, id=DONE_ID, status='success',
                 expires_at=cls.expires, image_id=IMAGE_ID,
                 request_id=REQUEST_ID, user_id='u1'),
            dict(common, id=PENDING_ID, status='pending', expires_at=None,
                 image_id=None, request_id=None, user_id=None),
        ]
        infos = [
            {'task_id': DONE_ID, 'input': cls._input(),
             'result': {'image_id': IMAGE_ID}, 'message': ''},
            {'task_id': PENDING_ID, 'input': cls._input(),
             'result': None, 'message': ''},
        ]
        try:
            with engine.begin() as conn:
                conn.execute(sa.insert(models.Task.__table__), tasks)
                conn.execute(sa.insert(models.TaskInfo.__table__), infos)
        finally:
            engine.dispose()

    @staticmethod
    def _input():
        return {'import_from': 'http://example.com/cirros.qcow2',
                'import_from_format': 'qcow2',
                'image_properties': {'name': 'cirros-\u00e9t\u00e9',
                                     'disk_format': 'qcow2'}}

    def setUp(self):
        super().setUp()
        self.logs_shown = False
        self.addOnException(self._attach_logs)

    def _attach_logs(self, exc_info):
        if self.server and not self.logs_shown:
            self.addDetail('apache-logs',
                           content.text_content(self.server.logs()))

    def _get(self, path, status, port=None, headers=None):
        """GET path, insisting on status; return (headers, body text)."""
        headers = dict({'Accept': 'application/json'}, **(headers or {}))
        got, resp_headers, body = self.server.request(path, port=port,
                                                      headers=headers)
        if got != status:
            self.logs_shown = True
            self.fail('GET %s answered %d, not %d; body:\n%s\n\nlogs:\n%s' % (
                path, got, status, body, self.server.logs()))
        return resp_headers, body

    def _expected_done(self):
        return {
            'id': DONE_ID,
            'input': self._input(),
            'type': 'import',
            'status': 'success',
            'owner': OWNER,
            'message': '',
            'result': {'image_id': IMAGE_ID},
            'created_at': _ts(self.created),
            'updated_at': _ts(self.updated),
            'self': '/v2/tasks/%s' % DONE_ID,
            'schema': '/v2/schemas/task',
            'image_id': IMAGE_ID,
            'request_id': REQUEST_ID,
            'user_id': 'u1',
            'expires_at': _ts(self.expires),
        }

    def _assert_body(self, expected, body):
        got = json.loads(body)
        self.assertEqual(expected, got)
        self.assertEqual(list(expected), list(got))

    def _assert_request_id(self, headers):
        self.assertRegex(headers.get('x-openstack-request-id') or '',
                         r'^req-[0-9a-f-]{36}$')

    def test_show_task(self):
        headers, body = self._get('/v2/tasks/%s' % DONE_ID, 200)

        self._assert_body(self._expected_done(), body)
        self.assertTrue(headers.get('Content-Type', '').startswith(
            'application/json'))
        self.assertTrue(headers.get('ETag'))
        self._assert_request_id(headers)

    def test_show_task_without_optional_fields(self):
        headers, body = self._get('/v2/tasks/%s' % PENDING_ID, 200)

        self._assert_body({
            'id': PENDING_ID,
            'input': self._input(),
            'type': 'import',
            'status': 'pending',
            'owner': OWNER,
            'message': '',
            'result': None,
            'created_at': _ts(self.created),
            'updated_at': _ts(self.updated),
            'self': '/v2/tasks/%s' % PENDING_ID,
            'schema': '/v2/schemas/task',
        }, body)
        self.assertTrue(headers.get('ETag'))
        self._assert_request_id(headers)

    def test_show_with_matching_etag_returns_304(self):
        headers, _ = self._get('/v2/tasks/%s' % DONE_ID, 200)

        again, body = self._get('/v2/tasks/%s' % DONE_ID, 304,
                                headers={'If-None-Match': headers['ETag']})

        self.assertEqual('', body)
        self._assert_request_id(again)

    def test_missing_task_returns_404(self):
        headers, body = self._get('/v2/tasks/%s' % UNKNOWN_ID, 404)

        self.assertEqual({
            'message': 'Could not find task %s<br /><br />\n\n\n'
                       % UNKNOWN_ID,
            'code': '404 Not Found',
            'title': 'Not Found',
        }, json.loads(body))
        self._assert_request_id(headers)

    def _assert_versions(self, body, base_url):
        versions = json.loads(body)['versions']
        self.assertIn('v2.12', [v['id'] for v in versions])
        self.assertEqual(1, [v['status'] for v in versions].count('CURRENT'))
        for version in versions:
            self.assertEqual([{'rel': 'self', 'href': base_url + '/v2/'}],
                             version['links'])

    def test_root_returns_300_with_versions(self):
        _, body = self._get('/', 300)

        self._assert_versions(body, 'http://127.0.0.1:%d' % self.server.port)

    def test_versions_returns_200(self):
        _, body = self._get('/versions', 200)

        self._assert_versions(body, 'http://127.0.0.1:%d' % self.server.port)

    def test_served_under_a_prefix(self):
        port = self.server.prefix_port

        _, body = self._get(PREFIX + '/v2/tasks/%s' % DONE_ID, 200, port=port)
        self._assert_body(self._expected_done(), body)

        _, body = self._get(PREFIX + '/versions', 200, port=port)
        self._assert_versions(body, 'http://127.0.0.1:%d%s' % (port, PREFIX))

        # Outside the prefix Apache answers by itself.
        status, headers, _ = self.server.request('/v2/tasks/%s' % DONE_ID,
                                                 port=port)
        self.assertEqual(404, status)
        self.assertIsNone(headers.get('x-openstack-request-id'))

    def test_oversized_bodies_are_refused_unread(self):
        port = self.server.port
        total = 50 * 1024 * 1024
        sent, (status, headers, body) = raw.send_until_answered(
            self, port, b'POST /v2/tasks HTTP/1.1\r\nHost: t\r\n'
            b'Content-Length: %d\r\n\r\n' % total, b' ' * 65536, total)
        self.assertEqual(413, status, body)
        self.assertIn(b'The request body is larger than 1048576 bytes.',
                      body)
        # NOTE: Apache itself drains what the client sends after the
        # answer (its LimitRequestBody bounds that); the application never
        # reads it.
        sent, (status, headers, body) = raw.send_endless_chunked(
            self, port, b'/v2/tasks', total=total)
        self.assertIn(status, (411, 413), body)
        self.assertLess(sent, total // 4)


class TestApacheRefusesToServe(base.BaseTestCase):
    """The WSGI module does not serve a keystone mode that cannot work."""

    # NOTE: in setUpClass, as TestApacheModWsgi: a test's own temporary
    # directory is private to it, and www-data could not enter it.
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        _require_apache()
        cls.server = _started(ApacheServer(extra_lines=[
            '[api]', 'auth_mode = keystone']))

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        super().tearDownClass()

    def test_every_request_fails_and_the_log_says_why(self):
        for path in ('/versions', '/v2/tasks'):
            status, _headers, body = self.server.request(path)
            self.assertEqual(500, status, body)
            self.assertNotIn('keystone', body)
        logs = self.server.logs()
        self.assertIn('task_api cannot serve: Invalid configuration: [api] '
                      'auth_mode is keystone but [keystone_authtoken] does '
                      'not set auth_type, auth_url, username, password, '
                      'project_name: no request could be authenticated',
                      logs)
