"""task_api inside another service's paste pipeline, e.g. glance-api.

:func:`filter_factory` is a paste filter that sends the tasks routes
(``/v2/tasks``, ``/v2/tasks/{id}``, ``/v2/schemas/task``,
``/v2/schemas/tasks``, ``/v2/images/{id}/tasks``, with or without a
``/v2.N`` prefix) to task_api and every other request on to the host's
application; :func:`app_factory` builds the task_api application alone.

task_api reads its configuration into a ConfigOpts of its own, from the
files named by ``config_file`` in the paste settings: it registers nothing
on the host's configuration and changes none of its defaults. The options
both services have (``[task]``, ``[import_filtering_opts]``, oslo.db's
``[database]`` and ``[oslo_policy]``) default to the host's values, so that
task_api works on the host's database with the host's policy file; a
task_api file may still set them.
"""

import copy
import os
import re

from oslo_config import cfg
from oslo_db import options as db_options
from oslo_db.sqlalchemy import enginefacade
from oslo_log import log
from oslo_policy import opts as policy_opts

from task_api.api import app as api_app
from task_api.api.middleware import body
from task_api.api.middleware import host
from task_api.common import service
from task_api import conf as task_conf
from task_api.conf import import_filtering
from task_api.conf import task
from task_api.db.sqlalchemy import api as sqla_api
from task_api.db.sqlalchemy import engines
from task_api.db.sqlalchemy import timeouts
from task_api import exception

LOG = log.getLogger(__name__)

#: Methods whose requests go to task_api unless the paste settings say.
DEFAULT_METHODS = ('GET', 'HEAD')

_ROUTE = re.compile(r'^(/v2(?:\.[0-9]+)?)'
                    r'(/tasks(?:/[^/]+)?|/schemas/tasks?'
                    r'|/images/[^/]+/tasks)$')
# NOTE: the actions on a task take POST only: with the default methods
# they stay with the host, and other methods on them too.
_ACTION_ROUTE = re.compile(r'^(/v2(?:\.[0-9]+)?)'
                           r'(/tasks/[^/]+/actions/cancel)$')

# NOTE: task_api answers 503 at once when the database is down rather
# than retrying the first connection, whatever the host does.
_NOT_SHARED_DB_OPTS = frozenset(('max_retries', 'retry_interval'))
_SHARED_POLICY_OPTS = frozenset(('policy_file', 'policy_dirs',
                                 'enforce_scope', 'enforce_new_defaults'))
#: The options of the enginefacade set from task_api's [database].
_FACADE_OPTS = ('connection', 'slave_connection', 'sqlite_synchronous',
                'mysql_sql_mode', 'mysql_wsrep_sync_wait',
                'connection_recycle_time', 'connection_debug',
                'max_pool_size', 'max_overflow', 'pool_timeout',
                'connection_trace', 'max_retries', 'retry_interval',
                'connection_parameters')


def _shared_opts():
    """{(group, name): option} of the options task_api and its host share.

    The options are task_api's definitions (oslo.db's and oslo.policy's
    for their groups).
    """
    shared = {('task', opt.dest): opt for opt in task.task_opts}
    shared.update(((import_filtering.group.name, opt.dest), opt)
                  for opt in import_filtering.opts)
    shared.update((('database', opt.dest), opt)
                  for opt in db_options.database_opts
                  if opt.dest not in _NOT_SHARED_DB_OPTS)
    for group, opts in policy_opts.list_opts():
        shared.update(((group, opt.dest), opt) for opt in opts
                      if opt.dest in _SHARED_POLICY_OPTS)
    return shared


def _host_values(host_conf, shared):
    """The host's value of each shared option, None for those it lacks.

    An option the host has registered is read from its configuration; one
    it has not registered yet (glance-api registers [database] only when it
    first uses it) is read from the host's configuration files with
    task_api's definition, on a configuration object of its own.
    """
    values = {}
    unregistered = {}
    for (group, name), opt in shared.items():
        try:
            values[group, name] = host_conf[group][name]
        except (cfg.NoSuchOptError, cfg.NoSuchGroupError):
            unregistered[group, name] = opt
        except cfg.Error as error:
            raise exception.ConfigInvalid(
                reason='[%s] %s of the host service: %s'
                       % (group, name, service.one_line(error))) from error
    files = list(getattr(host_conf, 'config_file', None) or [])
    dirs = list(getattr(host_conf, 'config_dir', None) or [])
    if not unregistered or not (files or dirs):
        return values
    probe = cfg.ConfigOpts()
    for (group, name), opt in unregistered.items():
        probe.register_opt(copy.deepcopy(opt), group=group)
    try:
        probe([], project='task_api', default_config_files=files,
              default_config_dirs=dirs, use_env=False)
        for group, name in unregistered:
            values[group, name] = probe[group][name]
    except cfg.Error as error:
        raise exception.ConfigInvalid(
            reason='the host service\'s configuration: %s'
                   % service.one_line(error)) from error
    return values


