"""Error bodies: Glance's (WebOb's) for every routing error, after Accept.

Every method on every path of the v2 tree that no handler serves, and the
405 of DELETE on a task, with each of three Accept values.
"""

import json

from task_api.tests import base
from task_api.tests.unit.api import base as api_base
from task_api.tests.unit.api import test_routes_policy

THING = test_routes_policy.THING
METHODS = ('GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS')
ACCEPTS = ('application/json', 'text/html', 'text/plain')
NOT_FOUND = 'The resource could not be found.'
DELETE_EXPLANATION = ('This operation is currently not permitted on tasks. '
                      'They are deleted automatically once their expires_at '
                      'time has passed.')
# NOTE: paths no route serves, besides the methods a route does not serve.
UNROUTED = ('/', '/nothing', '/tasks/', '/tasks/{id}/', '/tasks/{id}/x',
            '/tasks/{id}/tasks', '/schemas', '/schemas/',
            '/schemas/task/', '/schemas/task/x', '/schemas/nothing',
            '/images', '/images/', '/images/{id}', '/images/{id}/',
            '/images/{id}/tasks/', '/images/{id}/tasks/x',
            '/images/{id}/members')


def error_body(status, message, accept):
    """(Content-Type, body) of Glance's error for ``accept``.

    ``message`` is the body template as written, ``<br />`` included.
    """
    title = status.split(' ', 1)[1]
    if accept == 'application/json':
        return 'application/json', json.dumps(
            {'message': message, 'code': status, 'title': title})
    if accept == 'text/html':
        page = ('<html>\n <head>\n  <title>%s</title>\n </head>\n'
                ' <body>\n  <h1>%s</h1>\n  %s\n </body>\n</html>')
        return 'text/html; charset=UTF-8', page % (status, status, message)
    # NOTE: the text of the HTML body: its line ends become spaces, and
    # each <br /> a line end.
    return 'text/plain; charset=UTF-8', '%s\n\n%s' % (
        status, message.replace('\n', ' ').replace('<br />', '\n'))


def not_found(accept):
    return '404 Not Found', error_body(
        '404 Not Found', NOT_FOUND + '<br /><br />\n\n\n', accept)


def not_allowed(method, accept):
    return '405 Method Not Allowed', error_body(
        '405 Method Not Allowed', 'The method %s is not allowed for this '
        'resource. <br /><br />\n' % method, accept)


def delete_refused(accept):
    content_type, body = error_body('405 Method Not Allowed',
                                    DELETE_EXPLANATION, accept)
    if accept == 'text/plain':
        body = DELETE_EXPLANATION
    return '405 Method Not Allowed', (content_type, body)


class RoutingErrorsMixin:
    """The routing errors of the v2 tree; ``prefix`` leads to it."""

    methods = METHODS

    def setUp(self):
        super().setUp()
        base.create_test_task(id=THING, image_id=THING,
                              owner=api_base.ADMIN['X-Project-Id'])

    def request(self, method, path, accept):
        return self.app.request(
            self.prefix + path.replace('{id}', THING), method=method,
            headers=dict(api_base.ADMIN, Accept=accept), expect_errors=True)

    def assertError(self, expected, response, what):
        status, (content_type, body) = expected
        self.assertEqual(status, response.status, what)
        if response.request.method == 'HEAD':
            self.assertEqual(b'', response.body, what)
            return
        self.assertEqual(content_type, response.headers['Content-Type'],
                         what)
        self.assertEqual(body, response.text, what)

    def test_every_unserved_method_and_path(self):
        served = {}
        for method, template, _ in test_routes_policy.routes():
            served.setdefault(template, []).append(method)
        checked = 0
        for template in sorted(served) + list(UNROUTED):
            for method in self.methods:
                for accept in ACCEPTS:
                    what = '%s %s (%s)' % (method, template, accept)
                    response = self.request(method, template, accept)
                    if template not in served:
                        expected = not_found(accept)
                    elif method not in served[template]:
                        expected = not_allowed(method, accept)
                        self.assertEqual(
                            sorted(served[template]),
                            sorted(response.headers['Allow'].split(', ')),
                            what)
                    elif method == 'DELETE' and template == '/tasks/{id}':
                        expected = delete_refused(accept)
                        self.assertEqual('GET', response.headers['Allow'])
                    else:
                        continue
                    self.assertError(expected, response, what)
                    self.check_headers(response, what)
                    checked += 1
        self.assertGreater(checked, 400)

    def check_headers(self, response, what):
        """Headers the layer under test adds to every error."""


class TestRoutingErrors(RoutingErrorsMixin, api_base.ApiTestCase):
    """On the Pecan application behind the noauth filters."""


class TestUndecodablePaths(api_base.ApiTestCase):
    """Paths that are not UTF-8 once percent-decoded, without the pipeline.

    The paste pipeline refuses them in front of everything (see the
    functional tests); the application alone answers 400 as well.
    """

    def assert_refused(self, paths, explanation):
        for path in paths:
            for accept in ACCEPTS:
                response = self.app.get(
                    path, headers=dict(api_base.ADMIN, Accept=accept),
                    extra_environ={'SCRIPT_NAME': ''}, expect_errors=True)
                self.assertEqual(400, response.status_int, path)
                self.assertEqual(error_body(
                    '400 Bad Request',
                    explanation + '<br /><br />\n\n\n', accept),
                    (response.headers['Content-Type'], response.text))

    def test_undecodable_paths_are_400(self):
        self.assert_refused(('/tasks/%FF', '/%FF', '/images/%FF/tasks',
                             '/tasks/a%C3'),
                            'The request path is not valid UTF-8.')

    def test_undecodable_queries_are_400(self):
        # NOTE: the application reads queries with WebOb, which raises on
        # one that is not UTF-8; it is refused before that.
        self.assert_refused(('/tasks?status=%FF', '/tasks/x?a%C3=1',
                             '/images/i/tasks?x=%FE%FF'),
                            'The query string is not valid UTF-8.')
