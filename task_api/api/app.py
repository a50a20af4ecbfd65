"""Building the tasks API: the Pecan application and the paste pipeline."""

import copy
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
from task_api import conf as task_conf
from task_api import exception

CONF = task_conf.CONF
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
        _check_keystone_config()
    app = loader.get_app(names[-1])
    for name in reversed(names[:-1]):
        app = loader.get_filter(name)(app)
    return app


def _check_keystone_config():
    """Refuse a [keystone_authtoken] with which no request can succeed.

    keystonemiddleware logs in to Keystone as the service user to validate
    each token; without an auth plugin and its credentials every request
    fails inside it. Keystone answers a validation only for a service user
    scoped to a project (or a domain, or the system), so the scope is
    checked too.

    :raises: task_api.exception.ConfigInvalid naming the missing options.
    """
    # NOTE: imported here, as the options exist only once it is loaded.
    from keystoneauth1 import exceptions as ks_exc
    from keystoneauth1 import loading as ks_loading
    from keystonemiddleware import auth_token  # noqa: F401

    from task_api.common import service
    # NOTE: keystonemiddleware's options are registered only now, after the
    # other groups were read.
    service.check_options(groups=['keystone_authtoken'])
    group = CONF.keystone_authtoken.auth_section or 'keystone_authtoken'
    ks_loading.register_auth_conf_options(CONF, group)
    plugin = CONF[group].auth_type
    missing = [] if plugin else ['auth_type']
    try:
        loader = ks_loading.get_plugin_loader(plugin or 'password')
    except ks_exc.NoMatchingPlugin:
        raise exception.ConfigInvalid(
            reason='[%s] auth_type: no auth plugin is called %s'
                   % (group, plugin))
    values = _auth_plugin_values(
        group, ks_loading.get_auth_plugin_conf_options(loader))
    missing += [opt.dest for opt in loader.get_options()
                if opt.required and not values.get(opt.dest)]

    def lacks(*names):
        return not any(values.get(name) for name in names)

    default_domain = ('default_domain_id', 'default_domain_name')
    if 'password' in values and 'username' in values:
        if lacks('user_id', 'username'):
            missing.append('username')
        elif values['username'] and lacks('user_domain_id',
                                          'user_domain_name',
                                          *default_domain):
            missing.append('user_domain_id')
        if lacks('password'):
            missing.append('password')
    if 'application_credential_id' in values and lacks(
            'application_credential_id', 'application_credential_name'):
        missing.append('application_credential_id')
    if 'project_name' in values and 'application_credential_secret' not in \
            values:
        if lacks('project_id', 'project_name', 'domain_id', 'domain_name',
                 'system_scope', 'trust_id'):
            missing.append('project_name')
        elif values['project_name'] and lacks('project_domain_id',
                                              'project_domain_name',
                                              *default_domain):
            missing.append('project_domain_id')
    if missing:
        raise exception.ConfigInvalid(
            reason='[api] auth_mode is keystone but [%s] does not set %s: '
                   'no request could be authenticated'
                   % (group, ', '.join(dict.fromkeys(missing))))


def _auth_plugin_values(group, plugin_opts):
    """The values of an auth plugin's options in ``group``.

    keystonemiddleware registers them when it loads the plugin; before
    that they are read from the same files by a configuration object of
    their own, so that the global one does not gain options (one of them
    required) for a plugin that may never load.
    """
    try:
        return {opt.dest: CONF[group][opt.dest] for opt in plugin_opts}
    except cfg.NoSuchOptError:
        pass
    probe = cfg.ConfigOpts()
    for opt in plugin_opts:
        opt = copy.deepcopy(opt)
        opt.required = False
        probe.register_opt(opt, group=group)
    probe([], project='task_api', default_config_files=CONF.config_file,
          default_config_dirs=CONF.config_dir, use_env=True)
    return {opt.dest: probe[group][opt.dest] for opt in plugin_opts}


def cors_filter_factory(global_conf, **local_conf):
    """CORS configured from the [cors] group of task_api's own files."""
    cors.set_defaults(
        allow_headers=['Content-Type', 'X-Auth-Token',
                       'X-Openstack-Request-Id', 'If-None-Match'],
        expose_headers=['X-Openstack-Request-Id', 'ETag', 'Location'],
        allow_methods=['GET', 'POST', 'DELETE'])

    def _filter(app):
        # NOTE: the ConfigOpts itself: oslo.middleware reads a
        # configuration of another type as the filter's paste settings.
        return passthrough.CORS(app, task_conf.current())

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
