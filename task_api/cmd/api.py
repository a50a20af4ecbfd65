"""task-api: serve the tasks API with a multi-threaded HTTP server.

For development and small installations; larger ones run
task_api.wsgi.api under Apache mod_wsgi, uwsgi or gunicorn.
"""

import ipaddress
import signal
import socket
import sys
import time

from cheroot import wsgi
from oslo_config import cfg
from oslo_log import log

from task_api.api import app as api_app
from task_api.api.middleware import auth
from task_api.common import service
from task_api import context
from task_api.db import migration
from task_api import exception

CONF = cfg.CONF
LOG = log.getLogger(__name__)


def _is_loopback(host):
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except socket.gaierror:
        return False
    return all(ipaddress.ip_address(address.split('%')[0]).is_loopback
               for address in addresses)


def check_bind():
    """Refuse noauth mode on an address others can reach, unless forced.

    :raises: task_api.exception.InsecureBind
    """
    if (CONF.api.auth_mode == 'noauth'
            and not CONF.api.allow_noauth_on_public_bind
            and not _is_loopback(CONF.api.bind_host)):
        raise exception.InsecureBind(host=CONF.api.bind_host)


class RequestLogger:
    """Log each request, its status, size and duration through oslo.log."""

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        started = time.monotonic()
        state = {}

        def _start_response(status, headers, exc_info=None):
            state['status'] = status.split(' ', 1)[0]
            return start_response(status, headers, exc_info)

        size = 0
        try:
            for chunk in self.application(environ, _start_response):
                size += len(chunk)
                yield chunk
        finally:
            # NOTE: oslo.log would otherwise show the context the thread
            # last stored, that of an earlier request.
            ctx = environ.get(auth.ENV_CONTEXT) or context.RequestContext(
                request_id=environ.get('openstack.request_id', '-'),
                overwrite=False)
            LOG.info('%(client)s "%(method)s %(path)s" status: %(status)s '
                     'len: %(size)d time: %(time).4f [%(request_id)s]',
                     {'client': environ.get('REMOTE_ADDR', '-'),
                      'method': environ.get('REQUEST_METHOD'),
                      'path': (environ.get('SCRIPT_NAME', '')
                               + environ.get('PATH_INFO', '')),
                      'status': state.get('status', '-'),
                      'size': size,
                      'time': time.monotonic() - started,
                      'request_id': environ.get('openstack.request_id',
                                                '-')},
                     context=ctx)


def _raise_exit(signum, frame):
    raise SystemExit(0)


def serve(application):
    """Serve ``application`` until SIGTERM or Ctrl-C."""
    server = wsgi.Server((CONF.api.bind_host, CONF.api.bind_port),
                         RequestLogger(application),
                         numthreads=CONF.api.server_threads,
                         server_name='task_api')
    # NOTE: cheroot reads each chunk of a chunked body whole before it
    # hands any of it on; its own limit refuses a chunk no acceptable body
    # could hold before reading it. It counts chunk-size lines too, hence
    # the margin: the exact limit is the application's, [api]
    # max_request_body_size.
    server.max_request_body_size = 2 * CONF.api.max_request_body_size + 65536
    server.prepare()
    host, port = server.bind_addr[:2]
    LOG.info('Serving the tasks API on http://%(host)s:%(port)s/ '
             '(auth mode %(mode)s)',
             {'host': host, 'port': port, 'mode': CONF.api.auth_mode})
    signal.signal(signal.SIGTERM, _raise_exit)
    try:
        server.serve()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        LOG.info('Stopping the tasks API server')
        server.stop()


def _zero_config_trial():
    """Serve a local trial when no configuration file was found at all.

    Production installs always have a configuration file, and keep
    ``[api] auth_mode = keystone`` unless they say otherwise. Without one,
    there is no identity service to ask, so the server answers on the
    loopback address in noauth mode, and says so.
    """
    if CONF.config_file or CONF.config_dir:
        return
    CONF.set_default('auth_mode', 'noauth', group='api')
    LOG.warning('No configuration file found: serving a local trial in '
                'noauth mode, where every caller is trusted. Pass '
                '--config-file to configure task_api.')


def main(argv=None):
    """Entry point of the ``task-api`` console script."""
    service.prepare_service(argv)
    _zero_config_trial()
    try:
        check_bind()
        # NOTE: the embedded database needs no operator: make it current.
        if CONF.database.connection.startswith('sqlite:'):
            migration.upgrade()
        application = api_app.load_app()
    except exception.TaskApiException as error:
        LOG.error('%s', error)
        sys.exit(1)
    serve(application)
