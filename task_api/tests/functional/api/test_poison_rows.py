"""Every read path serves every row the database holds, on every backend.

Rows are written with SQL, as another program (Glance, an older task_api,
an executor) writes them: lone surrogates, nesting far deeper than any
recursion allows, input and result that are not objects, NULL timestamps
and messages. Credentials are masked wherever a task's data leaves.
"""

import datetime
import json
import logging

import fixtures
import sqlalchemy as sa

from task_api.db.sqlalchemy import api as sqla_api
from task_api.tests import base
from task_api.tests.functional.api import base as pipeline_base
from task_api.tests.unit.api import base as api_base

IMAGE = '39bb149a-5c1e-4b1f-9a7e-1f8c0c6d8a22'
OWNER = 'aaaaaaaa-1111-4111-8111-aaaaaaaaaaaa'
TASK_ID = '00000000-0000-4000-8000-000000000001'
# NOTE: the tasks API is an administrators' API by default.
OWNER_ADMIN = api_base.member_of(OWNER, roles='admin')
EPOCH = '1970-01-01T00:00:00Z'
SECRET_INPUT = {
    'import_from': 'http://user:p@ss w%40rd@example.com/x?sig=s1&n=1',
    'image_properties': {'password': 'hunter2', 'name': 'cirros'},
    'sources': [{'url': 'https://tok3n@h/o#access_token=t1'}],
}
MASKED_INPUT = {
    'import_from': 'http://user:***@example.com/x?sig=***&n=1',
    'image_properties': {'password': '***', 'name': 'cirros'},
    'sources': [{'url': 'https://***@h/o#access_token=***'}],
}


