"""Import tasks whose target is an Image service: a real Glance.

Glance runs as in task_api.tests.functional.plugin.test_glance (from PyPI,
its own SQLite database and file store, an administrator's identity
confirmed in front of its context filter), with ``image_size_cap`` set so
that an upload can be refused. task_api reaches it through ``[glance]``
(keystoneauth, ``auth_type = none`` and ``endpoint_override``); its own
tasks are in a SQLite file.
"""

import hashlib
import json
import os

from oslo_utils import uuidutils

from task_api.conf import glance as glance_conf
from task_api import context as task_context
from task_api.db import api as db_api
from task_api.db import migration
from task_api.db.sqlalchemy import api as sqla_api
from task_api.tests import base
from task_api.tests.functional.plugin import test_glance
from task_api.tests.functional import test_import
from task_api.tests.functional import test_worker
from task_api.worker import runner

#: Glance's image_size_cap in these tests.
SIZE_CAP = 1024 * 1024
OWNER = 'bbbbbbbb-2222-4222-8222-bbbbbbbbbbbb'


class TestImportIntoGlance(test_glance.TestInsideGlance):

    # NOTE: the plugin's own test runs in its own class.
    test_both_halves_on_one_endpoint = None

    def write(self, name, text):
        if name == 'glance-api.conf':
            text = text.replace('[DEFAULT]\n', '[DEFAULT]\nimage_size_cap = '
                                '%d\n' % SIZE_CAP, 1)
        super().write(name, text)

    def setUp(self):
        super().setUp()
        test_worker.use_sqlite_file(self, os.path.join(self.tmp,
                                                       'task_api.sqlite'))
        migration.upgrade(engine=sqla_api.get_engine())
        self.server = self.useFixture(test_import.Server())
        self.config(state_path=self.tmp)
        self.config(allowed_hosts=['127.0.0.1'],
                    allowed_ports=[self.server.port],
                    group='import_filtering_opts')
        self.config(import_target='glance', group='task')
        glance_conf.register_opts(base.CONF)
        self.config(auth_type='none', endpoint_override=self.url,
                    group='glance')
        self.registry = test_import.registry()

    def run_import(self, path, disk_format, properties):
        task_id = base.create_test_task(
            id=uuidutils.generate_uuid(), owner=OWNER, input={
                'import_from': self.server.url(path),
                'import_from_format': disk_format,
                'image_properties': properties})['id']
        worker = runner.Worker(worker_id='w1', registry=self.registry)
        self.assertEqual(1, worker.run_once())
        return db_api.get_instance().task_get(
            task_context.get_admin_context(), task_id)

    def images(self):
        status, _, body = self.request('/v2/images')
        self.assertEqual(200, status)
        return json.loads(body)['images']

    def test_image_is_created_in_the_owners_project_and_uploaded(self):
        image = test_import.qcow2_image()
        self.server.routes['/disk.qcow2'] = test_import.body(image)

        task = self.run_import('/disk.qcow2', 'qcow2', {
            'name': 'cirros', 'container_format': 'bare',
            'os_distro': 'cirros'})

        self.assertEqual(('success', ''), (task['status'], task['message']),
                         task['message'])
        image_id = task['result']['image_id']
        self.assertEqual({
            'image_id': image_id,
            'checksum': hashlib.md5(image).hexdigest(),
            'size': len(image),
            'os_hash_algo': 'sha512',
            'os_hash_value': hashlib.sha512(image).hexdigest(),
            'disk_format': 'qcow2',
            'virtual_size': 64 * 1024 * 1024,
        }, task['result'])
        status, _, body = self.request('/v2/images/%s' % image_id)
        self.assertEqual(200, status)
        shown = json.loads(body)
        self.assertEqual(
            ('active', OWNER, 'cirros', 'qcow2', 'bare', 'cirros',
             len(image), hashlib.md5(image).hexdigest(),
             hashlib.sha512(image).hexdigest()),
            (shown['status'], shown['owner'], shown['name'],
             shown['disk_format'], shown['container_format'],
             shown['os_distro'], shown['size'], shown['checksum'],
             shown['os_hash_value']))
        status, _, data = self.request('/v2/images/%s/file' % image_id)
        self.assertEqual((200, image), (status, data))

    def test_refused_upload_deletes_the_image(self):
        self.server.routes['/disk.raw'] = test_import.body(test_import.RAW)

        task = self.run_import('/disk.raw', 'raw', {'name': 'too big'})

        self.assertEqual('failure', task['status'])
        self.assertRegex(
            task['message'],
            r'^Image import failed: the Image service refused to take the '
            r'image data: Request Entity Too Large \(HTTP 413\) '
            r'\(Request-ID: req-[0-9a-f-]+\): The incoming image is too '
            r'large: The provided image is too large\.$')
        self.assertEqual([], self.images())
