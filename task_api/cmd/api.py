"""task-api: serve the tasks API with a multi-threaded HTTP server.

For development and small installations; larger ones run
task_api.wsgi.api under Apache mod_wsgi, uwsgi or gunicorn.
"""

import ipaddress
import logging
import re
import signal
import socket
import sys

from cheroot import wsgi
from oslo_config import cfg
from oslo_log import log

from task_api.common import service
from task_api import conf as task_conf
from task_api import exception

CONF = task_conf.CONF
LOG = log.getLogger(__name__)

PROG = 'task-api'
DESCRIPTION = (
    'Serve the tasks resource of the OpenStack Image API v2 (/v2/tasks). '
    'Without a configuration file it serves a local trial on '
    'http://127.0.0.1:9292/ in noauth mode with an embedded SQLite '
    'database; with one, [api] auth_mode defaults to keystone. Stop it with '
    'Ctrl-C or SIGTERM.')

cli_opts = [
    cfg.HostAddressOpt(
        'host', metavar='ADDRESS',
        help='Address to listen on; overrides [api] bind_host.'),
    cfg.PortOpt(
        'port', metavar='PORT',
        help='Port to listen on (0 picks a free one); overrides [api] '
             'bind_port.'),
]


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


def _raise_exit(signum, frame):
    raise SystemExit(0)


class Gateway(wsgi.Gateway_10):
    """cheroot's WSGI gateway; it closes a connection left mid-body.

    Before it reads the next request of a persistent connection, cheroot
    reads what the application left of a ``Content-Length`` body, but not
    of a chunked one: the rest of that body would be read as the next
    request, which the client never sent. An answer given before a
    chunked body was read to its end (a 405, a 403, a refused request id,
    a chunk that cannot be decoded) therefore closes the connection, and
    so does the answer to a request that declares both a
    ``Content-Length`` and a chunked ``Transfer-Encoding``, whose end
    another HTTP server on the way may see elsewhere (RFC 9112, 6.1).
    """

    def start_response(self, status, headers, exc_info=None):
        request = self.req
        if request.chunked_read and (
                not request.rfile.closed
                or b'Content-Length' in request.inheaders):
            request.close_connection = True
        return super().start_response(status, headers, exc_info)


def serve(application):
    """Serve ``application`` until SIGTERM or Ctrl-C."""
    # NOTE: cheroot's default backlog of 5 overflows when a few more
    # clients connect at once than it accepts at that moment: the kernel
    # drops their handshake and some are reset once they send a request.
    server = wsgi.Server((CONF.api.bind_host, CONF.api.bind_port),
                         application,
                         numthreads=CONF.api.server_threads,
                         server_name='task_api',
                         request_queue_size=socket.SOMAXCONN)
    server.gateway = Gateway
    # NOTE: cheroot reads each chunk of a chunked body whole before it
    # hands any of it on; its own limit refuses a chunk no acceptable body
    # could hold before reading it. It counts chunk-size lines too, hence
    # the margin: the exact limit is the application's, [api]
    # max_request_body_size.
    server.max_request_body_size = 2 * CONF.api.max_request_body_size + 65536
    try:
        server.prepare()
    except OSError as error:
        raise exception.ConfigInvalid(
            reason='cannot listen on %s port %s: %s' % (
                CONF.api.bind_host, CONF.api.bind_port,
                _os_error(error))) from error
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


def run(application):
    """Serve ``application``, with a worker beside it when asked.

    The worker (``[api] run_worker``) starts before the server and stops
    after it, letting the tasks it runs end.
    """
    claim_loop = None
    if CONF.api.run_worker:
        # NOTE: imported here: a server without a worker loads no flow.
        from task_api.worker import loop
        claim_loop = loop.ClaimLoop()
        claim_loop.start()
    try:
        serve(application)
    finally:
        if claim_loop is not None:
            claim_loop.stop()


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
    CONF.set_default('run_worker', True, group='api')
    LOG.warning('No configuration file found: serving a local trial in '
                'noauth mode, where every caller is trusted, and running '
                'its tasks in this process. Pass --config-file to '
                'configure task_api.')


def _os_error(error):
    if error.errno and error.strerror:
        return error.strerror
    # NOTE: cheroot wraps the socket's error in a message of its own:
    # "No socket could be created -- (('::1', 9292): [Errno 98] Address
    # already in use)".
    found = re.search(r'\[Errno \d+\] ([^()]+)', str(error))
    return found.group(1).strip() if found else service.one_line(error)


def _apply_cli_opts():
    if CONF.host is not None:
        CONF.set_override('bind_host', CONF.host, group='api')
    if CONF.port is not None:
        CONF.set_override('bind_port', CONF.port, group='api')


def _fail(message):
    """Say what keeps the server from starting, on one line; exit 1."""
    LOG.error('%s', message)
    # NOTE: with a log file, the terminal that started the server would
    # otherwise see nothing.
    if CONF.log_file or not logging.getLogger().handlers:
        print('%s: %s' % (PROG, message), file=sys.stderr)
    sys.exit(1)


def main(argv=None):
    """Entry point of the ``task-api`` console script."""
    CONF.register_cli_opts(cli_opts)
    service.prepare_command(argv, PROG, DESCRIPTION)
    _zero_config_trial()
    try:
        _apply_cli_opts()
        service.check_service()
        check_bind()
        # NOTE: the paste pipeline that logs each request: this server
        # keeps no access log of its own.
        application = service.load_application('server')
        run(application)
        return
    except exception.TaskApiException as error:
        message = service.one_line(error)
    # NOTE: outside the except clause, so that oslo.log does not append the
    # exception to the line.
    _fail(message)
