"""The request body: bounded before anything reads it, parsed by its handler.

:class:`BodyLimitMiddleware` stands early in the paste pipeline, before
authentication and policy: a body that declares more than ``[api]
max_request_body_size`` bytes is refused with 413 without being read, and
every other body is read through :class:`BoundedInput`, which stops a
chunked body one byte past the limit and turns a body that ends early or
breaks its chunked coding into a 400. :class:`Request` keeps Pecan from
parsing bodies into handler arguments: the handler that expects a body
reads and checks it itself (task_api.api.validation.json_body).
"""

import webob
import webob.multidict

from task_api.api import errors
from task_api.api.middleware import base
from task_api import conf as task_conf
from task_api import exception

CONF = task_conf.CONF


class BodyTooLarge(exception.RequestTooLarge):
    """A body read past ``[api] max_request_body_size``."""


class BodyUnreadable(exception.InvalidParameter):
    """A body the server could not read to its end."""

    _msg_fmt = 'The request body could not be read: %(reason)s'


class BoundedInput:
    """``wsgi.input`` that never yields more than ``limit`` bytes.

    Reading past the limit raises :class:`BodyTooLarge`; a body that ends
    before its declared ``length``, or whose chunked coding the server
    cannot decode, raises :class:`BodyUnreadable`. Nothing is buffered
    here: each read asks the server for at most one byte past the limit.
    """

    def __init__(self, stream, limit, length=None):
        self._stream = stream
        self._limit = limit
        self._length = length
        self._read = 0

    def _take(self, reader, size):
        wanted = self._limit + 1 - self._read
        if self._length is not None:
            wanted = self._length - self._read
        if size is not None and 0 <= size < wanted:
            wanted = size
        if wanted <= 0:
            return b''
        try:
            data = reader(wanted)
        except Exception as error:
            # NOTE: servers raise ValueError or OSError for a chunk size
            # that is not hexadecimal, a missing CRLF or a client gone
            # silent, and errors of their own (cheroot's MaxSizeExceeded)
            # for a chunk past their own limit.
            if 'too large' in str(error).lower():
                raise BodyTooLarge(limit=self._limit)
            raise BodyUnreadable(reason=_first_line(error))
        self._read += len(data)
        if self._read > self._limit:
            raise BodyTooLarge(limit=self._limit)
        if not data and self._length is not None and self._read < self._length:
            raise ended_early(self._read, self._length)
        return data

    def read(self, size=-1):
        return self._take(self._stream.read, size)

    def readline(self, size=-1):
        return self._take(self._stream.readline, size)

    def readlines(self, hint=-1):
        return list(iter(self.readline, b''))

    def __iter__(self):
        return iter(self.readline, b'')

    def close(self):
        close = getattr(self._stream, 'close', None)
        if close is not None:
            close()


def ended_early(read, length):
    """The error of a body that ended after ``read`` of ``length`` bytes."""
    return BodyUnreadable(
        reason='it ended after %d of the %d bytes its Content-Length '
               'declares.' % (read, length))


def _first_line(error):
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    # NOTE: a server's message may quote the bytes it could not parse.
    return ''.join(c if ' ' <= c < '\x7f' else '?' for c in text[:200]) + '.'


def declared_length(environ):
    """The CONTENT_LENGTH of a request as an int, None when absent.

    :raises: InvalidParameter when it is not a non-negative integer.
    """
    value = environ.get('CONTENT_LENGTH', '').strip()
    if not value:
        return None
    if not (value.isascii() and value.isdigit()):
        raise exception.InvalidParameter(
            reason='Content-Length must be a non-negative integer.')
    return int(value)


class BodyLimitMiddleware(base.Middleware):
    """Apply ``[api] max_request_body_size`` before anything reads a body."""

    def __call__(self, environ, start_response):
        limit = CONF.api.max_request_body_size
        try:
            length = declared_length(environ)
            if length is not None and length > limit:
                raise BodyTooLarge(limit=limit)
        except exception.TaskApiException as error:
            return errors.to_http(error)(environ, start_response)
        if length is None or length > 0:
            environ['wsgi.input'] = BoundedInput(environ['wsgi.input'],
                                                 limit, length)
        try:
            return self.application(environ, start_response)
        except (BodyTooLarge, BodyUnreadable) as error:
            # NOTE: raised where something other than a handler read the
            # body; a handler's reads are answered by the error hook.
            return errors.to_http(error)(environ, start_response)


class Request(webob.Request):
    """A request for Pecan, whose body Pecan does not parse.

    Pecan merges a JSON or form body into the keyword arguments of the
    handler before any hook or policy check runs, and answers 500 when
    WebOb cannot parse it (an unknown charset, a multipart body without a
    boundary, JSON nested past the recursion limit). No handler of
    task_api takes its body as arguments: the one that expects a body
    reads it after the policy check, with limits of its own.

    The caller's context and the DB API the hooks attach are attributes of
    the request object: WebOb would otherwise keep them in the WSGI
    environment (``webob.adhoc_attrs``), where the ``context`` of a host
    service's request (glance-api's) is, and replace it.

    It is a WebOb request, not Pecan's: Pecan's catches a path or query
    that is not UTF-8 on every attribute read, and the application refuses
    those before Pecan sees the request (``api.app``).
    """

    context = None
    dbapi = None

    @property
    def POST(self):
        return webob.multidict.NoVars(
            'task_api handlers read request bodies themselves')

    @property
    def json_body(self):
        raise ValueError('task_api handlers read request bodies themselves')

    json = json_body