def load_conf(config_files, host_conf=None):
    """task_api's own configuration, beside the host's.

    :param config_files: task_api's configuration files.
    :param host_conf: the host service's configuration; the global one
        when None. It is only read.
    :returns: a new ConfigOpts holding every task_api option.
    :raises: task_api.exception.ConfigInvalid
    """
    host_conf = cfg.CONF if host_conf is None else host_conf
    own = cfg.ConfigOpts()
    task_conf.set_defaults(own)
    policy_opts.set_defaults(own)
    for (group, name), value in _host_values(host_conf,
                                             _shared_opts()).items():
        if value is None:
            continue
        if group == 'oslo_policy' and name == 'policy_file':
            # NOTE: found beside the host's files, not task_api's.
            value = host_conf.find_file(value) or value
        try:
            own.set_default(name, value, group=group)
        except (ValueError, TypeError) as error:
            raise exception.ConfigInvalid(
                reason='[%s] %s of the host service: task_api cannot use '
                       '%r (%s)' % (group, name, value, error)) from error
    try:
        own([], project='task_api', default_config_files=list(config_files),
            default_config_dirs=[])
    except cfg.Error as error:
        raise exception.ConfigInvalid(
            reason=service.one_line(error)) from error
    service.check_options(own)
    return own


def _configure_database(conf):
    """Make task_api's database engine follow ``conf``'s [database].

    Inside the host's process task_api keeps one pool of connections (as
    it does everywhere) beside the host's own, and leaves the process's
    psycopg2 wait callback to the host.
    """
    timeouts.use_wait_callback(False)
    try:
        options = {name: conf.database[name] for name in _FACADE_OPTS}
        options['connection_parameters'] = engines.url_parameters(
            options['connection_parameters'])
        sqla_api.main_context_manager.configure(**options)
    except enginefacade.AlreadyStartedError:
        LOG.warning('task_api\'s database engine was started before the '
                    'plugin was loaded; it keeps its configuration.')


def _config_files(global_conf, local_conf):
    here = global_conf.get('here') or os.getcwd()
    names = (local_conf.get('config_file') or '').replace(',', ' ').split()
    return [os.path.join(here, name) for name in names]


def make_app(config_files, host_conf=None, host_context_key=None):
    """The task_api application for another service's pipeline.

    task_api's configuration becomes the one every task_api module reads.
    """
    own = load_conf(config_files, host_conf)
    task_conf.use(own)
    _configure_database(own)
    LOG.info('task_api serves the tasks routes with the configuration of '
             '%(files)s, on the database %(db)s',
             {'files': ', '.join(config_files) or 'the host service',
              'db': service.database_url(own.database.connection)})
    application = body.BodyLimitMiddleware(api_app.setup_app())
    return host.HostContextMiddleware(application, host_context_key)


def app_factory(global_conf, **local_conf):
    """paste.app_factory of task_api inside another service.

    Settings: ``config_file`` (task_api's configuration files, relative to
    the paste file), ``host_context_key`` (the WSGI environment key of the
    host's context; by default the ``context`` attribute of the host's
    WebOb request, where glance-api's context middleware puts it).
    """
    return make_app(_config_files(global_conf, local_conf),
                    host_context_key=local_conf.get('host_context_key'))


class Dispatch:
    """Send the tasks routes to task_api, every other request on.

    ``methods``: the methods whose requests on the tasks routes task_api
    answers; the others stay with the host's application.
    """

    def __init__(self, host_app, task_app, methods=DEFAULT_METHODS):
        self.host_app = host_app
        self.task_app = task_app
        self.methods = frozenset(method.upper() for method in methods)

    def __call__(self, environ, start_response):
        method = environ.get('REQUEST_METHOD')
        if method in self.methods:
            path = environ.get('PATH_INFO', '')
            found = _ROUTE.match(path) or (
                method == 'POST' and _ACTION_ROUTE.match(path))
            if found:
                environ['SCRIPT_NAME'] = (environ.get('SCRIPT_NAME', '')
                                          + found.group(1))
                environ['PATH_INFO'] = found.group(2)
                return self.task_app(environ, start_response)
        return self.host_app(environ, start_response)


def filter_factory(global_conf, **local_conf):
    """paste.filter_factory of the dispatch filter.

    Settings: those of :func:`app_factory`, and ``methods``, the methods
    sent to task_api (``GET HEAD`` by default; add ``POST`` to have
    task_api create tasks and cancel them too).
    """
    methods = (local_conf.get('methods') or ' '.join(DEFAULT_METHODS))
    task_app = app_factory(global_conf, **local_conf)

    def _filter(host_app):
        return Dispatch(host_app, task_app,
                        methods.replace(',', ' ').split())

    return _filter
