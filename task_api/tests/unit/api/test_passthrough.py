"""The CORS and proxy filters: oslo.middleware's own, for the requests
they have work for."""

import webob

from task_api.api.middleware import passthrough
from task_api.tests import base

ORIGIN = 'https://dashboard.example.com'
FORWARDED = {'HTTP_X_FORWARDED_PROTO': 'https',
             'HTTP_X_FORWARDED_HOST': 'image.example.com',
             'HTTP_X_FORWARDED_PREFIX': '/image'}


def echo_url(environ, start_response):
    """Answers the URL the application sees, and Allow for OPTIONS."""
    body = webob.Request(environ).application_url.encode()
    start_response('200 OK', [('Content-Type', 'text/plain'),
                              ('Content-Length', str(len(body)))])
    return [body]


def call(application, method='GET', **environ):
    request = webob.Request.blank('/v2/tasks', method=method,
                                  environ=environ)
    return request.get_response(application)


class TestProxy(base.TestCase):

    def test_off_by_default(self):
        application = passthrough.HTTPProxyToWSGI.factory({})(echo_url)
        self.assertEqual(b'http://localhost',
                         call(application, **FORWARDED).body)

    def test_on_in_the_configuration_at_any_time(self):
        application = passthrough.HTTPProxyToWSGI.factory({})(echo_url)
        self.config(enable_proxy_headers_parsing=True,
                    group='oslo_middleware')
        self.assertEqual(b'https://image.example.com/image',
                         call(application, **FORWARDED).body)

    def test_paste_settings_are_oslo_middlewares(self):
        for setting, url in (('true', b'https://image.example.com/image'),
                             ('false', b'http://localhost')):
            application = passthrough.HTTPProxyToWSGI.factory(
                {}, enable_proxy_headers_parsing=setting)(echo_url)
            self.assertEqual(url, call(application, **FORWARDED).body)


class TestCors(base.TestCase):

    def setUp(self):
        super().setUp()
        self.config(allowed_origin=[ORIGIN], allow_methods=['GET', 'POST'],
                    group='cors')
        self.application = passthrough.CORS(echo_url, base.CONF)

    def test_same_origin_requests_are_untouched(self):
        response = call(self.application)
        self.assertEqual([('Content-Type', 'text/plain'),
                          ('Content-Length', '16')], response.headerlist)

    def test_cross_origin_requests(self):
        response = call(self.application, HTTP_ORIGIN=ORIGIN)
        self.assertEqual(ORIGIN,
                         response.headers['Access-Control-Allow-Origin'])
        self.assertEqual('Origin', response.headers['Vary'])
        other = call(self.application, HTTP_ORIGIN='https://elsewhere')
        self.assertNotIn('Access-Control-Allow-Origin', other.headers)

    def test_preflight(self):
        response = call(self.application, 'OPTIONS', HTTP_ORIGIN=ORIGIN,
                        HTTP_ACCESS_CONTROL_REQUEST_METHOD='POST')
        self.assertEqual(200, response.status_int)
        self.assertEqual('POST',
                         response.headers['Access-Control-Allow-Methods'])
