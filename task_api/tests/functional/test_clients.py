"""The real clients, unchanged, against a task-api server process.

python-glanceclient's ``glance`` command and openstacksdk's image proxy
talk to task-api serving the paste pipeline on a loopback port, in noauth
mode, where a request without identity headers acts as the administrator
"admin" of project "admin". Every answer a client shows is compared with
the row task_api stored.

This server runs no worker (``[api] run_worker`` is off), so tasks stay
pending; a test that needs a finished task writes its end state into the
database, as a worker sharing the database would. test_clients_run
watches tasks a worker runs.
"""

import datetime
import json
import logging
import os
import re
import subprocess
import urllib.parse

import fixtures
from openstack import connection
from openstack import exceptions as sdk_exceptions
import sqlalchemy as sa
from testtools import content

from task_api.db.sqlalchemy import models
from task_api.tests import base
from task_api.tests.functional import server

IMAGE_ID = '6f1c2b7e-3d4a-4e5f-8a9b-0c1d2e3f4a5b'
OTHER_IMAGE_ID = 'a0b1c2d3-e4f5-4a6b-8c7d-8e9f0a1b2c3d'
UNKNOWN_TASK_ID = '0d9c8b7a-6f5e-4d3c-9b2a-1f0e9d8c7b6a'

# NOTE: no string here holds a space or a hyphen, the places where the
# glance table wraps a long value; the test joins wrapped lines with a
# space and reads the JSON back exactly.
IMPORT_INPUT = {'import_from': 'http://8.8.8.8/cirros.qcow2',
                'import_from_format': 'qcow2',
                'image_properties': {'name': 'cirros',
                                     'disk_format': 'qcow2'}}

SHOW_KEYS = {'id', 'input', 'type', 'status', 'owner', 'message', 'result',
             'created_at', 'updated_at', 'request_id', 'user_id'}

# How urllib3 logs a request it sent, in the debug output of both clients.
LIST_REQUEST = re.compile(r'"GET /v2/tasks\?([^ "]*) HTTP/1\.1" 200')

TASKS = models.Task.__table__
TASK_INFO = models.TaskInfo.__table__


def show_time(value):
    """A stored timestamp as show, create and list write it."""
    return value.strftime('%Y-%m-%dT%H:%M:%SZ')


def raw_time(value):
    """A stored timestamp as GET /v2/images/{id}/tasks writes it."""
    return value.strftime('%Y-%m-%dT%H:%M:%S.%f')


def list_requests(debug_output):
    """The query of each GET /v2/tasks a client logged, as a dict."""
    return [dict(urllib.parse.parse_qsl(query))
            for query in LIST_REQUEST.findall(debug_output)]


def _cells(line):
    return [cell.strip() for cell in line.strip()[1:-1].split('|')]


def parse_table(output):
    """The rows of the table glance printed: a list of {column: text}."""
    lines = [line for line in output.splitlines() if line.startswith('|')]
    columns = _cells(lines[0])
    return [dict(zip(columns, _cells(line))) for line in lines[1:]]


def parse_properties(output):
    """The Property/Value table of task-show and task-create, as a dict.

    A line with an empty Property cell continues the value above it: glance
    wraps values at 80 columns, on spaces.
    """
    properties = {}
    name = None
    for row in parse_table(output):
        if row['Property']:
            name = row['Property']
            properties[name] = row['Value']
        else:
            properties[name] += ' ' + row['Value']
    return properties


