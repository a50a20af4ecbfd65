"""Option listing for oslo-config-generator."""

from oslo_config import cfg
from oslo_log import log

from task_api import conf
from task_api.conf import api
from task_api.conf import database
from task_api.conf import import_filtering
from task_api.conf import import_task
from task_api.conf import paths
from task_api.conf import task
from task_api.conf import worker

_MODULES = (paths, api, task, import_task, import_filtering, database,
            worker)


def list_opts():
    """Return (group, options) pairs of every task_api option."""
    merged = {}
    for module in _MODULES:
        for group, opts in module.list_opts().items():
            merged.setdefault(group, []).extend(opts)
    return list(merged.items())


class _DefaultsRecorder(cfg.ConfigOpts):
    """A ConfigOpts that remembers the defaults set on it."""

    def __init__(self):
        super().__init__()
        self.recorded = {}

    def set_default(self, name, default, group=None):
        super().set_default(name, default, group=group)
        group = getattr(group, 'name', group) or 'DEFAULT'
        self.recorded.setdefault(group, {})[name] = default


def _set_defaults_of_listed_options():
    """Give the listed options the defaults task_api's groups set.

    A group module may change the default of a library's option with
    ``conf.set_default`` (as [database] does for ``connection`` and
    ``max_retries``), which the option object itself does not show; the
    sample configuration is generated from the option objects, so they
    get the same defaults here.
    """
    recorder = _DefaultsRecorder()
    conf.set_defaults(recorder)
    listed = {getattr(group, 'name', group): options
              for group, options in list_opts()}
    for group, defaults in recorder.recorded.items():
        cfg.set_defaults(listed.get(group, []), **defaults)


def update_opt_defaults():
    """Set the defaults task_api uses for options of the libraries."""
    _set_defaults_of_listed_options()
    # NOTE: oslo.db logs the traceback of every database error it does not
    # classify, at WARNING; task_api reports each error itself, on one
    # line.
    log.set_defaults(default_log_levels=log.get_default_log_levels() + [
        'keystonemiddleware=WARN', 'alembic=WARN', 'cheroot=WARN',
        'taskflow=WARN', 'stevedore=WARN',
        'oslo_db.sqlalchemy.exc_filters=ERROR'])
