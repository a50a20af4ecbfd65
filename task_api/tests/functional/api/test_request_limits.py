"""Malformed and oversized requests through the whole paste pipeline.

Every request here is one a client, a fuzzer or an attacker may send; each
is answered with a 4xx and a clear message, never a 500, and a refused
create leaves no row behind. The same table runs on SQLite, PostgreSQL and
MariaDB.
"""

import io
import json

import sqlalchemy as sa
import webob

from task_api.db.sqlalchemy import api as sqla_api
from task_api.tests import base
from task_api.tests.functional.api import base as pipeline_base
from task_api.tests.unit.api import base as api_base

PROJECT = 'aaaaaaaa-1111-4111-8111-aaaaaaaaaaaa'
CALLER = {'X-Roles': 'admin', 'X-Project-Id': PROJECT, 'X-User-Id': 'u-1'}
TASK = {'type': 'location_import', 'input': {}}
TASK_BYTES = json.dumps(TASK).encode()
DEPTH_MESSAGE = ('The JSON document in the request body is nested deeper '
                 'than 32 levels of arrays and objects.')
CHARSET_MESSAGE = ('The request body must be UTF-8; the charset its '
                   'Content-Type names is not supported.')
MALFORMED = 'Malformed JSON in request body.'
TOO_LARGE_NUMBER = ('A number in the request body is too large: numbers '
                    'must be finite doubles (1e999 is not).')
SURROGATE = ('The request body holds a lone surrogate (an unpaired '
             '\\ud800-\\udfff escape), which is not a character.')


def nested(depth):
    """An input that makes a create body ``depth`` levels deep."""
    value = {}
    for _level in range(depth - 2):
        value = {'a': value}
    return {'type': 'location_import', 'input': value}


def stored_input(size):
    """An input whose stored JSON takes exactly ``size`` bytes."""
    return {'pad': 'x' * (size - len('{"pad": ""}'))}


class EndlessInput:
    """A body that never ends; counts the bytes handed out."""

    def __init__(self):
        self.given = 0

    def read(self, size=-1):
        size = 65536 if size is None or size < 0 else min(size, 65536)
        self.given += size
        return b' ' * size

    def readline(self, size=-1):
        return self.read(size)


class BrokenInput:
    """A body whose server-side reader fails, as on a bad chunk size."""

    def read(self, size=-1):
        raise ValueError("Bad chunked transfer size: b'zz'")

    readline = read