class ClientTestCase(base.TestCase):
    """A task-api server of the test's own and a view of its database."""

    def setUp(self):
        super().setUp()
        # Loopback requests never go through a proxy of the environment.
        for name in ('no_proxy', 'NO_PROXY'):
            self.useFixture(fixtures.EnvironmentVariable(
                name, '127.0.0.1,localhost'))
        self.server = self.useFixture(server.TaskApiServer())
        self.addOnException(self._attach_server_log)
        self.engine = self.server.engine()

    def _attach_server_log(self, exc_info):
        self.addDetail('task-api.log',
                       content.text_content(self.server.read_log()))

    def stored(self, task_id):
        """The row of a task in tasks and task_info."""
        query = sa.select(
            TASKS, TASK_INFO.c.input, TASK_INFO.c.result,
            TASK_INFO.c.message).join(
            TASK_INFO, TASK_INFO.c.task_id == TASKS.c.id).where(
            TASKS.c.id == task_id)
        with self.engine.connect() as conn:
            row = conn.execute(query).one()
        return dict(row._mapping)

    def post_task(self, task_type, task_input):
        """Create a task through task_api's own API; return its body."""
        status, _headers, body = self.server.request(
            '/v2/tasks', method='POST',
            body={'type': task_type, 'input': task_input},
            headers={'Content-Type': 'application/json'})
        self.assertEqual(201, status, body)
        return json.loads(body)

    def seed_tasks(self):
        """Seven tasks, four import and three api_image_import; their ids."""
        ids = [self.post_task('import', IMPORT_INPUT)['id']
               for _ in range(4)]
        ids += [self.post_task('api_image_import',
                               {'image_id': IMAGE_ID})['id']
                for _ in range(3)]
        return ids

    def api_list(self, query=''):
        """Every task GET /v2/tasks lists in one page, in its order."""
        path = '/v2/tasks?limit=1000' + ('&' + query if query else '')
        return self.server.get_json(path)['tasks']

    def finish(self, task_id, status, result=None, message=''):
        """Bring a task to its end state as an executor would."""
        now = datetime.datetime.now(
            datetime.timezone.utc).replace(tzinfo=None)
        with self.engine.begin() as conn:
            conn.execute(sa.update(TASKS).where(TASKS.c.id == task_id).values(
                status=status, updated_at=now,
                expires_at=now + datetime.timedelta(hours=48)))
            conn.execute(sa.update(TASK_INFO).where(
                TASK_INFO.c.task_id == task_id).values(
                result=result, message=message))
        return self.stored(task_id)


