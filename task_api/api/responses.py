"""The one way task_api builds a successful JSON response.

Handlers return these WebOb responses and Pecan sends them as they are;
the versions application sends them itself. Errors are built elsewhere
(task_api.api.errors).
"""

import webob

from task_api.api.views import encoding


def json_bytes(data, status=200, headers=()):
    """A response whose body is ``data``, a JSON document already encoded.

    :param headers: (name, value) pairs after the Content-Type.
    """
    return webob.Response(body=data, status=status, headerlist=[
        ('Content-Type', 'application/json'), *headers])


def json(body, status=200, headers=()):
    """A response with ``body`` as JSON, non-ASCII characters as UTF-8."""
    return json_bytes(encoding.encode(body), status, headers)


def empty(status, headers=()):
    """A response without a body (a 304)."""
    return webob.Response(status=status, headerlist=list(headers))
