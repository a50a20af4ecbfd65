"""noauth mode under Apache and mod_wsgi: loopback peers and allowed pages.

The WSGI module cannot know the address Apache listens on, so noauth mode
checks each request's peer. Apache listens here on a loopback address and
on an address of the machine's own network interface.
"""

import http.client
import ipaddress
import json
import os
import subprocess
import sys
import unittest

from oslotest import base
import sqlalchemy as sa
from testtools import content

from task_api.tests import base as tests_base
from task_api.tests.functional import test_apache

TASK_ID = test_apache.DONE_ID
ORIGIN = 'https://dashboard.example.com'


def local_address():
    """An address of this machine that is not a loopback one, or None."""
    try:
        output = subprocess.run(['ip', '-j', 'address', 'show', 'up'],
                                capture_output=True, check=True,
                                timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    candidates = []
    for interface in json.loads(output):
        for info in interface.get('addr_info', []):
            address = ipaddress.ip_address(info['local'])
            if not (address.is_loopback or address.is_link_local):
                candidates.append(address)
    # NOTE: IPv4 first: it needs no brackets and no scope.
    candidates.sort(key=lambda address: address.version)
    return str(candidates[0]) if candidates else None


class NoAuthApacheServer(test_apache.ApacheServer):
    """The Apache of test_apache, also listening on ``address``.

    Its site is a name-less virtual host of its port, so a second Listen
    line on the same port serves the same site on another address.
    """

    def __init__(self, address):
        super().__init__()
        self.address = address

    def _write_httpd_conf(self, sites, user, group):
        path = super()._write_httpd_conf(sites, user, group)
        host = ('[%s]' % self.address if ':' in self.address
                else self.address)
        with open(path, 'a') as stream:
            stream.write('Listen %s:%d\n' % (host, self.port))
        return path

    def _env(self):
        env = super()._env()
        extra = os.path.join(self.workdir, 'cors.conf')
        if not os.path.exists(extra):
            with open(extra, 'w') as stream:
                stream.write('[cors]\nallowed_origin = %s\n' % ORIGIN)
            os.chmod(extra, 0o644)
        env['OS_TASK_API_CONFIG_FILES'] += ';' + extra
        return env

    def call(self, host, method='GET', path='/v2/tasks/' + TASK_ID,
             headers=None, body=None):
        """(status, headers, body text) of a request to ``host``."""
        conn = http.client.HTTPConnection(host, self.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=dict(
                {'Accept': 'application/json'}, **(headers or {})))
            response = conn.getresponse()
            return (response.status, response.headers,
                    response.read().decode('utf-8'))
        finally:
            conn.close()


def _forbidden(explanation):
    return {'message': explanation + '<br /><br />\n\n\n',
            'code': '403 Forbidden', 'title': 'Forbidden'}


class TestNoAuthUnderApache(base.BaseTestCase):

    server = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        missing = []
        if not test_apache._apache_binary():
            missing.append('apache2')
        if not os.path.exists(test_apache.MOD_WSGI):
            missing.append(test_apache.MOD_WSGI)
        wanted = (test_apache._mod_wsgi_python()
                  if not missing else None)
        if wanted and wanted != sys.version_info[:2]:
            missing.append('a virtualenv of Python %d.%d' % wanted)
        cls.address = local_address()
        if not cls.address:
            missing.append('a network address that is not loopback')
        if missing:
            message = 'not available: %s' % ', '.join(missing)
            if test_apache._apache_required():
                raise AssertionError(message)
            raise unittest.SkipTest(message)
        server = NoAuthApacheServer(cls.address)
        try:
            server.start()
            engine = sa.create_engine('sqlite:///%s' % server.db_path)
            try:
                tests_base.insert_task_rows(engine, id=TASK_ID)
            finally:
                engine.dispose()
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

    def setUp(self):
        super().setUp()
        self.addOnException(lambda exc_info: self.addDetail(
            'apache-logs', content.text_content(self.server.logs())))

    def test_loopback_peer_is_served(self):
        status, _, body = self.server.call('127.0.0.1')
        self.assertEqual(200, status, body)
        self.assertEqual(TASK_ID, json.loads(body)['id'])

    def test_other_peer_is_refused_and_logged(self):
        status, headers, body = self.server.call(self.address)
        self.assertEqual(403, status, body)
        self.assertEqual(_forbidden(
            'The API runs without authentication and answers loopback '
            'addresses only; set [api] allow_noauth_on_public_bind = true '
            'to serve other hosts.'), json.loads(body))
        self.assertRegex(headers['x-openstack-request-id'], '^req-')
        status, _, _ = self.server.call(
            self.address, 'POST', '/v2/tasks',
            body=b'{"type": "api_image_import", "input": {}}')
        self.assertEqual(403, status)
        self.assertIn("noauth mode: refused GET '/v2/tasks/%s' from '%s'"
                      % (TASK_ID, self.address), self.server.logs())

    def test_web_page_of_another_origin_is_refused(self):
        status, _, body = self.server.call(
            '127.0.0.1', 'POST', '/v2/tasks',
            headers={'Origin': 'https://evil.example.com',
                     'Content-Type': 'text/plain'},
            body=b'{"type": "api_image_import", "input": {}}')
        self.assertEqual(403, status, body)
        self.assertEqual(_forbidden(
            'The API runs without authentication and answers no web page '
            'of an origin that [cors] allowed_origin does not list.'),
            json.loads(body))
        status, headers, body = self.server.call(
            '127.0.0.1', headers={'Origin': ORIGIN})
        self.assertEqual(200, status, body)
        self.assertEqual(ORIGIN, headers['Access-Control-Allow-Origin'])
