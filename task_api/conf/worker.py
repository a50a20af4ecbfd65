"""Options of the [worker] group: the task-api-worker service."""

from oslo_config import cfg

worker_group = cfg.OptGroup(
    'worker', title='Worker options',
    help='Options of task-api-worker, the service that runs the tasks '
         'task_api records. Any number of workers on any number of hosts '
         'share the database; each task runs on one of them.')

worker_opts = [
    cfg.IntOpt(
        'threads', default=4, min=1,
        help='Tasks one worker process runs at the same time. A worker '
             'claims at most this many tasks.'),
    cfg.IntOpt(
        'lease_seconds', default=60, min=1,
        help='Seconds a claim on a task lasts unless its worker renews it. '
             'A running task\'s lease is renewed every third of this time; '
             'when a worker dies, its tasks are taken over by another '
             'worker once their lease has expired. The hosts\' clocks must '
             'agree to well within this time.'),
    cfg.FloatOpt(
        'poll_interval', default=1.0, min=0.01,
        help='Seconds between two looks for tasks to claim while the '
             'worker has free threads. A task that ends brings a look at '
             'once, so this bounds how long a new task waits for an idle '
             'worker.'),
    cfg.FloatOpt(
        'cancel_check_interval', default=1.0, min=0,
        help='Seconds between two reads of whether a running task was '
             'cancelled. The worker reads at a step boundary of the task\'s '
             'flow once this long has passed since the task began or since '
             'its last read: a cancel is seen at most this long and one step '
             'late, and a task that ends sooner ends as its flow says. 0 '
             'reads at every boundary, one query each.'),
    cfg.StrOpt(
        'worker_id', sample_default='<host name>:<process id>',
        help='The name this worker records on the tasks it claims; '
             'the host name and process id when unset. Must be unique '
             'among the workers sharing a database.'),
]


def register_opts(conf):
    conf.register_group(worker_group)
    conf.register_opts(worker_opts, group=worker_group)


def list_opts():
    return {worker_group: worker_opts}
