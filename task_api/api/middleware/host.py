"""The caller's context when task_api runs inside another service's pipeline.

The host service (glance-api) has authenticated the request and made its
own request context before task_api sees it. task_api takes the caller's
identity and the request ids from there (the host's context: glance-api's
context middleware sets it as the ``context`` attribute of its WebOb
request, which WebOb keeps in ``webob.adhoc_attrs``; another host may name
an environment key instead. Else the identity headers keystonemiddleware
set) and keeps its own context under its own key, ``task_api.context``:
nothing the host put in the WSGI environment, the response or the
thread's current context is replaced. The request id the host made is the
local request id of task_api's context too, and the id the host answers
(``req-`` prefixed) the one recorded with the tasks task_api creates.
"""

from oslo_log import log
import webob.exc

from task_api.api import errors
from task_api.api.middleware import auth
from task_api.api.middleware import request_id as request_id_module
from task_api import context
from task_api import exception

LOG = log.getLogger(__name__)

#: Where WebOb keeps the attributes set on a request, such as the
#: ``context`` glance-api's context middleware sets.
ENV_ADHOC_ATTRS = 'webob.adhoc_attrs'


def host_context(environ, key=None):
    """The host's request context: under ``key``, or ``request.context``."""
    if key:
        return environ.get(key)
    return (environ.get(ENV_ADHOC_ATTRS) or {}).get('context')


def context_from_host(host_ctx, request_ids):
    """task_api's RequestContext for the caller of the host's context.

    Whether the caller is an administrator is what the host decided.

    :param request_ids: the local, global and client request ids.
    """
    local, global_id, client = request_ids
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
        global_request_id=global_id, request_id=local,
        client_request_id=client, overwrite=False)


def context_from_headers(environ, request_ids):
    """task_api's RequestContext from keystonemiddleware's headers."""
    local, global_id, client = request_ids
    return auth.context_from_environ(
        environ, request_id=local, global_request_id=global_id,
        client_request_id=client, overwrite=False)


def hosts_request_ids(environ, host_ctx):
    """The request ids the host made, or None when it made none.

    The host's request id is the local one (oslo.middleware's RequestId
    filter leaves it in the environment, glance-api's context holds it);
    the host answers it, ``req-`` prefixed as glance-api answers it, so
    that is the client request id. The global id is the host's, else the
    client's ``req-<uuid>``.
    """
    local = (environ.get(request_id_module.ENV_REQUEST_ID)
             or getattr(host_ctx, 'request_id', None))
    if not local:
        return None
    global_id = (environ.get(request_id_module.ENV_GLOBAL_REQUEST_ID)
                 or getattr(host_ctx, 'global_request_id', None)
                 or request_id_module.global_request_id(environ))
    prefix = request_id_module.PREFIX
    client = local if local.startswith(prefix) else prefix + local
    return local, global_id, client


class HostContextMiddleware:
    """Attach task_api's context, made from what the host established."""

    def __init__(self, application, host_context_key=None):
        self.application = application
        self.host_context_key = host_context_key

    def __call__(self, environ, start_response):
        host_ctx = host_context(environ, self.host_context_key)
        request_ids = hosts_request_ids(environ, host_ctx)
        answer = request_ids is None
        if answer:
            # NOTE: no host middleware made a request id: task_api gives
            # the request its ids by its own rule, and answers the
            # client's, in its context only.
            try:
                request_ids = request_id_module.new_request_ids(environ)
            except exception.TaskApiException as error:
                return errors.to_http(error)(environ, start_response)
        if host_ctx is not None:
            ctx = context_from_host(host_ctx, request_ids)
        elif environ.get('HTTP_X_IDENTITY_STATUS') == 'Confirmed':
            ctx = context_from_headers(environ, request_ids)
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
        if not answer:
            return self.application(environ, start_response)
        request_id_module.log_client_id(*request_ids, ctx=ctx)
        client = request_ids[2]

        def _start_response(status, headers, exc_info=None):
            if not any(name.lower() == request_id_module.RESPONSE_HEADER
                       for name, _ in headers):
                headers = list(headers) + [
                    (request_id_module.RESPONSE_HEADER, client)]
            return start_response(status, headers, exc_info)

        return self.application(environ, _start_response)
