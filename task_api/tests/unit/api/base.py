"""Base class of the API tests: WebTest around the Pecan application."""

import os

import webtest

from task_api.api import app
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


class ApiTestCase(base.DbTestCase):
    """Requests to the v2 Pecan application, as mounted under /v2."""

    #: what stands before /tasks in a URL given to self.app directly
    prefix = ''

    #: the WSGI environment of every request: the application is mounted
    #: at /v2, as the paste pipeline mounts it
    environ = {'SCRIPT_NAME': '/v2'}

    def setUp(self):
        super().setUp()
        self.app = webtest.TestApp(app.setup_app(),
                                   extra_environ=self.environ)

    def get(self, path, headers=None, status=None):
        """GET ``path`` and check the status: ``status``, or 200."""
        # NOTE: WebTest checks no status at all once errors are expected,
        # so the check is made here.
        response = self.app.get(path, headers=headers or ADMIN,
                                expect_errors=True)
        self.assertEqual(200 if status is None else status,
                         response.status_int, response.text[:1000])
        return response
