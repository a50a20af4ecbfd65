"""One log line per request of the task-api server.

The first filter of the ``server`` pipeline of api-paste.ini, which
task-api serves: it has no access log of its own, unlike Apache, uwsgi
or gunicorn, which serve ``main``.

The line names the client, the method, the path with its query string,
the status, the size and the time taken; a 4xx adds the reason the API
gave. The request id is that of the line's context. With ``--debug`` a
line with the request headers (the values of secret ones left out) comes
before it. Credentials in these lines are masked where those of every
other log line are: by the formatter task_api's programs install on their
log handlers (task_api.common.masking.install_log_masking).
"""

import json
import logging
import re
import sys
import time

from oslo_log import log

from task_api.api.middleware import auth
from task_api.api.middleware import base
from task_api.api.middleware import request_id
from task_api.common import masking
from task_api import context

LOG = log.getLogger(__name__)

#: Headers whose value is never logged.
SECRET_HEADERS = frozenset((
    'x-auth-token', 'x-subject-token', 'x-service-token', 'authorization',
    'proxy-authorization', 'cookie', 'x-storage-token'))
#: Bytes of a 4xx body kept to find its reason.
REASON_BODY_LIMIT = 4096
REASON_LIMIT = 300
INTERNAL_ERROR = json.dumps({
    'message': 'The server failed to answer the request.',
    'code': '500 Internal Server Error',
    'title': 'Internal Server Error'}).encode()
_TAGS = re.compile(r'<[^<>]{0,200}>')


def request_headers(environ):
    """The request's headers as 'Name: value' strings, secrets masked."""
    headers = []
    for key in sorted(environ):
        if key.startswith('HTTP_'):
            name = key[5:].replace('_', '-').title()
        elif key in ('CONTENT_TYPE', 'CONTENT_LENGTH'):
            name = key.replace('_', '-').title()
        else:
            continue
        value = environ[key]
        if name.lower() in SECRET_HEADERS:
            value = masking.MASK
        headers.append('%s: %s' % (name, value))
    return headers


def reason(body, content_type):
    """The message of an error body, in any of the API's error formats."""
    text = body.decode('utf-8', 'replace')
    if 'json' in (content_type or ''):
        try:
            document = json.loads(text)
        except ValueError:
            document = None
        while isinstance(document, dict):
            for key in ('message', 'explanation', 'description', 'detail'):
                if isinstance(document.get(key), str) and document[key]:
                    return _short(document[key])
            inner = [value for value in document.values()
                     if isinstance(value, dict)]
            document = inner[0] if len(inner) == 1 else None
    text = _TAGS.sub(' ', text)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    # NOTE: WebOb's plain-text error bodies start with the status line.
    if len(lines) > 1 and lines[0][:3].isdigit():
        lines = lines[1:]
    return _short(' '.join(lines))


def _short(text):
    # NOTE: WebOb's error messages carry <br /> even in JSON bodies.
    text = ' '.join(_TAGS.sub(' ', text).split())
    if len(text) > REASON_LIMIT:
        text = text[:REASON_LIMIT] + '...'
    return text


class RequestLogger(base.Middleware):
    """Log each request, its status, size and duration through oslo.log."""

    def __call__(self, environ, start_response):
        started = time.monotonic()
        state = {}
        if LOG.isEnabledFor(logging.DEBUG):
            LOG.debug('Request headers: %s',
                      '; '.join(request_headers(environ)),
                      context=self._context(environ))

        def _start_response(status, headers, exc_info=None):
            state['status'] = status.split(' ', 1)[0]
            state['type'] = next((value for name, value in headers
                                  if name.lower() == 'content-type'), '')
            return start_response(status, headers, exc_info)

        size = 0
        kept = []
        kept_size = 0
        try:
            try:
                for chunk in self.application(environ, _start_response):
                    size += len(chunk)
                    if (state.get('status', '').startswith('4')
                            and kept_size < REASON_BODY_LIMIT):
                        kept.append(chunk)
                        kept_size += len(chunk)
                    yield chunk
            except Exception:
                if 'status' in state:
                    raise
                # NOTE: the server would close the connection without an
                # answer; the client gets a 500 without details instead.
                LOG.exception('The API failed before answering',
                              context=self._context(environ))
                _start_response('500 Internal Server Error', [
                    ('Content-Type', 'application/json'),
                    ('Content-Length', str(len(INTERNAL_ERROR)))],
                    sys.exc_info())
                size = len(INTERNAL_ERROR)
                yield INTERNAL_ERROR
        finally:
            self._log(environ, state, size, b''.join(kept), started)

    @staticmethod
    def _context(environ):
        # NOTE: oslo.log would otherwise show the context the thread last
        # stored, that of an earlier request.
        return environ.get(auth.ENV_CONTEXT) or context.RequestContext(
            request_id=environ.get(request_id.ENV_REQUEST_ID, '-'),
            overwrite=False)

    def _log(self, environ, state, size, body, started):
        path = environ.get('SCRIPT_NAME', '') + environ.get('PATH_INFO', '')
        query = environ.get('QUERY_STRING')
        if query:
            path += '?' + query
        status = state.get('status', '-')
        values = {'client': environ.get('REMOTE_ADDR', '-'),
                  'method': environ.get('REQUEST_METHOD'),
                  'path': path,
                  'status': status,
                  'size': size,
                  'time': time.monotonic() - started}
        line = ('%(client)s "%(method)s %(path)s" status: %(status)s '
                'len: %(size)d time: %(time).4f')
        if status.startswith('4'):
            values['reason'] = reason(body[:REASON_BODY_LIMIT],
                                      state.get('type'))
            line += ' reason: %(reason)s'
        LOG.info(line, values, context=self._context(environ))
