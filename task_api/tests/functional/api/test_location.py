"""The Location of a created task comes from the request, as in Glance.

``[api] public_endpoint`` is the base of the versions document only: the
Image API builds a created task's Location from the request's host and
script name (contract, section 3), and so does task_api, also when the
option is set.
"""

import json

from task_api.tests.functional.api import base as pipeline_base
from task_api.tests.unit.api import base as api_base


class TestLocationIgnoresPublicEndpoint(pipeline_base.PipelineTestCase):

    def setUp(self):
        super().setUp()
        self.config(public_endpoint='https://images.example.com/glance',
                    group='api')

    def test_created_task_location_is_the_request_url(self):
        response = self.app.post(
            '/v2/tasks',
            json.dumps({'type': 'location_import', 'input': {}}),
            headers=dict(api_base.ADMIN, Host='image.internal:9292'),
            extra_environ={'SCRIPT_NAME': '/image'}, status=201)
        self.assertEqual(
            'http://image.internal:9292/image/v2/tasks/'
            + response.json['id'], response.headers['Location'])
        self.assertEqual('/v2/tasks/' + response.json['id'],
                         response.json['self'])

    def test_versions_document_uses_it(self):
        response = self.app.get('/versions', status=200)
        self.assertEqual(
            {'https://images.example.com/glance/v2/'},
            {link['href'] for version in response.json['versions']
             for link in version['links']})