class TestGlanceClient(ClientTestCase):
    """``glance --os-image-api-version 2`` task-* and image-tasks."""

    def setUp(self):
        super().setUp()
        # glance caches schemas under ~/.glanceclient.
        self.home = self.useFixture(fixtures.TempDir()).path

    def glance(self, *args, api_version='2'):
        """Run the glance command; return (exit status, stdout, stderr)."""
        env = {name: value for name, value in os.environ.items()
               if not name.startswith('OS_')}
        env['HOME'] = self.home
        command = [server.script('glance'),
                   '--os-image-url', self.server.url,
                   '--os-auth-token', 'anything']
        if api_version:
            command += ['--os-image-api-version', api_version]
        process = subprocess.run(command + list(args), capture_output=True,
                                 text=True, timeout=120, env=env)
        return process.returncode, process.stdout, process.stderr

    def assertGlance(self, *args):
        """Run glance, which must succeed; return its standard output."""
        status, out, err = self.glance(*args)
        self.assertEqual(0, status, 'glance %s: %s%s' % (
            ' '.join(args), out, err))
        self.assertNotIn('Traceback', err)
        return out

    def expected_properties(self, stored):
        """What task-show prints for a stored task."""
        expected = {
            'id': stored['id'],
            'input': json.dumps(stored['input']),
            'type': stored['type'],
            'status': stored['status'],
            'owner': stored['owner'],
            'message': stored['message'],
            'result': ('None' if stored['result'] is None
                       else json.dumps(stored['result'])),
            'created_at': show_time(stored['created_at']),
            'updated_at': show_time(stored['updated_at']),
            'request_id': stored['request_id'],
            'user_id': stored['user_id'],
        }
        if stored['image_id'] is not None:
            expected['image_id'] = stored['image_id']
        if stored['expires_at'] is not None:
            expected['expires_at'] = show_time(stored['expires_at'])
        return expected

    def test_task_create_and_show_an_import_task(self):
        created = parse_properties(self.assertGlance(
            'task-create', '--type', 'import',
            '--input', json.dumps(IMPORT_INPUT)))

        self.assertEqual(SHOW_KEYS, set(created))
        stored = self.stored(created['id'])
        self.assertEqual(IMPORT_INPUT, stored['input'])
        self.assertEqual(IMPORT_INPUT, json.loads(created['input']))
        self.assertEqual(
            ('import', 'pending', 'admin', 'admin', '', None, None, None),
            (stored['type'], stored['status'], stored['owner'],
             stored['user_id'], stored['message'], stored['result'],
             stored['image_id'], stored['expires_at']))
        self.assertTrue(stored['request_id'].startswith('req-'))
        self.assertEqual(self.expected_properties(stored), created)

        shown = parse_properties(self.assertGlance(
            'task-show', created['id']))
        self.assertEqual(created, shown)

    def test_task_create_masks_credentials_it_stores(self):
        task_input = dict(IMPORT_INPUT,
                          import_from='http://glance:s3cret@8.8.8.8/c.qcow2')
        out = self.assertGlance('task-create', '--type', 'import',
                                '--input', json.dumps(task_input))
        created = parse_properties(out)

        self.assertNotIn('s3cret', out)
        self.assertEqual('http://glance:***@8.8.8.8/c.qcow2',
                         json.loads(created['input'])['import_from'])
        self.assertEqual(task_input, self.stored(created['id'])['input'])
        out = self.assertGlance('task-show', created['id'])
        self.assertNotIn('s3cret', out)
        self.assertEqual(created, parse_properties(out))

    def test_task_show_a_finished_task(self):
        created = parse_properties(self.assertGlance(
            'task-create', '--type', 'api_image_import',
            '--input', json.dumps({'image_id': IMAGE_ID})))
        self.assertEqual(IMAGE_ID, created['image_id'])
        stored = self.finish(created['id'], 'success',
                             result={'image_id': IMAGE_ID},
                             message='Imported.')

        shown = parse_properties(self.assertGlance(
            'task-show', created['id']))

        self.assertEqual(SHOW_KEYS | {'image_id', 'expires_at'}, set(shown))
        self.assertEqual(self.expected_properties(stored), shown)
        self.assertEqual('success', shown['status'])
        self.assertEqual({'image_id': IMAGE_ID}, json.loads(shown['result']))

    def test_task_show_of_an_unknown_task_fails(self):
        status, out, err = self.glance('task-show', UNKNOWN_TASK_ID)

        self.assertNotEqual(0, status)
        self.assertEqual('', out)
        self.assertIn('Could not find task %s' % UNKNOWN_TASK_ID, err)
        self.assertNotIn('Traceback', err)

    def test_task_list_follows_next_across_pages(self):
        ids = self.seed_tasks()

        status, out, err = self.glance('--debug', 'task-list',
                                       '--page-size', '2')

        self.assertEqual(0, status, err)
        rows = parse_table(out)
        # glance sorts by status, descending, unless told otherwise.
        expected = [task['id'] for task in self.api_list(
            'sort_key=status&sort_dir=desc')]
        self.assertEqual(expected, [row['ID'] for row in rows])
        # Seven tasks two a page: four pages, each after the last id of
        # the page before, the last one short.
        first = {'limit': '2', 'sort_key': 'status', 'sort_dir': 'desc'}
        self.assertEqual(
            [first] + [dict(first, marker=expected[i]) for i in (1, 3, 5)],
            list_requests(err))
        self.assertCountEqual(ids, [row['ID'] for row in rows])
        for row in rows:
            stored = self.stored(row['ID'])
            self.assertEqual(
                {'ID': stored['id'], 'Type': stored['type'],
                 'Status': stored['status'], 'Owner': stored['owner']},
                row)

    def test_task_list_sorted_by_id_across_pages(self):
        ids = self.seed_tasks()

        rows = parse_table(self.assertGlance(
            'task-list', '--page-size', '3', '--sort-key', 'id',
            '--sort-dir', 'asc'))

        self.assertEqual(sorted(ids), [row['ID'] for row in rows])

    def test_task_list_filters_across_pages(self):
        ids = self.seed_tasks()

        status, out, err = self.glance(
            '--debug', 'task-list', '--page-size', '2',
            '--type', 'api_image_import', '--status', 'pending')

        self.assertEqual(0, status, err)
        rows = parse_table(out)
        self.assertEqual(2, len(list_requests(err)))
        self.assertCountEqual(ids[4:], [row['ID'] for row in rows])
        self.assertEqual({'api_image_import'}, {row['Type'] for row in rows})

        rows = parse_table(self.assertGlance(
            'task-list', '--status', 'success'))
        self.assertEqual([], rows)

    def test_image_tasks(self):
        created = [parse_properties(self.assertGlance(
            'task-create', '--type', 'api_image_import',
            '--input', json.dumps({'image_id': image_id})))['id']
            for image_id in (IMAGE_ID, OTHER_IMAGE_ID, IMAGE_ID)]
        mine = sorted([self.stored(created[0]), self.stored(created[2])],
                      key=lambda task: (task['created_at'], task['id']),
                      reverse=True)

        rows = parse_table(self.assertGlance('image-tasks', IMAGE_ID))

        self.assertEqual([
            {'Message': task['message'], 'Status': task['status'],
             'Updated at': raw_time(task['updated_at'])}
            for task in mine], rows)

        rows = parse_table(self.assertGlance(
            '--verbose', 'image-tasks', IMAGE_ID))

        self.assertEqual([
            {'Image Id': IMAGE_ID, 'Task Id': task['id'],
             'Message': task['message'], 'Status': task['status'],
             'Updated at': raw_time(task['updated_at']),
             'User Id': task['user_id'], 'Request Id': task['request_id'],
             'Result': 'None', 'Owner': task['owner'],
             'Input': str(task['input']), 'Expires at': 'None'}
            for task in mine], rows)

    def test_image_tasks_of_an_image_without_tasks(self):
        self.post_task('api_image_import', {'image_id': IMAGE_ID})

        out = self.assertGlance('image-tasks', OTHER_IMAGE_ID)

        self.assertEqual([], parse_table(out))

    # NOTE: without --os-image-api-version, glance first reads /versions
    # and then downloads /v2/schemas/image, /v2/schemas/metadefs/namespace
    # and /v2/schemas/metadefs/resource_type into ~/.glanceclient; when all
    # three fail it falls back to the v1 API, which has no task commands.
    # task_api serves the first, so the v2 task commands stay.
    def test_task_list_with_version_discovery(self):
        ids = self.seed_tasks()

        status, out, err = self.glance('task-list', api_version=None)

        self.assertEqual(0, status, err)
        self.assertCountEqual(ids, [row['ID'] for row in parse_table(out)])


