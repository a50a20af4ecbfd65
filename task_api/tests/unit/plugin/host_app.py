"""Stand-ins for the host service's own WSGI pieces in paste pipelines.

:func:`application` answers every request with a JSON document of what it
received. :class:`HostContext` stands for glance-api's context middleware:
it makes the host's request context from the identity headers (the
client's ``X-Openstack-Request-Id`` when it is ``req-<uuid>``, else a new
one), sets it as the ``context`` attribute of its WebOb request, as
glance-api does, and as the thread's current context, and echoes its
request id on a response that has none. On the way out it says, in
``X-Host-Context-Intact``, whether what it set is still there.
"""

import json
import re

from oslo_context import context
from oslo_utils import uuidutils
import webob

_REQUEST_ID = re.compile(r'^req-[0-9a-f-]{36}$')


def application(environ, start_response):
    body = json.dumps({
        'app': 'host',
        'method': environ.get('REQUEST_METHOD'),
        'script_name': environ.get('SCRIPT_NAME', ''),
        'path_info': environ.get('PATH_INFO', ''),
        'request_id': environ.get('HTTP_X_OPENSTACK_REQUEST_ID'),
    }).encode()
    start_response('200 OK', [('Content-Type', 'application/json'),
                              ('Content-Length', str(len(body)))])
    return [body]


def app_factory(global_conf, **local_conf):
    return application


class HostContext:

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        inbound = environ.get('HTTP_X_OPENSTACK_REQUEST_ID', '')
        request_id = (inbound if _REQUEST_ID.match(inbound)
                      else 'req-' + uuidutils.generate_uuid())
        roles = [role.strip() for role in
                 environ.get('HTTP_X_ROLES', '').split(',') if role.strip()]
        ctx = context.RequestContext(
            user_id=environ.get('HTTP_X_USER_ID'),
            project_id=environ.get('HTTP_X_PROJECT_ID'),
            roles=roles, is_admin='admin' in roles, request_id=request_id)
        webob.Request(environ).context = ctx
        environ['openstack.request_id'] = request_id

        def _start_response(status, headers, exc_info=None):
            intact = (webob.Request(environ).context is ctx
                      and environ.get('openstack.request_id') == request_id
                      and context.get_current() is ctx)
            headers = list(headers) + [('X-Host-Context-Intact',
                                        str(intact).lower())]
            if not any(name.lower() == 'x-openstack-request-id'
                       for name, _ in headers):
                headers.append(('x-openstack-request-id', request_id))
            return start_response(status, headers, exc_info)

        return self.application(environ, _start_response)


def context_filter_factory(global_conf, **local_conf):
    return HostContext


class TrustedIdentity:
    """Stands for keystonemiddleware in front of a host's context filter.

    A request without identity headers gets those of an administrator of
    project ``p1`` and the confirmed identity status auth_token sets.
    """

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        if 'HTTP_X_IDENTITY_STATUS' not in environ:
            environ.update({'HTTP_X_IDENTITY_STATUS': 'Confirmed',
                            'HTTP_X_ROLES': 'admin,member,reader',
                            'HTTP_X_USER_ID': 'u1',
                            'HTTP_X_PROJECT_ID': 'p1'})
        return self.application(environ, start_response)


def trusted_identity_filter_factory(global_conf, **local_conf):
    return TrustedIdentity
