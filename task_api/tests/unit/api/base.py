"""Base class of the API tests: WebTest around the Pecan application."""

import os

import webtest

from task_api.api import app
from task_api.api.middleware import auth
from task_api.tests import base

ADMIN = {'X-Roles': 'admin', 'X-Project-Id': 'admin-project',
         'X-User-Id': 'admin-user'}


def read_data(name):
    """The bytes of a reference file in the data directory of the tests."""
    path = os.path.join(os.path.dirname(__file__), 'data', name)
    with open(path, 'rb') as stream:
        return stream.read()


def member_of(project_id, roles='member'):
    """Identity headers of a non-admin caller of ``project_id``."""
    return {'X-Roles': roles, 'X-Project-Id': project_id,
            'X-User-Id': 'user-of-' + project_id}


def noauth_app():
    """The Pecan application behind the identity filters of noauth mode.

    The same filters as the noauth pipeline of api-paste.ini: the identity
    headers of a request are trusted and its context is built from them.
    """
    return auth.NoAuthMiddleware(auth.ContextMiddleware(app.setup_app()))


class ApiTestCase(base.DbTestCase):
    """Requests to the v2 Pecan application, as mounted under /v2."""

    #: what stands before /tasks in a URL given to self.app directly
    prefix = ''

    #: the WSGI environment of every request: the application is mounted
    #: at /v2, as the paste pipeline mounts it, for a local caller
    environ = {'SCRIPT_NAME': '/v2', 'REMOTE_ADDR': '127.0.0.1'}

    def setUp(self):
        super().setUp()
        self.app = webtest.TestApp(noauth_app(), extra_environ=self.environ)

    def get(self, path, headers=None, status=None):
        """GET ``path`` and check the status: ``status``, or 200."""
        # NOTE: WebTest checks no status at all once errors are expected,
        # so the check is made here.
        response = self.app.get(path, headers=headers or ADMIN,
                                expect_errors=True)
        self.assertEqual(200 if status is None else status,
                         response.status_int, response.text[:1000])
        return response
