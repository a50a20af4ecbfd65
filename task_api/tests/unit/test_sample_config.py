"""The checked-in sample configuration is what the generator makes now."""

import difflib
import os

import fixtures
from oslo_config import generator

from task_api.conf import opts
from task_api.tests import base

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
SAMPLE = os.path.join(ROOT, 'etc', 'task_api', 'task_api.conf.sample')
GENERATOR_CONFIG = os.path.join(ROOT, 'etc', 'task_api',
                                'config-generator.conf')


class TestSampleConfiguration(base.TestCase):

    def test_checked_in_sample_is_current(self):
        output = os.path.join(self.useFixture(fixtures.TempDir()).path,
                              'task_api.conf.sample')
        generator.main(['--config-file', GENERATOR_CONFIG,
                        '--output-file', output])
        with open(output) as stream:
            generated = stream.read()
        with open(SAMPLE) as stream:
            checked_in = stream.read()
        if generated != checked_in:
            diff = ''.join(difflib.unified_diff(
                checked_in.splitlines(True), generated.splitlines(True),
                'etc/task_api/task_api.conf.sample', 'generated'))
            self.fail('etc/task_api/task_api.conf.sample is stale; run '
                      '"tox -e genconfig" and commit it:\n' + diff)

    def test_sample_defaults_are_the_defaults_in_force(self):
        # What the sample shows as a default is what task_api uses when
        # the option is not set.
        opts.update_opt_defaults()
        state_path = base.CONF.state_path
        for group, options in opts.list_opts():
            name = getattr(group, 'name', group)
            for opt in options:
                if opt.sample_default is not None:
                    continue
                expected = opt.default
                if isinstance(expected, str):
                    expected = opt.type(expected.replace(
                        '$state_path', state_path))
                actual = base.CONF[name][opt.dest]
                self.assertEqual(expected, actual,
                                 '[%s] %s' % (name, opt.dest))
