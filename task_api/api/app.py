"""Building the tasks API: the Pecan application and the paste pipeline."""

import os
import sys

from oslo_config import cfg
from oslo_log import log
from oslo_middleware import cors
from paste import deploy
import pecan
import pecan.core
import pecan.rest
import pecan.routing
import pecan.util

from task_api.api import errors
from task_api.api import hooks
from task_api.api.middleware import body
from task_api.api.middleware import passthrough
from task_api import exception

CONF = cfg.CONF
LOG = log.getLogger(__name__)

_ROOT_CONTROLLER = 'task_api.api.controllers.v2.root.V2Controller'


def _remember_signatures():
    """Make Pecan compute each handler's signature once, not per request.

    Pecan inspects the signature of the handler and of every ``_route`` it
    passes on each request, building a new namedtuple class every time:
    about a tenth of a show request. A function's signature never changes,
    so the answer is kept per function.
    """
    original = pecan.util.getargspec
    if getattr(original, 'remembers', False):
        return
    signatures = {}

    def getargspec(method):
        function = getattr(method, '__func__', method)
        try:
            return signatures[function]
        except KeyError:
            signature = signatures[function] = original(method)
            return signature

    getargspec.remembers = True
    for module in (pecan.util, pecan.core, pecan.routing, pecan.rest):
        module.getargspec = getargspec


def setup_app(dbapi=None):
    """Return the Pecan application serving the v2 API.

    :param dbapi: the DB API to use; the configured one when None.
    """
    _remember_signatures()
    app_hooks = [
        hooks.JSONHook(),
        hooks.ContextHook(),
        hooks.DBHook(dbapi),
        hooks.PolicyHook(),
        hooks.ErrorHook(),
    ]
    application = pecan.make_app(
        _ROOT_CONTROLLER,
        hooks=app_hooks,
        force_canonical=False,
        # NOTE: otherwise /v2/tasks/<id>.json reaches the controller as
        # <id>, a different resource than the client named.
        guess_content_type_from_ext=False,
        debug=False,
        request_cls=body.Request,
    )
    return _text_paths_only(application)


def _text_paths_only(application):
    """Refuse a path that is not UTF-8 before Pecan decodes it.

    Pecan answers its own 400 and logs a traceback for such a path; this
    answers the 400 every other part of the API answers for it.
    """
    def refuse_undecodable_paths(environ, start_response):
        if not errors.path_is_text(environ):
            return errors.bad_path()(environ, start_response)
        return application(environ, start_response)

    return refuse_undecodable_paths


def app_factory(global_config, **local_conf):
    """paste.app_factory of the Pecan application."""
    return setup_app()


def pipeline_factory(loader, global_conf, **local_conf):
    """Pick the pipeline named by ``[api] auth_mode`` from the composite."""
    mode = CONF.api.auth_mode
    try:
        names = local_conf[mode].split()
    except KeyError:
        raise exception.ConfigInvalid(
            reason='the paste composite has no "%s" pipeline' % mode)
    if mode == 'keystone':
        _warn_unconfigured_keystone()
    app = loader.get_app(names[-1])
    for name in reversed(names[:-1]):
        app = loader.get_filter(name)(app)
    return app


def _warn_unconfigured_keystone():
    # NOTE: imported here, as the options exist only once it is loaded.
    from keystonemiddleware import auth_token  # noqa: F401
    group = CONF.keystone_authtoken
    # NOTE: with an auth plugin, keystonemiddleware can find the identity
    # endpoint itself; with neither, it fails every request.
    if not (group.www_authenticate_uri or group.auth_type):
        LOG.warning('[api] auth_mode is keystone but neither '
                    '[keystone_authtoken] www_authenticate_uri nor '
                    'auth_type is set: requests cannot be authenticated '
                    'until the identity service is configured.')


def cors_filter_factory(global_conf, **local_conf):
    """CORS configured from the [cors] group of task_api's own files."""
    cors.set_defaults(
        allow_headers=['Content-Type', 'X-Auth-Token',
                       'X-Openstack-Request-Id', 'If-None-Match'],
        expose_headers=['X-Openstack-Request-Id', 'ETag', 'Location'],
        allow_methods=['GET', 'POST', 'DELETE'])

    def _filter(app):
        return passthrough.CORS(app, CONF)

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
