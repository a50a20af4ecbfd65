"""Tests of the DB API on SQLite; the functional tests rerun them elsewhere."""

import datetime

import fixtures
from oslo_db import exception as db_exc
from oslo_db.sqlalchemy import enginefacade
from oslo_db.sqlalchemy import test_fixtures
from oslo_utils import timeutils
import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from task_api import context as task_context
from task_api.db.sqlalchemy import api as sqla_api
from task_api import exception
from task_api.tests import base

OWNER = 'aaaaaaaa-1111-4111-8111-aaaaaaaaaaaa'
OTHER = 'bbbbbbbb-2222-4222-8222-bbbbbbbbbbbb'

TASK_KEYS = ['id', 'type', 'status', 'owner', 'expires_at', 'created_at',
             'updated_at', 'deleted_at', 'deleted', 'image_id', 'request_id',
             'user_id', 'input', 'result', 'message']

# NOTE: whole seconds, because MySQL and MariaDB DATETIME columns keep no
# fraction of a second; the round trip compares exact values.
CREATED = datetime.datetime(2026, 11, 29, 4, 28, 35)


def project_context(project_id, is_admin=False):
    return task_context.RequestContext(project_id=project_id,
                                       is_admin=is_admin)


class TaskApiTests:
    """DB API tests run on every backend; mixed into a DbTestCase."""

    def _create(self, **kw):
        values = {'owner': OWNER, 'created_at': CREATED,
                  'updated_at': CREATED}
        values.update(kw)
        return base.create_test_task(**values)

    def test_task_create_returns_every_key_in_order(self):
        task = self._create()
        self.assertEqual(TASK_KEYS, list(task))

    def test_task_create_round_trip(self):
        result = {'image_id': 'c9cbb4e1-4f1a-4a68-9e57-5b36f5cf0f52'}
        expected = base.get_test_task(
            owner=OWNER, created_at=CREATED, updated_at=CREATED,
            expires_at=CREATED + datetime.timedelta(hours=48),
            status='success', image_id=result['image_id'], result=result,
            message='Import complete.')

        created = base.create_test_task(**expected)
        fetched = self.dbapi.task_get(project_context(OWNER), expected['id'])

        self.assertEqual(expected, created)
        self.assertEqual(expected, fetched)
        self.assertEqual(TASK_KEYS, list(fetched))
        self.assertIsInstance(fetched['input'], dict)
        self.assertIsInstance(fetched['result'], dict)
        self.assertIs(False, fetched['deleted'])

    def test_task_create_keeps_non_ascii_input(self):
        task_input = {'import_from': 'http://example.com/ïmage.qcow2',
                      'image_properties': {'name': 'Ünïcødé 图像 🚀'}}
        # NOTE: characters outside the BMP in plain text columns need a
        # utf8mb4 connection on MySQL; see TestTaskApiMySQL.
        message = 'Échec : 图像 introuvable'

        self._create(input=task_input, message=message)
        task = self.dbapi.task_get(project_context(OWNER),
                                   base.get_test_task()['id'])

        self.assertEqual(task_input, task['input'])
        self.assertEqual(message, task['message'])

    def test_task_create_generates_id_and_timestamps(self):
        values = base.get_test_task(owner=OWNER)
        for key in ('id', 'created_at', 'updated_at', 'deleted'):
            del values[key]
        before = timeutils.utcnow().replace(microsecond=0)

        created = self.dbapi.task_create(self.admin_context, values)
        fetched = self.dbapi.task_get(project_context(OWNER), created['id'])

        self.assertEqual(created, fetched)
        self.assertEqual(36, len(created['id']))
        self.assertIsNone(created['created_at'].tzinfo)
        self.assertLessEqual(before, created['created_at'])
        self.assertLess(created['created_at'] - before,
                        datetime.timedelta(minutes=1))
        self.assertEqual(created['created_at'], created['updated_at'])
        self.assertIs(False, created['deleted'])

    def test_task_get_own_task(self):
        task = self._create()
        fetched = self.dbapi.task_get(project_context(OWNER), task['id'])
        self.assertEqual(task, fetched)

    def test_task_get_other_projects_task_is_not_found(self):
        task = self._create()
        self.assertRaises(exception.TaskNotFound, self.dbapi.task_get,
                          project_context(OTHER), task['id'])

    def test_task_get_deleted_task_is_not_found_for_owner(self):
        task = self._create(deleted=True, deleted_at=CREATED)
        self.assertRaises(exception.TaskNotFound, self.dbapi.task_get,
                          project_context(OWNER), task['id'])

    def test_task_get_admin_sees_deleted_task(self):
        task = self._create(deleted=True, deleted_at=CREATED)
        fetched = self.dbapi.task_get(project_context(OTHER, is_admin=True),
                                      task['id'])
        self.assertEqual(task, fetched)
        self.assertIs(True, fetched['deleted'])
        self.assertEqual(CREATED, fetched['deleted_at'])

    def test_task_get_admin_sees_every_project(self):
        mine = self._create(id='7f0e9a51-1f2b-4c3d-8e4f-5a6b7c8d9e01')
        theirs = self._create(id='7f0e9a51-1f2b-4c3d-8e4f-5a6b7c8d9e02',
                              owner=OTHER)
        admin = project_context('cccccccc-3333-4333-8333-cccccccccccc',
                                is_admin=True)
        self.assertEqual(mine, self.dbapi.task_get(admin, mine['id']))
        self.assertEqual(theirs, self.dbapi.task_get(admin, theirs['id']))

    def test_task_get_expired_task_is_still_returned(self):
        expired = timeutils.utcnow().replace(
            microsecond=0) - datetime.timedelta(hours=1)
        task = self._create(status='success', expires_at=expired)
        fetched = self.dbapi.task_get(project_context(OWNER), task['id'])
        self.assertEqual(expired, fetched['expires_at'])
        self.assertIs(False, fetched['deleted'])

    def test_task_get_unknown_id_is_not_found(self):
        self._create()
        error = self.assertRaises(
            exception.TaskNotFound, self.dbapi.task_get, self.admin_context,
            '00000000-0000-4000-8000-000000000000')
        self.assertIn('00000000-0000-4000-8000-000000000000', str(error))

    def test_task_get_non_uuid_id_is_not_found(self):
        self._create()
        for task_id in ('not-a-uuid', 'x' * 300, 'tâche', ''):
            self.assertRaises(exception.TaskNotFound, self.dbapi.task_get,
                              self.admin_context, task_id)

    def test_task_get_id_outside_the_bmp_is_not_found(self):
        self._create()
        self.assertRaises(exception.TaskNotFound, self.dbapi.task_get,
                          project_context(OWNER), 'tâche-🚀')

    def test_task_get_without_project_sees_nothing(self):
        task = self._create()
        self.assertRaises(exception.TaskNotFound, self.dbapi.task_get,
                          project_context(None), task['id'])


