"""WSGI entry point of the tasks API for mod_wsgi, uwsgi and gunicorn.

The configuration is read from the files named in OS_TASK_API_CONFIG_FILES
(separated by ``;``) and the directory OS_TASK_API_CONFIG_DIR, when either
is set; otherwise from /etc/task_api/task_api.conf when it exists.

Like ``task-api``, it checks the configuration and the database before it
serves, creating or upgrading the embedded SQLite database; what keeps it
from serving is logged on one line and raised, so that the WSGI server
reports that the application cannot be loaded.
"""

import os

from oslo_config import cfg
from oslo_log import log

from task_api.common import service
from task_api import exception

DEFAULT_CONFIG_FILE = '/etc/task_api/task_api.conf'
LOG = log.getLogger(__name__)


class CannotServe(Exception):
    """The configuration or the database keeps the API from serving."""


def _config_locations():
    files = [f for f in os.environ.get(
        'OS_TASK_API_CONFIG_FILES', '').split(';') if f.strip()]
    config_dir = os.environ.get('OS_TASK_API_CONFIG_DIR', '').strip()
    dirs = [config_dir] if config_dir else []
    if not files and not dirs and os.path.exists(DEFAULT_CONFIG_FILE):
        files = [DEFAULT_CONFIG_FILE]
    return files, dirs


def init_application():
    """Read the configuration, check it and build the paste pipeline.

    :raises: CannotServe with one line saying what is wrong.
    """
    files, dirs = _config_locations()
    try:
        service.prepare_service([], default_config_files=files,
                                default_config_dirs=dirs)
    except cfg.Error as error:
        message = 'task_api cannot serve: %s' % service.one_line(error)
    else:
        try:
            service.check_service()
            return service.load_application()
        except exception.TaskApiException as error:
            message = 'task_api cannot serve: %s' % service.one_line(error)
        LOG.critical('%s', message)
    raise CannotServe(message)


application = init_application()
