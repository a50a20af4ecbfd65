"""A complete [keystone_authtoken] for in-process tests of keystone mode."""

import fixtures
from keystoneauth1 import loading as ks_loading
from oslo_config import fixture as config_fixture

from task_api import conf

CONF = conf.CONF
GROUP = 'keystone_authtoken'

#: What task_api needs to authenticate requests (README, "Keystone").
COMPLETE = {
    'www_authenticate_uri': 'http://keystone.example/v3',
    'auth_type': 'password',
    'auth_url': 'http://127.0.0.1:1/v3',
    'username': 'task_api',
    'password': 'secret',
    'user_domain_id': 'default',
    'project_name': 'service',
    'project_domain_id': 'default',
    'service_type': 'image',
}


class KeystoneAuthtoken(fixtures.Fixture):
    """Set [keystone_authtoken] for the test; ``None`` leaves one unset.

    The password plugin's options are registered for the test and
    unregistered after it: one of them is required, and later tests parse
    the configuration again without it.
    """

    def __init__(self, **overrides):
        super().__init__()
        self.options = dict(COMPLETE, **overrides)

    def _setUp(self):
        # NOTE: registers the [keystone_authtoken] group.
        from keystonemiddleware import auth_token  # noqa: F401
        plugin_opts = ks_loading.get_auth_plugin_conf_options(
            ks_loading.get_plugin_loader('password'))
        # NOTE: the fixture resets the configuration before unregistering.
        config = self.useFixture(config_fixture.Config(CONF))
        config.register_opts(plugin_opts, group=GROUP)
        config.config(group=GROUP, **self.options)
