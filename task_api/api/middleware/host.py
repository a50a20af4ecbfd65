"""The caller's context when task_api runs inside another service's pipeline.

The host service (glance-api) has authenticated the request and made its
own request context before task_api sees it. task_api takes the caller's
identity and the request id from there (the host's context: glance-api's
context middleware sets it as the ``context`` attribute of its WebOb
request, which WebOb keeps in ``webob.adhoc_attrs``; another host may name
an environment key instead. Else the identity headers keystonemiddleware
set) and
keeps its own context under its own key, ``task_api.context``: nothing the
host put in the WSGI environment, the response or the thread's current
context is replaced.
"""

from oslo_log import log
import webob.exc

from task_api.api import errors
from task_api.api.middleware import auth
from task_api.api.middleware import request_id as request_id_module
from task_api import context
from task_api import exception

LOG = log.getLogger(__name__)

#: Where oslo.middleware's request_id filter leaves the request id.
#: Where WebOb keeps the attributes set on a request, such as the
#: ``context`` glance-api's context middleware sets.
ENV_ADHOC_ATTRS = 'webob.adhoc_attrs'


def host_context(environ, key=None):
    """The host's request context: under ``key``, or ``request.context``."""
    if key:
        return environ.get(key)
    return (environ.get(ENV_ADHOC_ATTRS) or {}).get('context')


def context_from_host(host_ctx, request_id):
    """task_api's RequestContext for the caller of the host's context.

    Whether the caller is an administrator is what the host decided.
    """
    return context.RequestContext(
        user_id=getattr(host_ctx, 'user_id', None),
        project_id=getattr(host_ctx, 'project_id', None),
        domain_id=getattr(host_ctx, 'domain_id', None),
        user_domain_id=getattr(host_ctx, 'user_domain_id', None),
        project_domain_id=getattr(host_ctx, 'project_domain_id', None),
        roles=[role.lower() for role in getattr(host_ctx, 'roles', None)
               or []],
        is_admin=bool(getattr(host_ctx, 'is_admin', False)),
        system_scope=getattr(host_ctx, 'system_scope', None),
        global_request_id=getattr(host_ctx, 'global_request_id', None),
        request_id=request_id,
        overwrite=False)


def context_from_headers(environ, request_id):
    """task_api's RequestContext from keystonemiddleware's headers."""
    return auth.context_from_environ(environ, request_id=request_id,
                                     overwrite=False)


class HostContextMiddleware:
    """Attach task_api's context, made from what the host established."""

    def __init__(self, application, host_context_key=None):
        self.application = application
        self.host_context_key = host_context_key

    def __call__(self, environ, start_response):
        host_ctx = host_context(environ, self.host_context_key)
        request_id = (environ.get(request_id_module.ENV_REQUEST_ID)
                      or getattr(host_ctx, 'request_id', None))
        answer_id = None
        if not request_id:
            # NOTE: no host middleware made a request id: the client's is
            # taken by task_api's own rule, and echoed.
            try:
                request_id = request_id_module.request_id_from_environ(
                    environ)
            except exception.TaskApiException as error:
                return errors.to_http(error)(environ, start_response)
            answer_id = request_id
        if host_ctx is not None:
            ctx = context_from_host(host_ctx, request_id)
        elif environ.get('HTTP_X_IDENTITY_STATUS') == 'Confirmed':
            ctx = context_from_headers(environ, request_id)
        else:
            LOG.error('Refused %(method)s %(path)s with 401: no context '
                      'under %(key)s and no identity confirmed by '
                      'keystonemiddleware; the task_api filter must come '
                      'after the authentication and context filters.',
                      {'method': environ.get('REQUEST_METHOD'),
                       'path': environ.get('SCRIPT_NAME', '')
                       + environ.get('PATH_INFO', ''),
                       'key': self.host_context_key or 'request.context'})
            return webob.exc.HTTPUnauthorized()(environ, start_response)
        environ[auth.ENV_CONTEXT] = ctx
        if answer_id is None:
            return self.application(environ, start_response)

        def _start_response(status, headers, exc_info=None):
            if not any(name.lower() == request_id_module.RESPONSE_HEADER
                       for name, _ in headers):
                headers = list(headers) + [
                    (request_id_module.RESPONSE_HEADER, answer_id)]
            return start_response(status, headers, exc_info)

        return self.application(environ, _start_response)
