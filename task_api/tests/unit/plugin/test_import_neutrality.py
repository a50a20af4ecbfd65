"""Importing task_api and loading its plugin beside a host's options.

The host is glance-api as far as configuration goes: its [task] and
[import_filtering_opts] options, oslo.db's [database], a glance-api.conf.
A fresh interpreter plays it, so that nothing this test process registered
counts.
"""

import json
import os
import subprocess
import sys

import fixtures
from oslotest import base

HOST_CONF = """\
[DEFAULT]
debug = false

[api]
limit_param_default = 3

[task]
task_time_to_live = 5

[import_filtering_opts]
allowed_ports = [8080, 8443]
allowed_hosts = [images.example.com]

[database]
connection = sqlite:///%(tmp)s/glance.sqlite
"""

TASK_API_CONF = """\
[api]
api_limit_max = 40
"""

PASTE_INI = """\
[pipeline:main]
pipeline = task_api host

[filter:task_api]
paste.filter_factory = task_api.plugin:filter_factory
config_file = task_api-plugin.conf

[app:host]
paste.app_factory = task_api.tests.unit.plugin.host_app:app_factory
"""


class TestImportNeutrality(base.BaseTestCase):

    host_args = []

    def setUp(self):
        super().setUp()
        self.tmp = self.useFixture(fixtures.TempDir()).path
        self.write('glance-api.conf', HOST_CONF % {'tmp': self.tmp})
        self.write('task_api-plugin.conf', TASK_API_CONF)
        self.write('glance-api-paste.ini', PASTE_INI)
        script = os.path.join(os.path.dirname(__file__), 'host_script.py')
        process = subprocess.run(
            [sys.executable, script,
             os.path.join(self.tmp, 'glance-api.conf'),
             os.path.join(self.tmp, 'glance-api-paste.ini')]
            + self.host_args,
            capture_output=True, text=True, cwd=self.tmp)
        self.assertEqual(0, process.returncode, process.stderr)
        self.result = json.loads(process.stdout)

    def write(self, name, text):
        with open(os.path.join(self.tmp, name), 'w') as stream:
            stream.write(text)

    def test_importing_task_api_changes_no_option_of_the_host(self):
        before, imported = self.result['before'], self.result['imported']
        self.assertEqual(before, {key: imported[key] for key in before})
        self.assertEqual(
            "('IntOpt', 'Integer', 'Maximum number of database connection "
            "retries during startup. Set to -1 to specify an infinite retry "
            "count.', 10, 10)", imported['[database] max_retries'])
        # The only options added are those the libraries task_api imports
        # register themselves on import (keystonemiddleware, oslo.cache,
        # oslo.middleware, and oslo.concurrency through the worker's
        # oslo.service), the same for every program importing them.
        added = {key.split(']')[0] + ']' for key in imported
                 if key not in before}
        self.assertEqual({'[cache]', '[keystone_authtoken]',
                          '[oslo_concurrency]', '[oslo_middleware]'}, added)

    def test_loading_the_plugin_registers_nothing_on_the_host(self):
        self.assertEqual(self.result['imported'], self.result['loaded'])

    def test_the_plugin_reads_shared_options_from_the_host(self):
        self.assertEqual({
            'own': True,
            # [task] and [import_filtering_opts]: the host's values.
            'task_time_to_live': 5,
            'allowed_ports': [8080, 8443],
            'allowed_hosts': ['images.example.com'],
            # The host's database, task_api's own retry rule.
            'connection': 'sqlite:///%s/glance.sqlite' % self.tmp,
            'max_retries': 0,
            # [api] from task_api's file only, not from the host's.
            'limit_param_default': 25,
            'api_limit_max': 40,
        }, self.result['task_api'])


class TestHostRegistersDatabaseLater(TestImportNeutrality):
    """The host's [database] is read from its files, not registered."""

    host_args = ['lazy']

    def test_importing_task_api_changes_no_option_of_the_host(self):
        before, imported = self.result['before'], self.result['imported']
        self.assertEqual(before, {key: imported[key] for key in before})
        self.assertNotIn('[database] connection', imported)
