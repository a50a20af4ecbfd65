"""Identity of API callers: the request context, and the noauth mode."""

import functools
import ipaddress

from oslo_log import log
import webob.exc

from task_api.api.middleware import base
from task_api.api.middleware import request_id
from task_api import conf as task_conf
from task_api import context
from task_api import policy

CONF = task_conf.CONF
LOG = log.getLogger(__name__)

ENV_CONTEXT = 'task_api.context'
_IDENTITY_HEADERS = ('HTTP_X_USER_ID', 'HTTP_X_PROJECT_ID', 'HTTP_X_TENANT_ID',
                     'HTTP_X_ROLES')
_ANONYMOUS_ADMIN = {'HTTP_X_USER_ID': 'admin', 'HTTP_X_PROJECT_ID': 'admin',
                    'HTTP_X_ROLES': 'admin'}


def context_from_environ(environ, **kwargs):
    """Build the RequestContext of a request from its identity headers.

    Role names are compared in lower case, as policy files written for the
    Image API expect; whether the caller is an administrator is decided by
    the ``context_is_admin`` policy rule. The request ids are those the
    request-id middleware left in the environment.

    :param kwargs: passed on to ``RequestContext.from_environ``.
    """
    kwargs.setdefault('client_request_id',
                      environ.get(request_id.ENV_CLIENT_REQUEST_ID))
    ctx = context.RequestContext.from_environ(environ, **kwargs)
    ctx.roles = [role.lower() for role in ctx.roles]
    ctx.is_admin = policy.check_is_admin(ctx)
    return ctx


class ContextMiddleware(base.Middleware):
    """Attach the caller's RequestContext to the WSGI environment.

    Only requests whose identity was confirmed by the authentication
    middleware in front of this one get through.
    """

    def __call__(self, environ, start_response):
        if environ.get('HTTP_X_IDENTITY_STATUS') != 'Confirmed':
            return webob.exc.HTTPUnauthorized()(environ, start_response)
        environ[ENV_CONTEXT] = context_from_environ(environ)
        return self.application(environ, start_response)


# NOTE: a server sees few peers, and parsing an address costs more than
# the rest of the noauth filter.
@functools.lru_cache(maxsize=256)
def is_loopback(address):
    """Whether ``address`` (a REMOTE_ADDR) is a loopback address.

    IPv4 addresses written as IPv6 (``::ffff:127.0.0.1``) count as the
    IPv4 address; anything that is not an IP address (a UNIX socket's
    empty peer, a missing one) does not count.
    """
    try:
        ip = ipaddress.ip_address((address or '').split('%', 1)[0])
    except ValueError:
        return False
    mapped = getattr(ip, 'ipv4_mapped', None)
    return (mapped or ip).is_loopback


def origin_allowed(origin):
    """Whether ``[cors] allowed_origin`` lets ``origin`` use the API."""
    allowed = CONF.cors.allowed_origin or []
    return origin in allowed or '*' in allowed


class NoAuthMiddleware(base.Middleware):
    """Trust the identity headers the client sends (development only).

    A request that names no user, project or roles acts as the user
    ``admin`` of the project ``admin``, with the ``admin`` role. The
    identity status only an authenticating middleware may set is replaced,
    so a client cannot claim a confirmed token of its own.

    As anyone who reaches the API is then an administrator, a request is
    refused with 403 when its peer (``REMOTE_ADDR``) is not a loopback
    address, unless ``[api] allow_noauth_on_public_bind`` is set, and when
    it comes from a web page (an ``Origin`` header) whose origin
    ``[cors] allowed_origin`` does not list, so that a page the user opens
    cannot drive the API through the browser.
    """

    def __call__(self, environ, start_response):
        refusal = self._refusal(environ)
        if refusal:
            LOG.warning('noauth mode: refused %(method)s %(path)r from '
                        '%(peer)r (Origin %(origin)r) with 403: %(reason)s',
                        {'method': environ.get('REQUEST_METHOD'),
                         'path': environ.get('SCRIPT_NAME', '')
                         + environ.get('PATH_INFO', ''),
                         'peer': environ.get('REMOTE_ADDR'),
                         'origin': environ.get('HTTP_ORIGIN'),
                         'reason': refusal})
            return webob.exc.HTTPForbidden(explanation=refusal)(
                environ, start_response)
        if not any(environ.get(name) for name in _IDENTITY_HEADERS):
            environ.update(_ANONYMOUS_ADMIN)
        environ['HTTP_X_IDENTITY_STATUS'] = 'Confirmed'
        return self.application(environ, start_response)

    @staticmethod
    def _refusal(environ):
        if (not CONF.api.allow_noauth_on_public_bind
                and not is_loopback(environ.get('REMOTE_ADDR'))):
            return ('The API runs without authentication and answers '
                    'loopback addresses only; set [api] '
                    'allow_noauth_on_public_bind = true to serve other '
                    'hosts.')
        origin = environ.get('HTTP_ORIGIN')
        if origin is not None and not origin_allowed(origin):
            return ('The API runs without authentication and answers no '
                    'web page of an origin that [cors] allowed_origin '
                    'does not list.')
        return None
