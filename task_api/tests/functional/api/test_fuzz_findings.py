"""What fuzzing found, through the whole paste pipeline."""

import logging

import fixtures

from task_api.tests.functional.api import base as pipeline_base
from task_api.tests.unit.api import test_errors

# NOTE: query strings that are not UTF-8 once percent-decoded: a byte that
# starts no character, a surrogate's encoding, a character cut short, in
# a name or a value, on every route.
UNDECODABLE = ('/v2/tasks?foo=%ff', '/v2/tasks?sort_dir=%ED%A0%80',
               '/v2/tasks?%C3=1', '/v2/tasks/x?a=%ff',
               '/v2/images/x/tasks?a=%ff', '/v2/schemas/task?a=%ff',
               '/v2.12/tasks?a=%ff', '/v2/tasks?a=\xff', '/versions?a=%ff')


class TestUndecodableQueries(pipeline_base.PipelineTestCase):

    def test_undecodable_query_is_400_without_traceback(self):
        log = self.useFixture(fixtures.FakeLogger(level=logging.INFO))
        for path in UNDECODABLE:
            for accept in test_errors.ACCEPTS:
                response = self.app.get(path, headers={'Accept': accept},
                                        expect_errors=True)
                self.assertEqual(400, response.status_int, path)
                self.assertEqual(test_errors.error_body(
                    '400 Bad Request', 'The query string is not valid '
                    'UTF-8.<br /><br />\n\n\n', accept),
                    (response.headers['Content-Type'], response.text), path)
        self.assertNotIn('Traceback', log.output)
        self.assertNotIn('UnicodeDecodeError', log.output)

    def test_decodable_queries_still_served(self):
        response = self.get('/tasks?image_id=%C3%A9&owner=x+y')
        self.assertEqual([], response.json['tasks'])
