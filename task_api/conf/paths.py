"""Options locating task_api's state on disk."""

import os

from oslo_config import cfg


def _default_state_path():
    base = os.environ.get('XDG_STATE_HOME') or os.path.join(
        os.path.expanduser('~'), '.local', 'state')
    return os.path.join(base, 'task_api')


path_opts = [
    cfg.StrOpt('state_path',
               default=_default_state_path(),
               sample_default='$XDG_STATE_HOME/task_api, or '
                              '~/.local/state/task_api',
               help='Directory where task_api keeps its state. The '
                    'embedded SQLite database lives here when no '
                    '[database] connection is configured; the directory '
                    'is created on first start if it does not exist.'),
]


def register_opts(conf):
    conf.register_opts(path_opts)


def list_opts():
    return {'DEFAULT': path_opts}