class PoisonRowsMixin:
    """The read paths on rows written with SQL; mixed in per backend."""

    #: statements that let tasks.created_at hold NULL
    NULL_CREATED_AT = ()

    def setUp(self):
        super().setUp()
        self.engine = sqla_api.get_engine()
        self.log = self.useFixture(fixtures.FakeLogger(level=logging.INFO))

    def insert(self, input_text=None, result_text=None, **kw):
        """A task of IMAGE; input and result as raw column text."""
        kw.setdefault('id', TASK_ID)
        kw.setdefault('owner', OWNER)
        kw.setdefault('image_id', IMAGE)
        kw.setdefault('input', None)
        task = base.insert_task_rows(self.engine, **kw)
        if input_text is not None or result_text is not None:
            with self.engine.begin() as connection:
                connection.execute(sa.text(
                    'UPDATE task_info SET input = :input, result = :result '
                    'WHERE task_id = :id'),
                    {'input': input_text, 'result': result_text,
                     'id': task['id']})
        return task

    def read_all(self, task_id=TASK_ID):
        """Show, list and image tasks, as any admin and as the owner's.

        Every answer is a 200 with valid JSON; returns the bodies of show,
        of the admin's list and of image tasks.
        """
        bodies = {}
        for who, headers in (('admin', api_base.ADMIN),
                             ('owner', OWNER_ADMIN)):
            for name, path in (('show', '/tasks/' + task_id),
                               ('list', '/tasks'),
                               ('image', '/images/%s/tasks' % IMAGE)):
                response = self.get(path, headers=headers)
                body = json.loads(response.body)
                if who == 'owner':
                    self.assertEqual(bodies[name], body, name)
                bodies[name] = body
        return bodies['show'], bodies['list'], bodies['image']

    def assertLogQuiet(self):
        self.assertNotIn('Traceback', self.log.output)
        self.assertLess(len(self.log.output), 10000)

    def test_lone_surrogates(self):
        self.insert(input={'name\udc80': 'x\ud800', 'l': ['\udfff']},
                    result={'r': '\ud800'})
        show, listed, image = self.read_all()
        response = self.get('/tasks/' + TASK_ID)
        self.assertIn(b'{"name\\udc80": "x\\ud800", "l": ["\\udfff"]}',
                      response.body)
        response.body.decode('utf-8')
        self.assertEqual({'name\udc80': 'x\ud800', 'l': ['\udfff']},
                         show['input'])
        self.assertEqual({'r': '\ud800'}, show['result'])
        self.assertEqual({'r': '\ud800'}, image['tasks'][0]['result'])
        self.assertEqual([TASK_ID], [t['id'] for t in listed['tasks']])
        self.assertLogQuiet()

    def test_deep_nesting(self):
        # NOTE: 600 levels, deeper than masking could recurse, within what
        # the database layer decodes.
        depth = 300
        text = '{"a": [' * depth + '"http://u:p@h/"' + ']}' * depth
        self.insert(input_text=text, result_text=text)
        show, listed, image = self.read_all()
        masked = json.loads(text.replace('u:p@', 'u:***@'))
        self.assertEqual(masked, show['input'])
        self.assertEqual(masked, show['result'])
        self.assertEqual(masked, image['tasks'][0]['input'])
        self.assertEqual([TASK_ID], [t['id'] for t in listed['tasks']])
        self.assertLogQuiet()

    def test_input_and_result_not_objects(self):
        # NOTE: what an older writer left; a text that is not JSON reaches
        # the views as a string too.
        for number, (stored, shown) in enumerate((
                ('"not json http://u:p@h/?token=t"',
                 'not json http://u:***@h/?token=***'),
                ('[1, "http://tok@h/", {"secret": "s"}]',
                 [1, 'http://***@h/', {'secret': '***'}]),
                ('42', 42), ('null', None), ('true', True))):
            task_id = '00000000-0000-4000-8000-%012d' % (number + 10)
            self.insert(id=task_id, input_text=stored, result_text=stored)
            show, listed, image = self.read_all(task_id)
            self.assertEqual(shown, show['input'])
            self.assertEqual(shown, show['result'])
            self.assertEqual([shown], [t['input'] for t in image['tasks']
                                       if t['id'] == task_id])
        self.assertLogQuiet()

    def allow_null_created_at(self):
        with self.engine.begin() as connection:
            for statement in self.NULL_CREATED_AT:
                connection.execute(sa.text(statement))

    def test_null_timestamps_and_message(self):
        self.allow_null_created_at()
        self.insert(created_at=None, updated_at=None, message=None)
        show, listed, image = self.read_all()
        self.assertEqual((EPOCH, EPOCH, ''), (
            show['created_at'], show['updated_at'], show['message']))
        stub = listed['tasks'][0]
        self.assertEqual((EPOCH, EPOCH),
                         (stub['created_at'], stub['updated_at']))
        raw = image['tasks'][0]
        self.assertEqual((None, None, None), (
            raw['created_at'], raw['updated_at'], raw['message']))
        self.assertLogQuiet()

    def test_null_created_at_shows_updated_at(self):
        self.allow_null_created_at()
        task = self.insert(created_at=None)
        show = self.get('/tasks/' + TASK_ID).json
        stamp = task['updated_at'].strftime('%Y-%m-%dT%H:%M:%SZ')
        self.assertEqual((stamp, stamp),
                         (show['created_at'], show['updated_at']))

    def test_credentials_masked_on_every_read(self):
        task = self.insert(
            input=SECRET_INPUT, status='failure',
            result={'log': 'GET https://h/o?X-Amz-Signature=abc&a=1',
                    'auth': {'api_key': 'k1'}},
            message='fetching http://admin:pw d@h/ failed: token=t2')
        show, listed, image = self.read_all()
        result = {'log': 'GET https://h/o?X-Amz-Signature=***&a=1',
                  'auth': {'api_key': '***'}}
        message = 'fetching http://admin:***@h/ failed: token=***'
        self.assertEqual((MASKED_INPUT, result, message), (
            show['input'], show['result'], show['message']))
        raw = image['tasks'][0]
        self.assertEqual((MASKED_INPUT, result, message), (
            raw['input'], raw['result'], raw['message']))
        self.assertNotIn('input', listed['tasks'][0])
        # NOTE: storage keeps the original; the executor needs it.
        stored = self.dbapi.task_get(self.admin_context, TASK_ID)
        self.assertEqual((task['input'], task['result'], task['message']),
                         (stored['input'], stored['result'],
                          stored['message']))

    def test_create_answers_masked(self):
        response = self.app.post(
            '/v2/tasks', json.dumps({'type': 'api_image_import',
                                     'input': SECRET_INPUT}),
            headers=dict(OWNER_ADMIN, **{'Content-Type': 'application/json'}))
        self.assertEqual(201, response.status_int)
        self.assertEqual(MASKED_INPUT, response.json['input'])
        stored = self.dbapi.task_get(self.admin_context, response.json['id'])
        self.assertEqual(SECRET_INPUT, stored['input'])

    def test_refused_input_quoted_masked(self):
        for body, quoted in (
                ({'type': 'import', 'input': 'http://u:hunter2@h/?sig=s'},
                 "'http://u:***@h/?sig=***' is not of type 'null', 'object'"),
                ({'type': 'import', 'input': {
                    'import_from': 'http://u:hunter2@127.0.0.1/x'}},
                 'http://u:***@127.0.0.1/x')):
            headers = dict(OWNER_ADMIN, Accept='application/json')
            headers['Content-Type'] = 'application/json'
            response = self.app.post('/v2/tasks', json.dumps(body),
                                     headers=headers, expect_errors=True)
            self.assertEqual(400, response.status_int)
            self.assertIn(quoted, response.json['message'])
            self.assertNotIn('hunter2', response.text)


