"""The request and response samples of the API reference, checked.

Every file under api-ref/source/samples/ is compared with what the
application answers through the whole paste pipeline, so that a changed
response fails here until its sample, and the reference, are updated. Ids,
request ids and timestamps differ from run to run and are compared by
their form only; everything else (status, keys, nesting, values) must be
the same.

To rewrite the samples from the application after a deliberate change::

    TASK_API_WRITE_SAMPLES=1 tox -e functional -- test_api_samples

then review the diff of api-ref/source/samples/.
"""

import json
import os
import re

import fixtures

from task_api.common import import_filter
from task_api.tests.functional.api import base as pipeline_base
from task_api.tests.unit.api import base as api_base

SAMPLES = os.path.join(os.path.dirname(__file__), os.pardir, os.pardir,
                       os.pardir, os.pardir, 'api-ref', 'source', 'samples')

ENDPOINT = 'https://image.example.com:9292'
IMAGE_ID = '7bb2d7ad-0b1c-4f2e-9b0a-b4f5d1e35bd4'

_UUID = re.compile(r'[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-'
                   r'[0-9a-f]{12}')
_TIMESTAMP = re.compile(r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z?')
_ETAG = re.compile(r'^"[0-9a-f]+"$')


def normalised(value):
    """``value`` with every id and timestamp replaced by its kind."""
    if isinstance(value, dict):
        return {key: normalised(item) for key, item in value.items()}
    if isinstance(value, list):
        return [normalised(item) for item in value]
    if isinstance(value, str):
        return _TIMESTAMP.sub('TIMESTAMP', _UUID.sub('UUID', value))
    return value


def sample_path(name):
    return os.path.normpath(os.path.join(SAMPLES, name))


def read_sample(name):
    with open(sample_path(name), 'rb') as stream:
        return stream.read()


def create_request():
    return json.loads(read_sample('task-create-request.json'))


class TestApiSamples(pipeline_base.PipelineTestCase):
    """Each sample file against a real answer of the application."""

    def setUp(self):
        super().setUp()
        self.config(public_endpoint=ENDPOINT, group='api')
        # NOTE: the sample's host is resolved as a public address, as it
        # would be with a resolver that knows it (tests run offline).
        self.useFixture(fixtures.MockPatchObject(
            import_filter, 'resolve', lambda host: ['93.184.215.14']))
        self.write = os.environ.get('TASK_API_WRITE_SAMPLES') == '1'

    def check(self, name, response):
        """``response``'s JSON body is the sample ``name``, normalised."""
        if self.write and not self._matches(name, response.json):
            with open(sample_path(name), 'w') as stream:
                json.dump(response.json, stream, indent=4)
                stream.write('\n')
        sample = json.loads(read_sample(name))
        self.assertEqual(normalised(sample), normalised(response.json),
                         'the answer no longer matches api-ref/source/'
                         'samples/%s' % name)

    @staticmethod
    def _matches(name, body):
        """Whether the sample ``name`` exists and matches ``body``."""
        try:
            sample = json.loads(read_sample(name))
        except (OSError, ValueError):
            return False
        return normalised(sample) == normalised(body)

    def create(self):
        response = self.app.post_json(
            '/v2/tasks', create_request(), headers=api_base.ADMIN,
            status=201)
        return response

    def test_versions(self):
        for path, status in (('/versions', 200), ('/', 300)):
            response = self.app.get(path, status=status)
            self.assertEqual('application/json',
                             response.headers['Content-Type'])
            self.check('versions-list-response.json', response)

    def test_create(self):
        request = create_request()
        self.assertEqual(IMAGE_ID, request['input']['image_id'])
        response = self.create()
        task_id = response.json['id']
        # NOTE: Location is built from the request's URL, as in the
        # Image API, not from [api] public_endpoint.
        self.assertEqual('http://localhost/v2/tasks/' + task_id,
                         response.headers['Location'])
        self.assertTrue(_UUID.fullmatch(
            response.headers['x-openstack-request-id'][len('req-'):]))
        self.check('task-create-response.json', response)

    def test_show_and_not_modified(self):
        task_id = self.create().json['id']
        response = self.app.get('/v2/tasks/' + task_id,
                                headers=api_base.ADMIN, status=200)
        etag = response.headers['ETag']
        self.assertTrue(_ETAG.match(etag), etag)
        self.check('task-show-response.json', response)
        headers = dict(api_base.ADMIN, **{'If-None-Match': etag})
        response = self.app.get('/v2/tasks/' + task_id, headers=headers,
                                status=304)
        self.assertEqual(b'', response.body)
        self.assertEqual(etag, response.headers['ETag'])

    def test_show_missing(self):
        response = self.app.get(
            '/v2/tasks/' + '0' * 8 + '-0000-4000-8000-' + '0' * 12,
            headers=dict(api_base.ADMIN, Accept='application/json'),
            status=404)
        self.check('task-show-error-response.json', response)

    def test_list(self):
        for _ in range(3):
            self.create()
        response = self.app.get('/v2/tasks?limit=2',
                                headers=api_base.ADMIN, status=200)
        self.check('tasks-list-response.json', response)

    def test_image_tasks(self):
        self.create()
        response = self.app.get('/v2/images/%s/tasks' % IMAGE_ID,
                                headers=api_base.ADMIN, status=200)
        self.check('image-tasks-list-response.json', response)

    def test_schemas(self):
        for path, name in (('/v2/schemas/task', 'schema-task-response.json'),
                           ('/v2/schemas/tasks',
                            'schema-tasks-response.json'),
                           ('/v2/schemas/image',
                            'schema-image-response.json')):
            response = self.app.get(path, headers=api_base.ADMIN,
                                    status=200)
            self.check(name, response)

    def test_healthcheck(self):
        response = self.app.get('/healthcheck', status=200)
        if self.write:
            with open(sample_path('healthcheck-response.txt'), 'wb') as s:
                s.write(response.body)
        self.assertEqual(read_sample('healthcheck-response.txt'),
                         response.body)
