"""The paste pipeline of the API: its factories, and loading it."""

import os
import sys

from oslo_log import log
from oslo_middleware import cors
from paste import deploy

from task_api.api import app
from task_api.api import keystone_check
from task_api.api.middleware import passthrough
from task_api import conf as task_conf
from task_api import exception

CONF = task_conf.CONF
LOG = log.getLogger(__name__)


def app_factory(global_config, **local_conf):
    """paste.app_factory of the Pecan application."""
    return app.setup_app()


def pipeline_factory(loader, global_conf, **local_conf):
    """Pick the pipeline named by ``[api] auth_mode`` from the composite."""
    mode = CONF.api.auth_mode
    try:
        names = local_conf[mode].split()
    except KeyError:
        raise exception.ConfigInvalid(
            reason='the paste composite has no "%s" pipeline' % mode)
    if mode == 'keystone':
        keystone_check.check()
    application = loader.get_app(names[-1])
    for name in reversed(names[:-1]):
        application = loader.get_filter(name)(application)
    return application


def cors_filter_factory(global_conf, **local_conf):
    """CORS configured from the [cors] group of task_api's own files."""
    cors.set_defaults(
        allow_headers=['Content-Type', 'X-Auth-Token',
                       'X-Openstack-Request-Id', 'If-None-Match'],
        expose_headers=['X-Openstack-Request-Id', 'ETag', 'Location'],
        allow_methods=['GET', 'POST', 'DELETE'])

    def _filter(application):
        # NOTE: the ConfigOpts itself: oslo.middleware reads a
        # configuration of another type as the filter's paste settings.
        return passthrough.CORS(application, task_conf.current())

    return _filter


def find_paste_config():
    """Locate the file of ``[api] paste_config``.

    :raises: task_api.exception.ConfigInvalid when it cannot be found.
    """
    name = CONF.api.paste_config
    candidates = [name] if os.path.isabs(name) else [
        CONF.find_file(name),
        os.path.join(sys.prefix, 'etc', 'task_api', name),
        os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
            os.path.abspath(__file__)))), 'etc', 'task_api', name),
    ]
    for path in candidates:
        if path and os.path.exists(path):
            return os.path.abspath(path)
    raise exception.ConfigInvalid(
        reason='cannot find the paste configuration %s' % name)


def load_app(name='main'):
    """Build the WSGI application ``name`` of the paste configuration."""
    path = find_paste_config()
    LOG.info('Loading the %(name)s application from %(path)s',
             {'name': name, 'path': path})
    return deploy.loadapp('config:%s' % path, name=name)
