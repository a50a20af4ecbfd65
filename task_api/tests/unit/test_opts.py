"""Tests of the option and policy listings used by the generators."""

import os

import fixtures
from oslo_config import cfg
from oslo_config import generator
from oslo_policy import generator as policy_generator

from task_api.conf import opts
from task_api.tests import base

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))


class TestConfigOptions(base.TestCase):

    def test_every_option_has_full_sentence_help(self):
        for group, options in opts.list_opts():
            for option in options:
                if group == 'database':
                    continue  # oslo.db's own options
                self.assertTrue(option.help.strip().endswith('.'),
                                '%s.%s' % (group, option.name))
                self.assertGreater(len(option.help.split()), 5)

    def test_sample_config_generation(self):
        output = os.path.join(self.useFixture(fixtures.TempDir()).path,
                              'task_api.conf.sample')
        generator.main(['--config-file', os.path.join(
            ROOT, 'etc', 'task_api', 'config-generator.conf'),
            '--output-file', output])
        with open(output) as stream:
            sample = stream.read()
        for expected in ('[api]', '#bind_host = 127.0.0.1',
                         '#bind_port = 9292', '#auth_mode = keystone',
                         '#public_endpoint = <None>',
                         '#paste_config = api-paste.ini', '[task]',
                         '#task_time_to_live = 48', '[database]',
                         '#connection = sqlite:///$state_path/task_api.sqlite',
                         '#max_retries = 0', '#state_path = ',
                         '[import_filtering_opts]', '[keystone_authtoken]',
                         '[oslo_policy]', '#debug = false'):
            self.assertIn(expected, sample)

    def test_policy_sample_generation(self):
        output = os.path.join(self.useFixture(fixtures.TempDir()).path,
                              'policy.yaml.sample')
        policy_generator.generate_sample(['--config-file', os.path.join(
            ROOT, 'etc', 'task_api', 'policy-generator.conf'),
            '--output-file', output], conf=cfg.ConfigOpts())
        with open(output) as stream:
            sample = stream.read()
        for rule in ('"context_is_admin": "role:admin"',
                     '"tasks_api_access": "rule:context_is_admin"',
                     '"get_task": "rule:default"',
                     '"get_tasks": "rule:default"',
                     '"add_task": "rule:default"',
                     '"modify_task": "rule:default"'):
            self.assertIn('#' + rule, sample)