class TestPoisonRowsSQLite(PoisonRowsMixin, pipeline_base.PipelineTestCase):
    """SQLite; its NOT NULL is dropped by copying the table."""

    NULL_CREATED_AT = (
        'CREATE TABLE tasks_copy AS SELECT * FROM tasks',
        'DROP TABLE tasks',
        'ALTER TABLE tasks_copy RENAME TO tasks')


class TestPoisonRowsMySQL(PoisonRowsMixin,
                          pipeline_base.MySQLPipelineTestCase):
    """MariaDB or MySQL."""

    NULL_CREATED_AT = ('ALTER TABLE tasks MODIFY created_at DATETIME NULL',)

    def zero_dates(self, columns):
        # NOTE: stored under a lax sql_mode; the driver returns them as
        # strings.
        with self.engine.begin() as connection:
            connection.exec_driver_sql("SET SESSION sql_mode = ''")
            connection.execute(sa.text('UPDATE tasks SET %s' % ', '.join(
                "%s = '0000-00-00 00:00:00'" % column
                for column in columns)))

    def test_zero_dates(self):
        self.insert(expires_at=datetime.datetime(2099, 1, 1))
        self.zero_dates(['created_at', 'updated_at'])
        show, listed, image = self.read_all()
        self.assertEqual((EPOCH, EPOCH), (
            show['created_at'], show['updated_at']))
        self.assertEqual((EPOCH, EPOCH), (listed['tasks'][0]['created_at'],
                                          listed['tasks'][0]['updated_at']))
        raw = image['tasks'][0]
        self.assertEqual(('0000-00-00 00:00:00', '0000-00-00 00:00:00'), (
            raw['created_at'], raw['updated_at']))
        # NOTE: such a task has expired; show still serves it.
        self.zero_dates(['expires_at'])
        show = self.get('/tasks/' + TASK_ID).json
        self.assertEqual((EPOCH, False), (show['updated_at'],
                                          'expires_at' in show))
        self.assertLogQuiet()


class TestPoisonRowsPostgreSQL(PoisonRowsMixin,
                               pipeline_base.PostgreSQLPipelineTestCase):
    """PostgreSQL."""

    NULL_CREATED_AT = (
        'ALTER TABLE tasks ALTER COLUMN created_at DROP NOT NULL',)
