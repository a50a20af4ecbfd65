"""oslo.middleware's CORS and proxy middleware, bypassed when they are idle.

Both are WebOb applications: for every request they build a request, turn
the answer of the application below into a response object and back, and
inspect a method signature, although most requests give them nothing to
do. Each filter here holds oslo.middleware's own middleware, built through
its public constructor with the same options, and sends it the requests it
has work for; the others go straight to the next application.
"""

from oslo_middleware import cors
from oslo_middleware import http_proxy_to_wsgi

#: The option of oslo.middleware's proxy middleware that turns it on.
PROXY_OPTION = 'enable_proxy_headers_parsing'


class CORS:
    """oslo.middleware's CORS, for cross-origin requests and preflights.

    A request without an ``Origin`` header gets nothing from CORS, except
    a preflight (OPTIONS) request, which it still handles.

    :param conf: what oslo.middleware's CORS takes: the paste settings,
        or a ConfigOpts holding the ``[cors]`` options.
    """

    def __init__(self, application, conf=None):
        self.application = application
        self.cors = cors.CORS(application, conf)

    def __call__(self, environ, start_response):
        if ('HTTP_ORIGIN' not in environ
                and environ.get('REQUEST_METHOD') != 'OPTIONS'):
            return self.application(environ, start_response)
        return self.cors(environ, start_response)


class HTTPProxyToWSGI:
    """oslo.middleware's proxy-header middleware, when it is enabled.

    It applies the proxy headers to the WSGI environment only with
    ``[oslo_middleware] enable_proxy_headers_parsing`` (or the same
    setting in the paste file), read at every request as it reads it.
    """

    def __init__(self, application, conf=None):
        self.application = application
        self.proxy = http_proxy_to_wsgi.HTTPProxyToWSGI(application, conf)

    @classmethod
    def factory(cls, global_conf, **local_conf):
        """paste.filter_factory, with oslo.middleware's settings."""
        conf = dict(global_conf or {})
        conf.update(local_conf)

        def _filter(application):
            return cls(application, conf)

        return _filter

    def enabled(self):
        """Whether the proxy headers are applied to requests."""
        if PROXY_OPTION in self.proxy.conf:
            # NOTE: set in the paste file: oslo.middleware reads and
            # checks it.
            return True
        return getattr(self.proxy.oslo_conf.oslo_middleware, PROXY_OPTION)

    def __call__(self, environ, start_response):
        if not self.enabled():
            return self.application(environ, start_response)
        return self.proxy(environ, start_response)
