"""A request's objects are freed with the request.

Pecan keeps the request and response in the WSGI environ, and WebOb its
parsed query string: both refer back to the environ. The application
drops those references when Pecan returns, so that a server dropping the
environ frees everything a request made at once, rather than leaving it
to Python's cycle collector (a pass every few dozen requests, which cost
more CPU than the requests' own deallocation). A request that routing
refuses (405) keeps a cycle of Pecan's own: its routing state holds the
exception, whose traceback holds the state.
"""

import gc
import json

import webob

from task_api.tests.unit.api import base as api_base

TASK = {'type': 'import', 'input': {
    'import_from': 'http://8.8.8.8/images/cirros.qcow2',
    'import_from_format': 'qcow2',
    'image_properties': {'disk_format': 'qcow2',
                         'container_format': 'bare'}}}


class TestRequestCycles(api_base.ApiTestCase):

    def setUp(self):
        super().setUp()
        self.application = api_base.noauth_app()
        self.task_id = self.app.post_json(
            '/tasks', TASK, headers=api_base.ADMIN).json['id']
        gc.collect()
        if gc.isenabled():
            gc.disable()
            self.addCleanup(gc.enable)

    def unreachable_after(self, method, path, body=None):
        """Status of one request, and the objects only a cycle keeps."""
        environ = webob.Request.blank(
            path, method=method, headers=api_base.ADMIN,
            environ=dict(self.environ),
            body=None if body is None else json.dumps(body).encode(),
            content_type=None if body is None else 'application/json',
        ).environ
        statuses = []

        def start_response(status, headers, exc_info=None):
            statuses.append(status)

        b''.join(self.application(environ, start_response))
        del environ
        return statuses, gc.collect()

    def test_requests_leave_no_cycle(self):
        requests = [
            ('GET', '/tasks/' + self.task_id, None, '200 OK'),
            ('GET', '/tasks?limit=5&sort_dir=asc', None, '200 OK'),
            ('GET', '/tasks/00000000-0000-4000-8000-000000000000', None,
             '404 Not Found'),
            ('POST', '/tasks', TASK, '201 Created'),
            ('POST', '/tasks', {'type': 'no-such-type'}, '400 Bad Request'),
        ]
        for method, path, body, _status in requests:
            # NOTE: a first request may fill a cache of a library.
            self.unreachable_after(method, path, body)
        found = [(method, path) + self.unreachable_after(method, path, body)
                 for method, path, body, _status in requests]

        self.assertEqual(
            [(method, path, [status], 0)
             for method, path, _body, status in requests], found)
