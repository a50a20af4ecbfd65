"""The x-openstack-request-id of every API response.

A client's X-Openstack-Request-Id is reused (prefixed with ``req-`` when it
lacks it), so that a caller can follow its own id through the logs; without
one a new ``req-<uuid>`` is made.
"""

from oslo_config import cfg
from oslo_utils import uuidutils

from task_api.api import errors
from task_api.api.middleware import base
from task_api import exception

CONF = cfg.CONF

ENV_REQUEST_ID = 'openstack.request_id'
HTTP_HEADER = 'HTTP_X_OPENSTACK_REQUEST_ID'
RESPONSE_HEADER = 'x-openstack-request-id'


class RequestIdMiddleware(base.Middleware):
    """Set ``openstack.request_id`` and echo it on the response."""

    def __call__(self, environ, start_response):
        inbound = environ.get(HTTP_HEADER, '').strip()
        limit = CONF.api.max_request_id_length
        if len(inbound) > limit:
            error = errors.to_http(exception.InvalidRequestId(limit=limit))
            return error(environ, start_response)
        if not inbound:
            request_id = 'req-' + uuidutils.generate_uuid()
        elif inbound.startswith('req-'):
            request_id = inbound
        else:
            request_id = 'req-' + inbound
        environ[ENV_REQUEST_ID] = request_id

        def _start_response(status, headers, exc_info=None):
            headers = [(name, value) for name, value in headers
                       if name.lower() != RESPONSE_HEADER]
            headers.append((RESPONSE_HEADER, request_id))
            return start_response(status, headers, exc_info)

        return self.application(environ, _start_response)
