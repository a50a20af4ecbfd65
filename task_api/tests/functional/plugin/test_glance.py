"""task_api inside a real glance-api from PyPI, on Glance's database.

Glance (GLANCE_VERSION) is installed from PyPI into a virtualenv of its
own beside task_api (TASK_API_GLANCE_VENV, or one under /var/tmp built on
first use, with task_api's requirements at the versions of
upper-constraints.txt; Glance's other dependencies as Glance's release
asks), and serves
glance.wsgi.api:application under cheroot with the lines of
etc/task_api/glance-api-paste.ini.fragment in its paste file, a SQLite
database and a file store. In front of Glance's own context filter a
stand-in for keystonemiddleware confirms an administrator's identity.
openstacksdk and raw HTTP talk to that one endpoint.
"""

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request

import fixtures
from openstack import connection
from testtools import content

from task_api.tests import base
from task_api.tests.functional import server

GLANCE_VERSION = '33.0.0'
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__))))))
CLIENT_ID = 'req-0f6d5b2e-8f49-4c55-9f0e-4f0a7c1b9d21'
UNKNOWN_IMAGE = '0d9c8b7a-6f5e-4d3c-9b2a-1f0e9d8c7b6a'
HOST = 'task_api.tests.unit.plugin.host_app'

SERVE = """\
import os
import sys

os.environ['OS_GLANCE_CONFIG_DIR'] = sys.argv[1]
from cheroot import wsgi
from glance.wsgi import api

server = wsgi.Server(('127.0.0.1', 0), api.application, numthreads=4)
server.prepare()
with open(os.path.join(sys.argv[1], 'port.tmp'), 'w') as stream:
    stream.write(str(server.bind_addr[1]))
os.rename(os.path.join(sys.argv[1], 'port.tmp'),
          os.path.join(sys.argv[1], 'port'))
server.serve()
"""

GLANCE_API_CONF = """\
[DEFAULT]
enabled_backends = fs:file

[database]
connection = sqlite:///%(tmp)s/glance.sqlite

[glance_store]
default_backend = fs

[fs]
filesystem_store_datadir = %(tmp)s/images

[os_glance_staging_store]
filesystem_store_datadir = %(tmp)s/staging

[os_glance_tasks_store]
filesystem_store_datadir = %(tmp)s/tasks

[import_filtering_opts]
allowed_hosts = [8.8.8.8]

[paste_deploy]
flavor = trusted
config_file = %(tmp)s/glance-api-paste.ini
"""

# NOTE: Glance's own pipeline with the context filter, trusted identity
# in front of it; the fragment's filter before rootapp.
PIPELINE = ('cors http_proxy_to_wsgi versionnegotiation osprofiler '
            'trusted_identity context task_api rootapp')


def glance_python():
    """The Python of a virtualenv holding Glance and task_api's needs."""
    venv = os.environ.get('TASK_API_GLANCE_VENV') or os.path.join(
        '/var/tmp', 'task_api-glance-%s' % GLANCE_VERSION)
    python = os.path.join(venv, 'bin', 'python')
    marker = os.path.join(venv, '.installed')
    if not os.path.exists(marker):
        subprocess.run([sys.executable, '-m', 'venv', venv], check=True,
                       capture_output=True)
        subprocess.run(
            [python, '-m', 'pip', 'install', '-q', 'glance==' + GLANCE_VERSION,
             '-r', os.path.join(REPO, 'requirements.txt'),
             '-c', os.path.join(REPO, 'upper-constraints.txt')],
            check=True, capture_output=True, timeout=1800)
        open(marker, 'w').close()
    return python


