"""Refuse, at start-up, a [keystone_authtoken] no request could pass.

keystonemiddleware logs in to Keystone as the service user to validate
each token; without an auth plugin and its credentials every request fails
inside it. Keystone validates tokens only for a service user scoped to a
project (or a domain, or the system), so the scope is checked too.
"""

import copy

from oslo_config import cfg

from task_api.common import service
from task_api import conf as task_conf
from task_api import exception

CONF = task_conf.CONF

_GROUP = 'keystone_authtoken'
_DEFAULT_DOMAIN = ('default_domain_id', 'default_domain_name')
_SCOPES = ('project_id', 'project_name', 'domain_id', 'domain_name',
           'system_scope', 'trust_id')


def check():
    """Refuse a [keystone_authtoken] with which no request can succeed.

    :raises: task_api.exception.ConfigInvalid naming the missing options.
    """
    # NOTE: imported here: keystonemiddleware registers its options when
    # it is loaded, after the other groups were read.
    from keystoneauth1 import loading as ks_loading
    from keystonemiddleware import auth_token  # noqa: F401

    service.check_options(groups=[_GROUP])
    group = CONF[_GROUP].auth_section or _GROUP
    ks_loading.register_auth_conf_options(CONF, group)
    plugin = CONF[group].auth_type
    loader = _plugin_loader(group, plugin or 'password')
    values = _plugin_values(
        group, ks_loading.get_auth_plugin_conf_options(loader))
    missing = [] if plugin else ['auth_type']
    missing += [opt.dest for opt in loader.get_options()
                if opt.required and not values.get(opt.dest)]
    missing += _unset_credentials(values)
    if missing:
        raise exception.ConfigInvalid(
            reason='[api] auth_mode is keystone but [%s] does not set %s: '
                   'no request could be authenticated'
                   % (group, ', '.join(dict.fromkeys(missing))))


def _plugin_loader(group, plugin):
    from keystoneauth1 import exceptions as ks_exc
    from keystoneauth1 import loading as ks_loading
    try:
        return ks_loading.get_plugin_loader(plugin)
    except ks_exc.NoMatchingPlugin:
        raise exception.ConfigInvalid(
            reason='[%s] auth_type: no auth plugin is called %s'
                   % (group, plugin))


def _unset_credentials(values):
    """Yield, for each credential the plugin reads and lacks, its option.

    :param values: the plugin's options and their values; a credential is
        checked only when the plugin has the options that carry it.
    """
    def unset(*names):
        return not any(values.get(name) for name in names)

    if 'username' in values and 'password' in values:
        if unset('user_id', 'username'):
            yield 'username'
        elif values['username'] and unset(
                'user_domain_id', 'user_domain_name', *_DEFAULT_DOMAIN):
            yield 'user_domain_id'
        if unset('password'):
            yield 'password'
    if 'application_credential_id' in values and unset(
            'application_credential_id', 'application_credential_name'):
        yield 'application_credential_id'
    # NOTE: an application credential carries its own scope.
    if 'project_name' in values and (
            'application_credential_secret' not in values):
        if unset(*_SCOPES):
            yield 'project_name'
        elif values['project_name'] and unset(
                'project_domain_id', 'project_domain_name', *_DEFAULT_DOMAIN):
            yield 'project_domain_id'


def _plugin_values(group, plugin_opts):
    """The values of an auth plugin's options in ``group``.

    keystonemiddleware registers them when it loads the plugin; before
    that they are read from the same files by a configuration object of
    their own, so that the global one does not gain options (one of them
    required) for a plugin that may never load.
    """
    try:
        return {opt.dest: CONF[group][opt.dest] for opt in plugin_opts}
    except cfg.NoSuchOptError:
        pass
    probe = cfg.ConfigOpts()
    for opt in plugin_opts:
        opt = copy.deepcopy(opt)
        opt.required = False
        probe.register_opt(opt, group=group)
    probe([], project='task_api', default_config_files=CONF.config_file,
          default_config_dirs=CONF.config_dir, use_env=True)
    return {opt.dest: probe[group][opt.dest] for opt in plugin_opts}
