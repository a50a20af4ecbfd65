"""The one way task_api answers an error: a WebOb HTTP error.

Whoever raises an error (a controller, the routing of the Pecan tree, a
hook or a middleware), its body is written by WebOb when the response is
sent, after the request's Accept header, as the Image API answers: JSON
``{"message", "code", "title"}`` for ``application/json``, an HTML page for
``text/html`` or ``*/*``, plain text otherwise.
"""

import urllib.parse

import webob.exc

from task_api.common import masking
from task_api import exception


def to_http(error):
    """Return the webob HTTP exception answering a TaskApiException.

    A message may quote a refused input: its credentials are masked.
    """
    cls = webob.exc.status_map.get(error.code,
                                   webob.exc.HTTPInternalServerError)
    return cls(explanation=masking.mask_credentials(error.message),
               headers=dict(error.headers))


def http_error(error):
    """The WebOb HTTP error that answers ``error``, whatever it is.

    A WebOb HTTP error is kept, less any body written into it before (Pecan
    writes its own JSON into the errors it sees); a task_api exception is
    mapped to its HTTP code; anything else is a bare 500.
    """
    if isinstance(error, webob.exc.WSGIHTTPException):
        # NOTE: task_api gives no error a body of its own; an empty body
        # (with the type of WebOb's own errors) makes WebOb write one after
        # the Accept header.
        if error.code >= 400 and error.has_body:
            error.body = b''
            error.content_type = 'text/html'
            error.charset = 'UTF-8'
        return error
    if isinstance(error, exception.TaskApiException):
        return to_http(error)
    return webob.exc.HTTPInternalServerError()


def bad_path():
    """The error answering a path that is not valid UTF-8 once decoded."""
    return webob.exc.HTTPBadRequest(
        explanation='The request path is not valid UTF-8.')


def path_is_text(environ):
    """Whether the request path decodes as UTF-8, as WebOb decodes it."""
    try:
        environ.get('PATH_INFO', '').encode('latin-1').decode('utf-8')
    except UnicodeError:
        return False
    return True


def bad_query():
    """The error answering a query string that is not valid UTF-8."""
    return webob.exc.HTTPBadRequest(
        explanation='The query string is not valid UTF-8.')


def query_is_text(environ):
    """Whether the query string decodes as UTF-8 once percent-decoded.

    WebOb decodes each name and value when the query is first read; one
    that is not UTF-8 makes Pecan log a traceback at ERROR for what is the
    client's mistake.
    """
    query = environ.get('QUERY_STRING', '')
    try:
        # NOTE: UTF-8 never uses the bytes of "&" and "=" inside a
        # character, so the whole query decodes when its parts do.
        urllib.parse.unquote_to_bytes(query.encode('latin-1')).decode('utf-8')
    except UnicodeError:
        return False
    return True
