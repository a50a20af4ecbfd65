"""Run in a fresh interpreter: a host service that loads task_api's plugin.

It registers on the global configuration the options glance-api registers
in [task] and [import_filtering_opts] (the same names, types and defaults
as Glance's), and oslo.db's [database] options; reads a host configuration
file; then imports every task_api module and loads the plugin with paste.
It prints, as JSON, what the host's configuration held at each step and
what task_api's configuration holds.

    python host_script.py HOST_CONF PASTE_INI [lazy]

With ``lazy`` the host has not registered [database] yet when it loads
the plugin, as glance-api, which registers it on first use.
"""

import importlib
import json
import pkgutil
import sys

from oslo_config import cfg
from oslo_config import types
from oslo_db import options as db_options

CONF = cfg.CONF

GLANCE_TASK_OPTS = [
    cfg.IntOpt('task_time_to_live', default=48,
               help='The host service\'s own help text.',
               deprecated_opts=[cfg.DeprecatedOpt('task_time_to_live',
                                                  group='DEFAULT')]),
    cfg.StrOpt('task_executor', default='taskflow'),
    cfg.StrOpt('work_dir'),
]
GLANCE_IMPORT_FILTERING_OPTS = [
    cfg.ListOpt('allowed_schemes', item_type=types.String(quotes=True),
                bounds=True, default=['http', 'https']),
    cfg.ListOpt('disallowed_schemes', item_type=types.String(quotes=True),
                bounds=True, default=[]),
    cfg.ListOpt('allowed_hosts', item_type=types.HostAddress(),
                bounds=True, default=[]),
    cfg.ListOpt('disallowed_hosts', item_type=types.HostAddress(),
                bounds=True, default=[]),
    cfg.ListOpt('allowed_ports', item_type=types.Integer(min=1, max=65535),
                bounds=True, default=[80, 443]),
    cfg.ListOpt('disallowed_ports',
                item_type=types.Integer(min=1, max=65535),
                bounds=True, default=[]),
]


def snapshot(conf):
    """Every option of ``conf``: its definition, default and value."""
    seen = {}
    groups = [None] + sorted(name for name in conf
                             if isinstance(conf[name],
                                           cfg.ConfigOpts.GroupAttr))
    for group in groups:
        namespace = conf[group] if group else conf
        for name in sorted(namespace):
            if isinstance(namespace[name], cfg.ConfigOpts.GroupAttr):
                continue
            opt = conf._get_opt_info(name, group)['opt']
            seen['[%s] %s' % (group or 'DEFAULT', name)] = repr((
                type(opt).__name__, repr(opt.type), opt.help, opt.default,
                namespace[name]))
    seen['oslo.db option defaults'] = repr(
        [(opt.dest, opt.default) for opt in db_options.database_opts])
    return seen


def import_task_api():
    import task_api
    for module in pkgutil.walk_packages(task_api.__path__, 'task_api.'):
        # NOTE: the WSGI module is an entry point: importing it serves.
        if '.tests' in module.name or module.name == 'task_api.wsgi.api':
            continue
        importlib.import_module(module.name)


def main(host_conf, paste_ini, lazy=None):
    CONF.register_opts(GLANCE_TASK_OPTS, group='task')
    CONF.register_opts(GLANCE_IMPORT_FILTERING_OPTS,
                       group='import_filtering_opts')
    if not lazy:
        CONF.register_opts(db_options.database_opts, group='database')
    CONF([], project='glance', default_config_files=[host_conf],
         default_config_dirs=[])
    result = {'before': snapshot(CONF)}
    import_task_api()
    result['imported'] = snapshot(CONF)
    from paste import deploy
    deploy.loadapp('config:%s' % paste_ini, name='main')
    result['loaded'] = snapshot(CONF)
    from task_api import conf
    own = conf.current()
    result['task_api'] = {
        'own': own is not CONF,
        'task_time_to_live': own.task.task_time_to_live,
        'allowed_ports': own.import_filtering_opts.allowed_ports,
        'allowed_hosts': own.import_filtering_opts.allowed_hosts,
        'connection': own.database.connection,
        'max_retries': own.database.max_retries,
        'limit_param_default': own.api.limit_param_default,
        'api_limit_max': own.api.api_limit_max,
    }
    json.dump(result, sys.stdout)


if __name__ == '__main__':
    main(*sys.argv[1:])