class TestInsideGlance(base.TestCase):

    def setUp(self):
        super().setUp()
        for name in ('no_proxy', 'NO_PROXY'):
            self.useFixture(fixtures.EnvironmentVariable(
                name, '127.0.0.1,localhost'))
        try:
            python = glance_python()
        except (OSError, subprocess.SubprocessError) as error:
            if os.environ.get('TASK_API_REQUIRE_GLANCE'):
                raise
            self.skipTest('cannot install Glance from PyPI: %s' % error)
        self.tmp = self.useFixture(fixtures.TempDir()).path
        for name in ('images', 'staging', 'tasks'):
            os.mkdir(os.path.join(self.tmp, name))
        self.write('glance-api.conf', GLANCE_API_CONF % {'tmp': self.tmp})
        self.write('task_api-plugin.conf', '[api]\napi_limit_max = 500\n')
        self.write('serve.py', SERVE)
        self.write_paste(python)
        env = dict(os.environ, PYTHONPATH=REPO)
        subprocess.run(
            [os.path.join(os.path.dirname(python), 'glance-manage'),
             '--config-file', os.path.join(self.tmp, 'glance-api.conf'),
             'db_sync'], check=True, capture_output=True, env=env,
            timeout=300)
        self.log = open(os.path.join(self.tmp, 'glance-api.log'), 'w+')
        self.addCleanup(self.log.close)
        process = subprocess.Popen(
            [python, os.path.join(self.tmp, 'serve.py'), self.tmp],
            stdout=self.log, stderr=subprocess.STDOUT, env=env)
        self.addCleanup(process.wait)
        self.addCleanup(process.kill)
        self.addOnException(self._attach_log)
        self.url = 'http://127.0.0.1:%d' % self.wait_for_port(process)
        self.conn = connection.Connection(
            auth_type='none', auth={'endpoint': self.url},
            image_endpoint_override=self.url)
        self.addCleanup(self.conn.close)

    def wait_for_port(self, process, timeout=120):
        """The port the server listens on, once it does."""
        path = os.path.join(self.tmp, 'port')
        deadline = time.monotonic() + timeout
        while not os.path.exists(path):
            self.assertIsNone(process.poll(), 'glance-api exited')
            self.assertLess(time.monotonic(), deadline,
                            'glance-api did not start')
            time.sleep(0.2)
        with open(path) as stream:
            return int(stream.read())

    def write(self, name, text):
        with open(os.path.join(self.tmp, name), 'w') as stream:
            stream.write(text)

    def write_paste(self, python):
        """Glance's paste file with the fragment's lines added."""
        etc = os.path.join(os.path.dirname(os.path.dirname(python)), 'etc',
                           'glance', 'glance-api-paste.ini')
        with open(etc) as stream:
            text = stream.read()
        with open(os.path.join(REPO, 'etc', 'task_api',
                               'glance-api-paste.ini.fragment')) as stream:
            fragment = stream.read().replace(
                '/etc/task_api/task_api-plugin.conf', 'task_api-plugin.conf')
        text = text.replace(
            '[composite:api]\npaste.composite_factory = '
            'glance.api:pipeline_factory\n',
            '[composite:api]\npaste.composite_factory = '
            'glance.api:pipeline_factory\ntrusted = %s\n' % PIPELINE)
        text += fragment + (
            '\n[composite:glance-api-trusted]\n'
            'paste.composite_factory = glance.api:root_app_factory\n'
            '/: api\n/healthcheck: healthcheck\n'
            '\n[filter:trusted_identity]\n'
            'paste.filter_factory = %s:trusted_identity_filter_factory\n'
            % HOST)
        self.write('glance-api-paste.ini', text)

    def _attach_log(self, exc_info):
        self.log.seek(0)
        self.addDetail('glance-api.log', content.text_content(
            self.log.read()[-20000:]))

    def request(self, path, method='GET', body=None, headers=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            self.url + path, data=data, method=method,
            headers=dict({'Content-Type': 'application/json'},
                         **(headers or {})))
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()

    def test_both_halves_on_one_endpoint(self):
        # Images are Glance's.
        image = self.conn.image.create_image(
            name='cirros', disk_format='raw', container_format='bare',
            allow_duplicates=True)
        self.assertIn(image.id, [i.id for i in self.conn.image.images()])
        # POST /v2/tasks stays with Glance, which runs the task.
        status, headers, body = self.request(
            '/v2/tasks', method='POST', headers={
                'X-Openstack-Request-Id': CLIENT_ID}, body={
                'type': 'import', 'input': {
                    'import_from': 'http://user:secret@8.8.8.8/x.img',
                    'import_from_format': 'raw',
                    'image_properties': {'name': 'x', 'disk_format': 'raw',
                                         'container_format': 'bare'}}})
        self.assertEqual(201, status, body)
        created = json.loads(body)
        # Reads are task_api's: ETag, masked input, the client's id.
        status, headers, body = self.request(
            '/v2/tasks/' + created['id'],
            headers={'X-Openstack-Request-Id': CLIENT_ID})
        self.assertEqual(200, status, body)
        self.assertRegex(headers['ETag'], r'^"[0-9a-f]{32}"$')
        self.assertEqual(CLIENT_ID, headers['X-Openstack-Request-Id'])
        shown = json.loads(body)
        self.assertEqual('http://user:***@8.8.8.8/x.img',
                         shown['input']['import_from'])
        self.assertEqual(CLIENT_ID, shown['request_id'])
        task = self.conn.image.get_task(created['id'])
        self.assertEqual('http://user:***@8.8.8.8/x.img',
                         task.input['import_from'])
        self.assertIn(created['id'], [t.id for t in self.conn.image.tasks()])
        # python-glanceclient's glance command, unchanged.
        env = {name: value for name, value in os.environ.items()
               if not name.startswith('OS_')}
        env['HOME'] = self.tmp
        process = subprocess.run(
            [server.script('glance'), '--os-image-url', self.url,
             '--os-auth-token', 'anything', '--os-image-api-version', '2',
             'task-show', created['id']],
            capture_output=True, text=True, timeout=120, env=env)
        self.assertEqual(0, process.returncode, process.stderr)
        self.assertIn('http://user:***@8.8.8.8/x.img', process.stdout)
        self.assertNotIn('secret', process.stdout)
        # Image tasks: Glance's images table decides.
        status, _, body = self.request('/v2/images/%s/tasks' % image.id)
        self.assertEqual((200, {'tasks': []}), (status, json.loads(body)))
        status, _, body = self.request('/v2/images/%s/tasks' % UNKNOWN_IMAGE)
        self.assertEqual(404, status, body)
        status, _, body = self.request('/v2/schemas/task')
        self.assertEqual('task', json.loads(body)['name'])
