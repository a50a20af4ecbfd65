"""The request ids of an API call, as OpenStack services keep them.

Three ids, with oslo.middleware's and oslo.context's meaning:

* the **local request id**, ``req-<uuid>``, is task_api's own, new for
  every request: the ``request_id`` of the request's context and of its
  log lines, left in ``openstack.request_id`` as oslo.middleware's
  RequestId filter leaves it;
* the **global request id** is the client's X-Openstack-Request-Id when it
  is of the form ``req-<uuid>`` (any other value is no global id): the
  context's ``global_request_id``, which log lines carry beside the local
  id, left in ``openstack.global_request_id``;
* the **client request id** is what the response answers in
  x-openstack-request-id, as Glance answers: the client's id, prefixed
  with ``req-`` when it lacks it, or without one the local id. The tasks a
  request creates record it as their ``request_id`` (the context's
  ``client_request_id``), so that a client finds a task under the id it
  was answered.

One rule decides whether a client's id is taken, the same on every call:
it is refused with 400 when it holds anything but printable ASCII
characters (a control character would be echoed into a response header and
a log line) or when, ``req-`` prefix included, it is longer than ``[api]
max_request_id_length`` (at most 64, the length of the column that stores
it). A client id that is taken but is no global id is logged once, on a
line that carries the local id, so that the id the client holds leads to
the request's log lines.
"""

import re

from oslo_context import context as oslo_context
from oslo_log import log
from oslo_middleware import request_id as oslo_request_id

from task_api.api import errors
from task_api.api.middleware import base
from task_api import conf as task_conf
from task_api import context
from task_api import exception

CONF = task_conf.CONF
LOG = log.getLogger(__name__)

ENV_REQUEST_ID = oslo_request_id.ENV_REQUEST_ID
ENV_GLOBAL_REQUEST_ID = oslo_request_id.GLOBAL_REQ_ID
#: Where the id the response answers with is kept.
ENV_CLIENT_REQUEST_ID = 'task_api.client_request_id'
HTTP_HEADER = 'HTTP_X_OPENSTACK_REQUEST_ID'
RESPONSE_HEADER = oslo_request_id.HTTP_RESP_HEADER_REQUEST_ID
PREFIX = 'req-'
_GLOBAL_FORMAT = re.compile(oslo_request_id.ID_FORMAT)


def _inbound(environ):
    return environ.get(HTTP_HEADER, '').strip(' \t')


def client_request_id(environ):
    """The client's X-Openstack-Request-Id, ``req-`` prefixed, or None.

    :raises: InvalidParameter or InvalidRequestId for a client id the rule
        of this module refuses.
    """
    inbound = _inbound(environ)
    if not inbound:
        return None
    if not all(' ' <= char <= '~' for char in inbound):
        raise exception.InvalidParameter(
            reason='X-Openstack-Request-Id may hold only printable ASCII '
                   'characters.')
    request_id = inbound if inbound.startswith(PREFIX) else PREFIX + inbound
    limit = CONF.api.max_request_id_length
    if len(request_id) > limit:
        raise exception.InvalidRequestId(limit=limit)
    return request_id


def global_request_id(environ):
    """The client's X-Openstack-Request-Id if it is ``req-<uuid>``."""
    inbound = _inbound(environ)
    return inbound if _GLOBAL_FORMAT.match(inbound) else None


def new_request_ids(environ):
    """The local, global and client request ids of a request.

    The local id is a new one; see the module's documentation.

    :raises: InvalidParameter or InvalidRequestId for a client id the rule
        of this module refuses.
    """
    client = client_request_id(environ)
    local = oslo_context.generate_request_id()
    return local, global_request_id(environ), client or local


def set_request_ids(environ, local, global_id, client):
    """Leave the three ids of a request where the next layers read them."""
    environ[ENV_REQUEST_ID] = local
    if global_id:
        environ[ENV_GLOBAL_REQUEST_ID] = global_id
    environ[ENV_CLIENT_REQUEST_ID] = client


def log_client_id(local, global_id, client, ctx):
    """Say which request a client id that is no global id names."""
    if client not in (local, global_id):
        LOG.info('X-Openstack-Request-Id %(client)s is not of the form '
                 'req-<uuid>: it is answered and recorded with the tasks '
                 'this request creates, but it is no global request id; '
                 'this request is logged as %(local)s',
                 {'client': client, 'local': local}, context=ctx)


def answering(start_response, client):
    """``start_response`` that answers x-openstack-request-id ``client``."""

    def _start_response(status, headers, exc_info=None):
        headers = [(name, value) for name, value in headers
                   if name.lower() != RESPONSE_HEADER]
        headers.append((RESPONSE_HEADER, client))
        return start_response(status, headers, exc_info)

    return _start_response


class RequestIdMiddleware(base.Middleware):
    """Give a request its ids and answer the client's.

    It runs first, so it also gives the thread a fresh oslo.context
    context naming only this request: log lines written before the
    caller's context exists (by authentication middleware, say) then carry
    this request's ids and no earlier caller's identity.
    """

    def __call__(self, environ, start_response):
        # NOTE: oslo.log tags a line logged without a context with the
        # thread's current one; a new context with overwrite=True replaces
        # whatever the previous request of this thread left there.
        try:
            local, global_id, client = new_request_ids(environ)
        except exception.TaskApiException as error:
            context.RequestContext(overwrite=True)
            return errors.to_http(error)(environ, start_response)
        ctx = context.RequestContext(
            request_id=local, global_request_id=global_id,
            client_request_id=client, overwrite=True)
        set_request_ids(environ, local, global_id, client)
        log_client_id(local, global_id, client, ctx)
        return self.application(environ, answering(start_response, client))
