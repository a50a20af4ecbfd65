"""The request log of the task-api server, as an operator reads it."""

import json
import re
import time

from task_api.tests import base
from task_api.tests.functional import server


class TestRequestLog(base.TestCase):

    def start(self, *args):
        return self.useFixture(server.TaskApiServer(args=args))

    def lines(self, api, text, wait=True):
        """The log lines holding ``text``, once there is one (5 s at most).

        The server writes a request's line once the response is sent.
        """
        deadline = time.monotonic() + (5 if wait else 0)
        while True:
            found = [line for line in api.read_log().splitlines()
                     if text in line]
            if found or time.monotonic() > deadline:
                return found
            time.sleep(0.05)

    def test_query_string_is_logged_with_credentials_masked(self):
        api = self.start()
        status, _headers, _body = api.request(
            '/v2/tasks?status=pending&marker=http://admin:hunter2@example.com'
            '/x')
        self.assertEqual(400, status)
        lines = self.lines(api, '"GET /v2/tasks?status=pending&marker=http:'
                                '//admin:***@example.com/x" status: 400')
        log = api.read_log()
        self.assertEqual(1, len(lines), log)
        self.assertNotIn('hunter2', log)

    def test_reason_of_a_4xx(self):
        api = self.start()
        status, _headers, body = api.request(
            '/v2/tasks?sort_key=nope', headers={'Accept': 'application/json'})
        self.assertEqual(400, status)
        lines = self.lines(api, '"GET /v2/tasks?sort_key=nope" status: 400')
        self.assertEqual(1, len(lines), api.read_log())
        self.assertRegex(lines[0], r' reason: \S')
        message = json.loads(body)
        while isinstance(message, dict):
            message = message.get('message') or next(
                (value for value in message.values()
                 if isinstance(value, dict)), None)
        # The message as a line can hold it: WebOb's <br /> go.
        message = ' '.join(re.sub('<[^>]*>', ' ', message).split())
        self.assertEqual('Sort key supplied was not valid.', message)
        self.assertTrue(lines[0].endswith(' reason: ' + message), lines[0])

    def test_start_names_the_configuration_and_the_database(self):
        api = self.start()
        log = api.read_log()
        self.assertIn('Configuration files: %s\n' % api.config_file, log)
        self.assertIn('Database: sqlite:///%s\n' % api.db_path, log)

    def test_debug_logs_the_request_headers_without_credentials(self):
        api = self.start('--debug')
        api.request('/v2/tasks', headers={
            'X-Auth-Token': 'secret-token-value',
            'X-Openstack-Request-Id': 'req-debug-headers',
            'User-Agent': 'test-agent'})
        lines = self.lines(api, 'Request headers: ')
        self.lines(api, '"GET /v2/tasks"')
        shown = [line for line in lines if 'req-debug-headers' in line]
        self.assertEqual(1, len(shown), api.read_log())
        self.assertIn('User-Agent: test-agent', shown[0])
        self.assertIn('X-Auth-Token: ***', shown[0])
        self.assertNotIn('secret-token-value', api.read_log())

    def test_without_debug_no_headers(self):
        api = self.start()
        api.request('/v2/tasks', headers={'User-Agent': 'test-agent'})
        self.assertEqual(1, len(self.lines(api, '"GET /v2/tasks"')))
        self.assertEqual([], self.lines(api, 'Request headers: ', False))
