"""task-api-worker: run the tasks task_api records."""

import sys

from oslo_log import log
# NOTE: task_api runs on native threads: oslo.service's threading backend,
# chosen before anything imports oslo_service.service.
from oslo_service import backend

backend.init_backend(backend.BackendType.THREADING)

from oslo_service import service as oslo_service  # noqa: E402

from task_api.common import service  # noqa: E402
from task_api import conf as task_conf  # noqa: E402
from task_api import exception  # noqa: E402
from task_api.worker import service as worker_service  # noqa: E402

CONF = task_conf.CONF
LOG = log.getLogger(__name__)

PROG = 'task-api-worker'
DESCRIPTION = (
    'Run the tasks task_api records. Any number of workers, on any number '
    'of hosts, share the database named in [database] connection; each '
    'task runs on one of them. SIGTERM stops claiming and lets the running '
    'tasks end.')


def main(argv=None):
    """Entry point of the ``task-api-worker`` console script."""
    service.prepare_command(argv, PROG, DESCRIPTION)
    try:
        service.check_options()
        service.check_database()
    except exception.TaskApiException as error:
        message = service.one_line(error)
        LOG.error('%s', message)
        print('%s: %s' % (PROG, message), file=sys.stderr)
        sys.exit(1)
    service.log_start()
    launcher = oslo_service.launch(task_conf.current(),
                                   worker_service.WorkerService(),
                                   workers=1, restart_method='mutate')
    sys.exit(launcher.wait())
