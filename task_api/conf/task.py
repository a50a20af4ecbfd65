"""Options of the [task] group: the task lifecycle."""

from oslo_config import cfg

task_group = cfg.OptGroup(
    'task', title='Task options',
    help='Options that control the lifecycle of tasks.')

task_opts = [
    cfg.IntOpt(
        'task_time_to_live', default=48, min=1,
        help='Hours a task is kept after it reaches success or failure. '
             'Its expires_at time is set once, at that transition; an '
             'expired task is no longer listed and may be purged with '
             '"task-api-manage db purge".'),
]


def register_opts(conf):
    conf.register_group(task_group)
    conf.register_opts(task_opts, group=task_group)


def list_opts():
    return {task_group: task_opts}
