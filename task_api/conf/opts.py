"""Option listing for oslo-config-generator."""

from oslo_log import log

from task_api.conf import api
from task_api.conf import database
from task_api.conf import import_filtering
from task_api.conf import paths
from task_api.conf import task

_MODULES = (paths, api, task, import_filtering, database)


def list_opts():
    """Return (group, options) pairs of every task_api option."""
    merged = {}
    for module in _MODULES:
        for group, opts in module.list_opts().items():
            merged.setdefault(group, []).extend(opts)
    return list(merged.items())


def update_opt_defaults():
    """Set the defaults task_api uses for options of the libraries."""
    # NOTE: oslo.db logs the traceback of every database error it does not
    # classify, at WARNING; task_api reports each error itself, on one
    # line.
    log.set_defaults(default_log_levels=log.get_default_log_levels() + [
        'keystonemiddleware=WARN', 'alembic=WARN', 'cheroot=WARN',
        'oslo_db.sqlalchemy.exc_filters=ERROR'])
