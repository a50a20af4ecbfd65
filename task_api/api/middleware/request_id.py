"""The x-openstack-request-id of every API response.

A client's X-Openstack-Request-Id is reused (prefixed with ``req-`` when it
lacks it), so that a caller can follow its own id through the logs; without
one a new ``req-<uuid>`` is made. One rule decides whether a client's id is
taken, the same on every call: it is refused with 400 when it holds
anything but printable ASCII characters (a control character would be
echoed into a response header and a log line) or when, ``req-`` prefix
included, it is longer than ``[api] max_request_id_length`` (at most 64,
the length of the column that stores it).
"""

from oslo_utils import uuidutils

from task_api.api import errors
from task_api.api.middleware import base
from task_api import conf as task_conf
from task_api import context
from task_api import exception

CONF = task_conf.CONF

ENV_REQUEST_ID = 'openstack.request_id'
HTTP_HEADER = 'HTTP_X_OPENSTACK_REQUEST_ID'
RESPONSE_HEADER = 'x-openstack-request-id'
PREFIX = 'req-'


def request_id_from_environ(environ):
    """The request id of a request: the client's, or a new one.

    :raises: InvalidParameter for a client id the rule of this module
        refuses.
    """
    inbound = environ.get(HTTP_HEADER, '').strip(' \t')
    if not inbound:
        return PREFIX + uuidutils.generate_uuid()
    if not all(' ' <= char <= '~' for char in inbound):
        raise exception.InvalidParameter(
            reason='X-Openstack-Request-Id may hold only printable ASCII '
                   'characters.')
    request_id = inbound if inbound.startswith(PREFIX) else PREFIX + inbound
    limit = CONF.api.max_request_id_length
    if len(request_id) > limit:
        raise exception.InvalidRequestId(limit=limit)
    return request_id


class RequestIdMiddleware(base.Middleware):
    """Set ``openstack.request_id`` and echo it on the response.

    It runs first, so it also gives the thread a fresh oslo.context
    context naming only this request: log lines written before the
    caller's context exists (by authentication middleware, say) then carry
    this request's id and no earlier caller's identity.
    """

    def __call__(self, environ, start_response):
        # NOTE: oslo.log tags a line logged without a context with the
        # thread's current one; a new context with overwrite=True replaces
        # whatever the previous request of this thread left there.
        try:
            request_id = request_id_from_environ(environ)
        except exception.TaskApiException as error:
            context.RequestContext(overwrite=True)
            return errors.to_http(error)(environ, start_response)
        context.RequestContext(request_id=request_id, overwrite=True)
        environ[ENV_REQUEST_ID] = request_id

        def _start_response(status, headers, exc_info=None):
            headers = [(name, value) for name, value in headers
                       if name.lower() != RESPONSE_HEADER]
            headers.append((RESPONSE_HEADER, request_id))
            return start_response(status, headers, exc_info)

        return self.application(environ, _start_response)