class TestOpenStackSDK(ClientTestCase):
    """openstacksdk's image proxy: create_task, get_task, tasks, ..."""

    def setUp(self):
        super().setUp()
        # The SDK logs every request and response at DEBUG; keep them for
        # the report of a failing test.
        self.log = self.useFixture(fixtures.FakeLogger(level=logging.DEBUG))
        # No identity service: the 'none' auth plugin and the endpoint.
        self.conn = connection.Connection(
            auth_type='none', auth={'endpoint': self.server.url},
            image_endpoint_override=self.server.url)
        self.addCleanup(self.conn.close)

    def assertTaskIsStored(self, task):
        stored = self.stored(task.id)
        self.assertEqual(
            {'id': stored['id'], 'type': stored['type'],
             'status': stored['status'], 'owner_id': stored['owner'],
             'input': stored['input'], 'result': stored['result'],
             'message': stored['message'],
             'created_at': show_time(stored['created_at']),
             'updated_at': show_time(stored['updated_at']),
             'expires_at': (stored['expires_at'] and
                            show_time(stored['expires_at'])),
             'schema': '/v2/schemas/task'},
            {key: task[key] for key in (
                'id', 'type', 'status', 'owner_id', 'input', 'result',
                'message', 'created_at', 'updated_at', 'expires_at',
                'schema')})
        return stored

    def test_create_task_and_get_task(self):
        task = self.conn.image.create_task(type='import',
                                           input=IMPORT_INPUT)

        stored = self.assertTaskIsStored(task)
        self.assertEqual(
            ('import', 'pending', 'admin', 'admin', IMPORT_INPUT),
            (stored['type'], stored['status'], stored['owner'],
             stored['user_id'], stored['input']))
        self.assertIsNone(task.expires_at)

        fetched = self.conn.image.get_task(task.id)
        self.assertTaskIsStored(fetched)
        self.assertEqual(task.to_dict(), fetched.to_dict())

    def test_get_task_of_a_finished_task(self):
        task = self.conn.image.create_task(
            type='api_image_import', input={'image_id': IMAGE_ID})
        self.finish(task.id, 'failure', message='The image is gone.')

        fetched = self.conn.image.get_task(task)

        stored = self.assertTaskIsStored(fetched)
        self.assertEqual(('failure', 'The image is gone.'),
                         (fetched.status, fetched.message))
        self.assertEqual(show_time(stored['expires_at']), fetched.expires_at)

    def test_wait_for_task(self):
        task = self.conn.image.create_task(
            type='api_image_import', input={'image_id': IMAGE_ID})
        self.finish(task.id, 'success', result={'image_id': IMAGE_ID})

        done = self.conn.image.wait_for_task(task, interval=0.1, wait=30)

        self.assertEqual('success', done.status)
        self.assertEqual({'image_id': IMAGE_ID}, done.result)
        self.assertTaskIsStored(done)

    def test_wait_for_a_failing_task(self):
        task = self.conn.image.create_task(
            type='api_image_import', input={'image_id': IMAGE_ID})
        self.finish(task.id, 'failure', message='Store is full.')

        self.assertRaises(sdk_exceptions.ResourceFailure,
                          self.conn.image.wait_for_task, task,
                          interval=0.1, wait=30)

    def test_get_task_of_an_unknown_task_raises_not_found(self):
        for task_id in (UNKNOWN_TASK_ID, 'not-a-task'):
            error = self.assertRaises(sdk_exceptions.NotFoundException,
                                      self.conn.image.get_task, task_id)
            self.assertEqual(404, error.status_code)
        self.assertIn('Could not find task not-a-task', str(error))

    def test_tasks_across_pages(self):
        ids = self.seed_tasks()

        tasks = list(self.conn.image.tasks(limit=3))

        expected = [task['id'] for task in self.api_list()]
        self.assertEqual(expected, [task.id for task in tasks])
        self.assertCountEqual(ids, [task.id for task in tasks])
        # Pages of 3, 3 and 1, each after the last id of the page before;
        # the SDK may ask for one more page after a short one.
        markers = [query.get('marker')
                   for query in list_requests(self.log.output)]
        self.assertIn(markers, ([None, expected[2], expected[5]],
                                [None, expected[2], expected[5],
                                 expected[6]]))
        for task in tasks:
            stored = self.stored(task.id)
            self.assertEqual(
                (stored['type'], stored['status'], stored['owner'],
                 show_time(stored['created_at']),
                 show_time(stored['updated_at'])),
                (task.type, task.status, task.owner_id, task.created_at,
                 task.updated_at))
            # Lists never carry input, result or message.
            self.assertIsNone(task.input)

    def test_tasks_sorted_and_filtered_across_pages(self):
        ids = self.seed_tasks()

        tasks = self.conn.image.tasks(limit=2, sort_key='id',
                                      sort_dir='asc')
        self.assertEqual(sorted(ids), [task.id for task in tasks])

        tasks = self.conn.image.tasks(limit=2, type='api_image_import',
                                      status='pending')
        self.assertCountEqual(ids[4:], [task.id for task in tasks])

        self.assertEqual([], list(self.conn.image.tasks(status='failure')))

    def test_tasks_without_paging(self):
        ids = self.seed_tasks()

        tasks = list(self.conn.image.tasks(paginated=False))

        self.assertEqual([task['id'] for task in self.api_list()],
                         [task.id for task in tasks])
        self.assertCountEqual(ids, [task.id for task in tasks])

    def test_get_task_schema_and_get_tasks_schema(self):
        schema = self.conn.image.get_task_schema()
        self.assertEqual(
            self.server.get_json('/v2/schemas/task')['properties'],
            schema.properties)
        self.assertEqual(
            ['import', 'api_image_import', 'location_import'],
            schema.properties['type']['enum'])

        schema = self.conn.image.get_tasks_schema()
        self.assertEqual(
            self.server.get_json('/v2/schemas/tasks')['properties'],
            schema.properties)

    def test_image_tasks(self):
        created = [
            self.conn.image.create_task(type='api_image_import',
                                        input={'image_id': image_id}).id
            for image_id in (IMAGE_ID, OTHER_IMAGE_ID, IMAGE_ID)]
        credentials = dict(IMPORT_INPUT, image_id=IMAGE_ID,
                           import_from='http://a:s3cret@8.8.8.8/c.qcow2')
        created.append(self.conn.image.create_task(
            type='import', input=credentials).id)
        shown_input = {
            created[0]: {'image_id': IMAGE_ID},
            created[2]: {'image_id': IMAGE_ID},
            # The stored credentials are never shown.
            created[3]: dict(credentials,
                             import_from='http://a:***@8.8.8.8/c.qcow2'),
        }

        tasks = list(self.conn.image.image_tasks(IMAGE_ID))

        newest_first = sorted(
            (self.stored(task_id) for task_id in shown_input),
            key=lambda task: (task['created_at'], task['id']), reverse=True)
        self.assertEqual([task['id'] for task in newest_first],
                         [task.id for task in tasks])
        for task in tasks:
            stored = self.stored(task.id)
            self.assertEqual(
                {'id': stored['id'], 'type': stored['type'],
                 'status': 'pending', 'owner': 'admin', 'expires_at': None,
                 'created_at': raw_time(stored['created_at']),
                 'updated_at': raw_time(stored['updated_at']),
                 'deleted_at': None, 'deleted': False,
                 'image_id': IMAGE_ID, 'request_id': stored['request_id'],
                 'user_id': 'admin', 'input': shown_input[task.id],
                 'result': None, 'message': ''},
                {key: task[key] for key in (
                    'id', 'type', 'status', 'owner', 'expires_at',
                    'created_at', 'updated_at', 'deleted_at', 'deleted',
                    'image_id', 'request_id', 'user_id', 'input',
                    'result', 'message')})
        self.assertEqual(credentials, self.stored(created[3])['input'])

        self.assertEqual([], list(self.conn.image.image_tasks(
            UNKNOWN_TASK_ID)))
