"""Options of the [task] group that the import task type reads."""

from oslo_config import cfg

from task_api.conf import task

#: The values of [task] import_target.
GLANCE_STORE = 'glance_store'
IMAGE_SERVICE = 'glance'

import_opts = [
    cfg.StrOpt(
        'import_target', default=GLANCE_STORE,
        choices=[(GLANCE_STORE, 'glance_store, configured in '
                                '[glance_store]: by default its filesystem '
                                'store under state_path/images.'),
                 (IMAGE_SERVICE, 'An Image service, configured in [glance]: '
                                 'the image is created there in the task '
                                 'owner\'s project, with the task\'s '
                                 'image_properties, and its data '
                                 'uploaded.')],
        help='Where import tasks put the images they fetch.'),
    cfg.IntOpt(
        'max_import_size', default=1024 ** 4, min=1,
        help='Most bytes an import task fetches from its import_from URL '
             '(1 TiB by default, as Glance\'s image_size_cap). An import '
             'whose source announces a larger Content-Length fails before '
             'reading any data; one that sends more fails as soon as it '
             'has sent one byte too many.'),
    cfg.FloatOpt(
        'import_connect_timeout', default=30.0, min=0.1,
        help='Seconds an import task waits for the connection to its '
             'source (and to each redirect target) to be established.'),
    cfg.FloatOpt(
        'import_read_timeout', default=60.0, min=0.1,
        help='Seconds an import task waits for the next bytes from its '
             'source before it fails.'),
    cfg.StrOpt(
        'import_ca_file',
        help='PEM file of the certificate authorities whose certificates '
             'import tasks trust when they fetch an https import_from URL '
             '(or follow a redirect to one), instead of the system\'s '
             'trusted authorities. For image servers whose certificate an '
             'internal authority issued. Unset: the system\'s trusted '
             'authorities. The server\'s certificate must always be '
             'valid for the URL\'s host; an import whose source fails '
             'these checks fails, saying why.'),
    cfg.StrOpt(
        'work_dir', default='$state_path/import',
        help='Directory where an import task keeps the data it fetches '
             'while the data is checked, before it goes to the image '
             'store; created when missing. It needs room for the largest '
             'image being imported, times '
             'the tasks the workers of this host run at once.'),
]


def register_opts(conf):
    conf.register_group(task.task_group)
    conf.register_opts(import_opts, group=task.task_group)


def list_opts():
    return {task.task_group: import_opts}
