"""Configuration options of task_api.

Importing task_api registers no option and changes no default: the options
are registered by :func:`register_opts` and the defaults task_api gives
other libraries' options are set by :func:`set_defaults`, which task_api's
own entry points (``task-api``, ``task-api-manage``, the WSGI module) call
on the global configuration, and which the plugin (task_api.plugin) calls
on a configuration object of its own inside another service's process.

:data:`CONF` is the configuration task_api reads: the global one, unless
the plugin selected its own with :func:`use`.
"""

from oslo_config import cfg
from oslo_middleware import cors

from task_api.conf import api
from task_api.conf import database
from task_api.conf import import_filtering
from task_api.conf import import_task
from task_api.conf import paths
from task_api.conf import task
from task_api.conf import worker

_GROUP_MODULES = (paths, api, task, import_task, database, import_filtering,
                  worker)


class _Current:
    """The configuration object task_api reads, whichever it is.

    Every module keeps a reference to this one object; attribute and item
    access go to the configuration :func:`use` selected (the global
    ``cfg.CONF`` until then).
    """

    def __init__(self):
        object.__setattr__(self, '_conf', cfg.CONF)

    def __getattr__(self, name):
        return getattr(self._conf, name)

    def __setattr__(self, name, value):
        setattr(self._conf, name, value)

    def __delattr__(self, name):
        delattr(self._conf, name)

    def __getitem__(self, key):
        return self._conf[key]

    def __contains__(self, key):
        return key in self._conf

    def __iter__(self):
        return iter(self._conf)

    def __len__(self):
        return len(self._conf)

    def __call__(self, *args, **kwargs):
        return self._conf(*args, **kwargs)


CONF = _Current()


def use(conf):
    """Make ``conf`` the configuration every task_api module reads."""
    object.__setattr__(CONF, '_conf', conf)


def current():
    """The ConfigOpts object task_api reads now."""
    return CONF._conf


def register_opts(conf):
    """Register every option of task_api on ``conf`` (idempotent)."""
    for module in _GROUP_MODULES:
        module.register_opts(conf)
    # NOTE: the options of the CORS middleware, registered as it registers
    # them, for noauth mode to read whether the CORS filter is there or not.
    conf.register_opts(cors.CORS_OPTS, 'cors')


def set_defaults(conf):
    """Give other libraries' options the defaults task_api uses."""
    register_opts(conf)
    database.set_defaults(conf)
