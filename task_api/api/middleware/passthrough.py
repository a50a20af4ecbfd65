"""oslo.middleware's CORS and proxy middleware, idle when they have no work.

Both are WebOb applications: for every request they build a request, turn
the answer of the application below into a response object and back, and
inspect a method signature, although most requests give them nothing to
do. These subclasses hand such requests straight to the next application
and leave all the rest to oslo.middleware, with the same options.
"""

from oslo_middleware import base
from oslo_middleware import cors
from oslo_middleware import http_proxy_to_wsgi


class CORS(cors.CORS):
    """CORS, skipped for requests that are not cross-origin.

    Without an ``Origin`` header oslo.middleware adds nothing to a
    response, except to preflight (OPTIONS) requests, which it still
    handles.
    """

    def __call__(self, environ, start_response):
        if ('HTTP_ORIGIN' not in environ
                and environ.get('REQUEST_METHOD') != 'OPTIONS'):
            return self.application(environ, start_response)
        return super().__call__(environ, start_response)


class HTTPProxyToWSGI(http_proxy_to_wsgi.HTTPProxyToWSGI):
    """The proxy headers applied to the WSGI environment, if enabled.

    oslo.middleware's version only rewrites the environment and never
    changes a response, so the response is left to the application.
    """

    def __call__(self, environ, start_response):
        self.process_request(base.NoContentTypeRequest(environ))
        return self.application(environ, start_response)
