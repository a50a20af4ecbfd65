"""Start-up shared by task_api's programs: configuration and logging."""

import sys

from oslo_log import log

from task_api.common import masking
from task_api import conf
from task_api.conf import opts

CONF = conf.CONF


def prepare_service(argv=None, default_config_files=None,
                    default_config_dirs=None):
    """Parse the command line and configuration files, set up logging.

    :param argv: command-line arguments, program name excluded; defaults
        to ``sys.argv[1:]``.
    :param default_config_files: files read when ``--config-file`` is not
        given; ``None`` lets oslo.config look in its usual places.
    :param default_config_dirs: directories read likewise.
    """
    if argv is None:
        argv = sys.argv[1:]
    log.register_options(CONF)
    opts.update_opt_defaults()
    CONF(argv, project='task_api',
         default_config_files=default_config_files,
         default_config_dirs=default_config_dirs)
    log.setup(CONF, 'task_api')
    masking.install_log_masking()
