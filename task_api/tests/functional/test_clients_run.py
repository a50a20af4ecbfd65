"""The real clients, unchanged, watching tasks that task_api runs.

A task-api process serves the API and runs a worker beside it
(``[api] run_worker``); an HTTP server in the test process serves the
images the import tasks fetch. python-glanceclient's ``glance`` command
polls ``task-show`` until the task ends, and openstacksdk's
``wait_for_task`` waits for a success and for a failure, as their users
do against Glance.
"""

import hashlib
import json
import os
import subprocess
import time

import fixtures
from openstack import connection
from openstack import exceptions as sdk_exceptions

from task_api.tests import base
from task_api.tests.functional import server
from task_api.tests.functional import test_clients
from task_api.tests.functional import test_import

BACKED_FAILURE = ('Image import failed: the qcow2 image of import_from '
                  'fails the safety checks (backing_file: Image has a '
                  'backing file)')


class ClientsWatchTasksRun(base.TestCase):

    def setUp(self):
        super().setUp()
        self.images = self.useFixture(test_import.Server())
        self.images.routes['/disk.raw'] = test_import.body(test_import.RAW)
        self.images.routes['/backed.qcow2'] = test_import.body(
            test_import.qcow2_image(backing_file='/etc/passwd'))
        self.server = self.useFixture(server.TaskApiServer(extra_lines=[
            '[worker]', 'poll_interval = 0.2',
            '[import_filtering_opts]', 'allowed_hosts = 127.0.0.1',
            'allowed_ports = %d' % self.images.port], run_worker='true'))

    def import_input(self, path='/disk.raw', disk_format='raw'):
        return {'import_from': self.images.url(path),
                'import_from_format': disk_format,
                'image_properties': {'name': 'watched',
                                     'disk_format': disk_format,
                                     'container_format': 'bare'}}

    def assertImageStored(self, result):
        """The image of ``result`` is in the embedded store, whole."""
        path = os.path.join(self.server.tmp, 'state', 'images',
                            result['image_id'])
        with open(path, 'rb') as stream:
            data = stream.read()
        self.assertEqual(test_import.RAW, data)
        self.assertEqual(
            (hashlib.sha512(data).hexdigest(), len(data)),
            (result['os_hash_value'], result['size']))


class TestGlanceCommand(ClientsWatchTasksRun):

    def glance(self, *args):
        env = {name: value for name, value in os.environ.items()
               if not name.startswith('OS_')}
        env['HOME'] = self.useFixture(fixtures.TempDir()).path
        process = subprocess.run(
            [server.script('glance'), '--os-image-url', self.server.url,
             '--os-auth-token', 'anything', '--os-image-api-version', '2']
            + list(args), capture_output=True, text=True, timeout=120,
            env=env)
        self.assertEqual(0, process.returncode,
                         process.stdout + process.stderr)
        self.assertNotIn('Traceback', process.stderr)
        return test_clients.parse_properties(process.stdout)

    def test_task_show_until_success(self):
        created = self.glance(
            'task-create', '--type', 'import', '--input',
            json.dumps(self.import_input(), separators=(',', ':')))
        self.assertEqual('pending', created['status'])

        deadline = time.monotonic() + 90
        shown = created
        while shown['status'] in ('pending', 'processing'):
            self.assertLess(time.monotonic(), deadline,
                            self.server.read_log()[-3000:])
            time.sleep(0.5)
            shown = self.glance('task-show', created['id'])

        self.assertEqual(('success', ''),
                         (shown['status'], shown['message']))
        # NOTE: the result as the API gives it; glance wraps long values.
        result = self.server.get_json('/v2/tasks/' + created['id'])['result']
        self.assertEqual(result['image_id'],
                         json.loads(shown['result'])['image_id'])
        self.assertImageStored(result)


class TestOpenStackSDK(ClientsWatchTasksRun):

    def setUp(self):
        super().setUp()
        self.conn = connection.Connection(
            auth_type='none', auth={'endpoint': self.server.url},
            image_endpoint_override=self.server.url)
        self.addCleanup(self.conn.close)

    def test_wait_for_task_to_succeed(self):
        task = self.conn.image.create_task(type='import',
                                           input=self.import_input())

        done = self.conn.image.wait_for_task(task, interval=0.2, wait=90)

        self.assertEqual(('success', ''), (done.status, done.message))
        self.assertIsNotNone(done.expires_at)
        self.assertImageStored(done.result)

    def test_wait_for_task_that_fails(self):
        task = self.conn.image.create_task(
            type='import',
            input=self.import_input('/backed.qcow2', 'qcow2'))

        self.assertRaises(
            sdk_exceptions.ResourceFailure, self.conn.image.wait_for_task,
            task, interval=0.2, wait=90)

        failed = self.conn.image.get_task(task.id)
        self.assertEqual(('failure', BACKED_FAILURE, None),
                         (failed.status, failed.message, failed.result))
        self.assertEqual([], os.listdir(os.path.join(
            self.server.tmp, 'state', 'images')))
