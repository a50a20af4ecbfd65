"""WSGI entry point of the tasks API for mod_wsgi, uwsgi and gunicorn.

The configuration is read from the files named in OS_TASK_API_CONFIG_FILES
(separated by ``;``) and the directory OS_TASK_API_CONFIG_DIR, when either
is set; otherwise from /etc/task_api/task_api.conf when it exists.
"""

import os

from task_api.api import app
from task_api.common import service

DEFAULT_CONFIG_FILE = '/etc/task_api/task_api.conf'


def _config_locations():
    files = [f for f in os.environ.get(
        'OS_TASK_API_CONFIG_FILES', '').split(';') if f.strip()]
    config_dir = os.environ.get('OS_TASK_API_CONFIG_DIR', '').strip()
    dirs = [config_dir] if config_dir else []
    if not files and not dirs and os.path.exists(DEFAULT_CONFIG_FILE):
        files = [DEFAULT_CONFIG_FILE]
    return files, dirs


def init_application():
    """Read the configuration and build the whole paste pipeline."""
    files, dirs = _config_locations()
    service.prepare_service([], default_config_files=files,
                            default_config_dirs=dirs)
    return app.load_app()


application = init_application()
