"""Tests of the task-api command's start-up checks."""

from task_api.cmd import api as api_cmd
from task_api import exception
from task_api.tests import base


class TestCheckBind(base.TestCase):

    def test_noauth_on_loopback_addresses_is_fine(self):
        self.config(auth_mode='noauth', group='api')
        for host in ('127.0.0.1', '127.0.0.2', '::1', 'localhost'):
            self.config(bind_host=host, group='api')
            api_cmd.check_bind()

    def test_noauth_on_other_addresses_is_refused(self):
        self.config(auth_mode='noauth', group='api')
        for host in ('0.0.0.0', '::', '192.0.2.10'):
            self.config(bind_host=host, group='api')
            error = self.assertRaises(exception.InsecureBind,
                                      api_cmd.check_bind)
            self.assertIn(host, str(error))

    def test_forced_noauth_on_other_addresses(self):
        self.config(auth_mode='noauth', bind_host='0.0.0.0',
                    allow_noauth_on_public_bind=True, group='api')
        api_cmd.check_bind()

    def test_keystone_mode_binds_anywhere(self):
        self.config(auth_mode='keystone', bind_host='0.0.0.0', group='api')
        api_cmd.check_bind()


class TestZeroConfigTrial(base.TestCase):

    def test_without_configuration_file_noauth_is_the_default(self):
        self.addCleanup(api_cmd.CONF.clear_default, 'auth_mode', group='api')
        self.addCleanup(api_cmd.CONF.clear_default, 'run_worker', group='api')
        api_cmd._zero_config_trial()
        self.assertEqual('noauth', api_cmd.CONF.api.auth_mode)
        # The trial runs its tasks too.
        self.assertTrue(api_cmd.CONF.api.run_worker)

    def test_with_a_configuration_file_keystone_stays_the_default(self):
        self.config(config_file=['/etc/task_api/task_api.conf'])
        api_cmd._zero_config_trial()
        self.assertEqual('keystone', api_cmd.CONF.api.auth_mode)
        self.assertFalse(api_cmd.CONF.api.run_worker)