class TestTaskApi(TaskApiTests, base.DbTestCase):
    """The DB API on SQLite."""


class UnreachableDatabaseTests:
    """A database that cannot be reached surfaces as DatabaseUnavailable.

    Subclasses define ``unreachable_url()``.
    """

    def _use_unreachable(self, **engine_args):
        facade = enginefacade.transaction_context()
        facade.configure(connection=self.unreachable_url(), **engine_args)
        self.useFixture(test_fixtures.ReplaceEngineFacadeFixture(
            sqla_api.main_context_manager, facade))
        return sqla_api.get_backend()

    def test_task_get_when_engine_cannot_start(self):
        # The engine's test connection, made when it starts, fails.
        dbapi = self._use_unreachable(max_retries=2, retry_interval=0)
        self.assertRaises(exception.DatabaseUnavailable, dbapi.task_get,
                          project_context(OWNER), base.get_test_task()['id'])

    def test_task_get_when_connection_fails(self):
        # No test connection: the engine starts, the query's connection
        # fails.
        dbapi = self._use_unreachable(max_retries=0)
        self.assertRaises(exception.DatabaseUnavailable, dbapi.task_get,
                          project_context(OWNER), base.get_test_task()['id'])

    def test_task_create_when_connection_fails(self):
        dbapi = self._use_unreachable(max_retries=0)
        error = self.assertRaises(exception.DatabaseUnavailable,
                                  dbapi.task_create,
                                  task_context.get_admin_context(),
                                  base.get_test_task())
        self.assertEqual(503, error.code)


class TestUnreachableSQLite(UnreachableDatabaseTests, base.TestCase):
    """A SQLite database whose path is a directory cannot be opened."""

    def unreachable_url(self):
        return 'sqlite:///' + self.useFixture(fixtures.TempDir()).path


class TestErrorLogLines(base.TestCase):
    """What the DB layer logs of an error never quotes its parameters."""

    def test_parameters_left_out(self):
        engine = sa.create_engine('sqlite://')
        with engine.connect() as connection:
            try:
                connection.execute(
                    sa.text('SELECT * FROM missing WHERE a = :a'),
                    {'a': 'http://user:hunter2@example.com/x'})
            except sa_exc.OperationalError as error:
                raised = error
        self.assertIn('hunter2', str(raised))
        for error in (raised, db_exc.DBError(raised)):
            self.assertEqual('OperationalError: no such table: missing',
                             sqla_api._describe(error))