class MalformedRequestsMixin:
    """The table of malformed requests; mixed in per backend."""

    def send(self, body=b'', method='POST', path='/v2/tasks', headers=None,
             status=None, environ=None):
        """Send a raw request through the pipeline; check its status."""
        request = webob.Request.blank(
            path, method=method, environ=dict(self.environ))
        for name, value in dict(CALLER, **(headers or {})).items():
            request.headers[name] = value
        if body is not None:
            request.body = body
        if 'Transfer-Encoding' in request.headers:
            request.environ.pop('CONTENT_LENGTH', None)
        request.environ.update(environ or {})
        response = request.get_response(self.app.app)
        if status is not None:
            self.assertEqual(status, response.status_int,
                             response.text[:1000])
        return response

    def rows(self):
        with sqla_api.get_engine().connect() as connection:
            return (connection.execute(sa.text(
                'SELECT id, request_id, image_id FROM tasks')).all(),
                connection.execute(sa.text(
                    'SELECT task_id, input FROM task_info')).all())

    def assertRefused(self, message, status=400, **kw):
        response = self.send(status=status, **kw)
        self.assertEqual('%d %s\n\n%s\n\n   ' % (
            status, response.status.split(' ', 1)[1], message),
            response.text)
        self.assertEqual(([], []), self.rows())
        return response

    def test_malformed_creates_are_4xx(self):
        cases = [
            # (body, headers, status, message)
            (TASK_BYTES, {'Content-Type': 'application/json; charset=nope'},
             400, CHARSET_MESSAGE),
            (TASK_BYTES, {'Content-Type': 'application/json; '
                          'charset="latin-1"'}, 400, CHARSET_MESSAGE),
            (b'type=import&input=x',
             {'Content-Type': 'application/x-www-form-urlencoded; '
              'charset=latin-1'}, 400, CHARSET_MESSAGE),
            (b'type=import&input=x',
             {'Content-Type': 'application/x-www-form-urlencoded'}, 400,
             MALFORMED),
            (b'--x\r\nContent-Disposition: form-data; name="type"\r\n\r\n'
             b'import\r\n--x--\r\n', {'Content-Type': 'multipart/form-data'},
             400, MALFORMED),
            (b'[' * 100000, {'Content-Type': 'application/json'}, 400,
             DEPTH_MESSAGE),
            (b'{"a":' * 5000, {'Content-Type': 'application/json'}, 400,
             DEPTH_MESSAGE),
            (json.dumps(nested(33)).encode(), {}, 400, DEPTH_MESSAGE),
            (b'{"type": "location_import", "input": {"a": "\\ud800"}}', {},
             400, SURROGATE),
            (b'{"type": "location_import", "input": {"\\udfff": 1}}', {},
             400, SURROGATE),
            (b'{"type": "location_import", "input": {"a": ["x\\udc00"]}}',
             {}, 400, SURROGATE),
            # A surrogate written as UTF-8 bytes is not UTF-8.
            (b'{"type": "location_import", "input": {"a": "\xed\xa0\x80"}}',
             {}, 400, MALFORMED),
            (b'{"type": "location_import", "input": {"a": 1e999}}', {}, 400,
             TOO_LARGE_NUMBER),
            (b'{"type": "location_import", "input": {"a": [-1e999]}}', {},
             400, TOO_LARGE_NUMBER),
            (b'{"type": "location_import", "input": {"a": NaN}}', {}, 400,
             MALFORMED),
            (b'{"type": "location_import", "input": {"a": -Infinity}}', {},
             400, MALFORMED),
            (b'{"type": "location_import", "input": {"a": Infinity}}', {},
             400, MALFORMED),
            (b'{"type": "api_image_import", '
             b'"input": {"image_id": "a\\u0000"}}', {}, 400,
             'input.image_id holds a NUL character.'),
            (json.dumps({'type': 'location_import',
                         'input': stored_input(65536)}).encode(), {}, 400,
             'The task input takes 65536 bytes once stored as JSON; at most '
             '65535 are allowed.'),
            # Stored as \u00e9, six bytes: 11000 of them do not fit.
            (json.dumps({'type': 'location_import',
                         'input': {'pad': 'é' * 11000}},
                        ensure_ascii=False).encode(), {}, 400,
             'The task input takes 66011 bytes once stored as JSON; at most '
             '65535 are allowed.'),
            (TASK_BYTES, {'X-Openstack-Request-Id': 'r' * 61}, 400,
             'X-Openstack-Request-Id is longer than 64 characters, counting '
             'the req- prefix.'),
            (TASK_BYTES, {'X-Openstack-Request-Id': 'a\x01b'}, 400,
             'X-Openstack-Request-Id may hold only printable ASCII '
             'characters.'),
            (TASK_BYTES, {'X-Openstack-Request-Id': 'a\x7fb'}, 400,
             'X-Openstack-Request-Id may hold only printable ASCII '
             'characters.'),
            (TASK_BYTES, {'X-Openstack-Request-Id': 'caf\xe9'}, 400,
             'X-Openstack-Request-Id may hold only printable ASCII '
             'characters.'),
        ]
        for body, headers, status, message in cases:
            with self.subTest(body=body[:80], headers=headers):
                self.assertRefused(message, status=status, body=body,
                                   headers=headers)

    def test_what_the_limits_allow_is_stored(self):
        cases = [
            (json.dumps(nested(32)), {}),
            ('{"type": "location_import", "input": {"a": "\\ud83d\\ude80"}}',
             {}),
            ('{"type": "location_import", "input": {"a": "b\\u0000c"}}', {}),
            ('{"type": "location_import", "input": {"a": 1.7976931348623157e'
             '308}}', {}),
            (json.dumps(TASK), {'Content-Type': 'application/json; '
                                'charset=UTF-8'}),
            (json.dumps(TASK), {'Content-Type': 'multipart/form-data'}),
            (json.dumps(TASK), {'Content-Type': 'application/x-www-form-'
                                'urlencoded'}),
            (json.dumps({'type': 'location_import',
                         'input': stored_input(65535)}), {}),
        ]
        for text, headers in cases:
            with self.subTest(body=text[:80], headers=headers):
                response = self.send(text.encode(), headers=headers,
                                     status=201)
                stored = json.loads(text)['input']
                self.assertEqual(stored, response.json['input'])
                shown = self.send(None, 'GET', '/v2/tasks/%s'
                                  % response.json['id'], status=200)
                self.assertEqual(stored, shown.json['input'])
        with sqla_api.get_engine().connect() as connection:
            largest = connection.execute(sa.text(
                'SELECT MAX(LENGTH(input)) FROM task_info')).scalar()
        self.assertEqual(65535, largest)

    def test_longest_client_request_id_is_accepted_everywhere(self):
        for sent in ('r' * 60, 'req-' + 'r' * 60):
            headers = {'X-Openstack-Request-Id': sent}
            created = self.send(TASK_BYTES, headers=headers, status=201)
            self.assertEqual('req-' + 'r' * 60, created.json['request_id'])
            self.assertEqual('req-' + 'r' * 60,
                             created.headers['x-openstack-request-id'])
            self.send(None, 'GET', '/v2/tasks', headers=headers, status=200)
        self.send(None, 'GET', '/v2/tasks', status=400,
                  headers={'X-Openstack-Request-Id': 'r' * 61})
        self.send(None, 'GET', '/v2/tasks', status=400,
                  headers={'X-Openstack-Request-Id': 'req-' + 'r' * 61})

    def test_declared_length_past_the_limit_is_413_unread(self):
        self.config(max_request_body_size=1000, group='api')
        # Before authorization: a caller policy refuses gets 413 too, and
        # the body is not read at all.
        self.set_policy({'tasks_api_access': 'role:admin'})
        response = self.assertRefused(
            'The request body is larger than 1000 bytes.', status=413,
            body=None, headers=api_base.member_of(PROJECT),
            environ={'CONTENT_LENGTH': '1001', 'wsgi.input': BrokenInput()})
        self.assertIn('x-openstack-request-id', response.headers)

    def test_chunked_body_is_cut_off_past_the_limit(self):
        self.config(max_request_body_size=1000, group='api')
        endless = EndlessInput()
        self.assertRefused(
            'The request body is larger than 1000 bytes.', status=413,
            body=None, headers={'Transfer-Encoding': 'chunked'},
            environ={'wsgi.input': endless, 'wsgi.input_terminated': True})
        self.assertEqual(1001, endless.given)

    def test_chunked_body_within_the_limit_is_read(self):
        response = self.send(
            None, headers={'Transfer-Encoding': 'chunked'}, status=201,
            environ={'wsgi.input': io.BytesIO(TASK_BYTES),
                     'wsgi.input_terminated': True})
        self.assertEqual('location_import', response.json['type'])

    def test_unreadable_bodies_are_400(self):
        self.assertRefused(
            'The request body could not be read: it ended after 10 of the '
            '100 bytes its Content-Length declares.', body=None,
            environ={'CONTENT_LENGTH': '100',
                     'wsgi.input': io.BytesIO(TASK_BYTES[:10])})
        self.assertRefused(
            "The request body could not be read: Bad chunked transfer "
            "size: b'zz'.", body=None,
            headers={'Transfer-Encoding': 'chunked'},
            environ={'wsgi.input': BrokenInput(),
                     'wsgi.input_terminated': True})
        for length in ('abc', '-1', '1e3', '١٢'):
            with self.subTest(length=length):
                self.assertRefused(
                    'Content-Length must be a non-negative integer.',
                    body=None, environ={'CONTENT_LENGTH': length,
                                        'wsgi.input': BrokenInput()})

    def test_bodies_of_other_calls_are_never_parsed(self):
        task_id = base.insert_task_rows(sqla_api.get_engine())['id']
        for content_type in ('application/json; charset=nope',
                             'multipart/form-data',
                             'application/x-www-form-urlencoded; '
                             'charset=latin-1'):
            headers = {'Content-Type': content_type}
            with self.subTest(content_type=content_type):
                self.send(b'[' * 100000, 'DELETE', '/v2/tasks/' + task_id,
                          headers=headers, status=405)
                self.send(b'--x', 'PUT', '/v2/tasks/' + task_id,
                          headers=headers, status=405)
                self.send(b'{"a":' * 5000, 'GET', '/v2/tasks/' + task_id,
                          headers=headers, status=200)

    def test_out_of_range_timestamp_filters_are_400(self):
        for value in ('9999-12-31T23:59:59-01:00', '0000-01-01T00:00:00Z',
                      '0001-01-01T00:00:00+01:00', '10000-01-01T00:00:00Z',
                      '99999999999-01-01T00:00:00Z'):
            with self.subTest(value=value):
                response = self.send(
                    None, 'GET', '/v2/tasks?created_at='
                    + value.replace('+', '%2B'),
                    status=400)
                self.assertIn('Invalid created_at value: ' + value,
                              response.text)
        for value in ('0001-01-01T00:00:00Z', '9999-12-31T23:59:59Z',
                      '9999-12-31T23:59:59+01:00'):
            with self.subTest(value=value):
                response = self.send(
                    None, 'GET', '/v2/tasks?updated_at='
                    + value.replace('+', '%2B'),
                    status=200)
                self.assertEqual([], response.json['tasks'])


class TestMalformedRequestsSQLite(MalformedRequestsMixin,
                                  pipeline_base.PipelineTestCase):
    """SQLite."""


class TestMalformedRequestsMySQL(MalformedRequestsMixin,
                                 pipeline_base.MySQLPipelineTestCase):
    """MariaDB: a TEXT column holds 65,535 bytes."""


class TestMalformedRequestsPostgreSQL(
        MalformedRequestsMixin, pipeline_base.PostgreSQLPipelineTestCase):
    """PostgreSQL: no NUL in text."""
