"""keystonemiddleware's auth_token, answering 503 when Keystone's is bad.

auth_token turns a Keystone that cannot be reached, or that answers with
an error status, into 503; a 200 whose body is not a token (not JSON, cut
short, an HTML page, another shape) makes it raise instead, and the server
would close the connection or answer a bare 500. This filter answers those
with the same 503, logs one line, and adds ``Retry-After`` to every 503.
"""

from keystonemiddleware import auth_token
from oslo_log import log
import webob.exc

LOG = log.getLogger(__name__)

# NOTE: set once auth_token passed the request on, so that an error raised
# further down the pipeline is not taken for Keystone's.
_PASSED = 'task_api.auth_token_passed'
RETRY_AFTER = ('Retry-After', '5')


class _Passed:

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        environ[_PASSED] = True
        return self.application(environ, start_response)


class AuthToken:
    """auth_token around ``application``, configured from ``conf``."""

    def __init__(self, application, global_conf, local_conf):
        self.auth = auth_token.filter_factory(global_conf, **local_conf)(
            _Passed(application))

    def __call__(self, environ, start_response):

        def _start_response(status, headers, exc_info=None):
            # NOTE: auth_token's own 503 (Keystone down or answering an
            # error) says nothing of when to come back.
            if status.startswith('503') and not any(
                    name.lower() == 'retry-after' for name, _ in headers):
                headers = list(headers) + [RETRY_AFTER]
            return start_response(status, headers, exc_info)

        try:
            return self.auth(environ, _start_response)
        except Exception as error:
            if environ.get(_PASSED):
                raise
            LOG.error('The identity service answered the validation of a '
                      'token with something unusable (%(type)s: %(error)s); '
                      'answering 503',
                      {'type': type(error).__name__,
                       'error': str(error)[:200]})
        response = webob.exc.HTTPServiceUnavailable(
            detail='The Keystone service is temporarily unavailable.',
            headers=[RETRY_AFTER])
        return response(environ, start_response)


def filter_factory(global_conf, **local_conf):
    """paste.filter_factory, taking auth_token's options likewise."""

    def _filter(application):
        return AuthToken(application, global_conf, local_conf)

    return _filter
