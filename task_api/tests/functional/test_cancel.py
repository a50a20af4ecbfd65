"""Cancelling tasks: POST /v2/tasks/{task_id}/actions/cancel.

Through the paste pipeline, with an in-process worker running the test
flows of worker_flows, on SQLite, PostgreSQL and MariaDB.
"""

import os
import threading
import time

import fixtures
from oslo_utils import uuidutils
import stevedore
from stevedore import extension
from taskflow.patterns import linear_flow
from taskflow import task as flow_task

from task_api import conf as task_conf
from task_api.db import migration
from task_api.db.sqlalchemy import api as sqla_api
from task_api.tests import base
from task_api.tests.functional.api import base as api_base
from task_api.tests.functional import test_worker
from task_api.tests.functional import worker_flows
from task_api.tests.unit.api import base as unit_api_base
from task_api.worker import flows
from task_api.worker import runner

CONF = task_conf.CONF
PROJECT = 'aaaaaaaa-1111-4111-8111-aaaaaaaaaaaa'
MEMBER = unit_api_base.member_of(PROJECT)
CANCELLED = 'Cancelled by user user-of-%s of project %s' % (
    PROJECT, PROJECT)


class Stage(flow_task.Task):
    """Records a run, and a revert when the flow reverts."""

    def execute(self, task):
        worker_flows.record(task['id'], 'stage')

    def revert(self, task, **kwargs):
        worker_flows.record(task['id'], 'unstage')


class Block(flow_task.Task):
    """Runs until the file named by the task's input exists."""

    default_provides = 'result'

    def execute(self, task):
        worker_flows.record(task['id'], 'block')
        path = task['input']['wait_for']
        deadline = time.monotonic() + 60
        while not os.path.exists(path) and time.monotonic() < deadline:
            time.sleep(0.05)
        return {'blocked': True}


class StageThenBlockFlow(flows.FlowFactory):
    def get_flow(self, task):
        return linear_flow.Flow('stage-block').add(Stage(), Block())


def registry():
    """The test types of worker_flows and test_stage_block."""
    factories = dict(worker_flows.FACTORIES,
                     test_stage_block=StageThenBlockFlow)
    manager = stevedore.ExtensionManager.make_test_instance(
        [extension.Extension(name, None, factory, factory())
         for name, factory in factories.items()],
        namespace=flows.NAMESPACE)
    return flows.FlowRegistry(manager)


def wait_for_cancel_check():
    """Sleep until the worker's next step boundary reads the cancel.

    It reads at most once per ``[worker] cancel_check_interval`` since the
    task began, which was before the cancel.
    """
    time.sleep(CONF.worker.cancel_check_interval)


def use_sqlite_file(test):
    """Give ``test`` task_api's tables and worker_flows' in a SQLite file.

    A file, not the in-memory database of other tests: a worker thread
    writes the task while the test reads and cancels it.
    """
    test_worker.use_sqlite_file(test, os.path.join(
        test.useFixture(fixtures.TempDir()).path, 'task_api.sqlite'))
    migration.upgrade(engine=sqla_api.get_engine())
    worker_flows.METADATA.create_all(sqla_api.get_engine())


class CancelTests:

    def setUp(self):
        super().setUp()
        worker_flows.METADATA.create_all(sqla_api.get_engine())
        self.worker = runner.Worker(worker_id='w1', registry=registry())
        self.set_policy({'tasks_api_access': 'role:member or role:admin'})

    def create(self, task_type='test_record', **kw):
        return base.create_test_task(
            id=uuidutils.generate_uuid(), type=task_type, owner=PROJECT,
            **kw)['id']

    def cancel(self, task_id, status, headers=MEMBER, **kw):
        response = self.app.post('/v2/tasks/%s/actions/cancel' % task_id,
                                 headers=headers, expect_errors=True, **kw)
        self.assertEqual(status, response.status_int, response.text)
        return response

    def assertRefused(self, response, message):
        self.assertEqual('%s\n\n%s\n\n   ' % (response.status, message),
                         response.text)

    def test_cancel_pending_task(self):
        task_id = self.create()

        response = self.cancel(task_id, 202)

        self.assertEqual(b'', response.body)
        body = self.get('/tasks/%s' % task_id, headers=MEMBER).json
        self.assertEqual(('failure', CANCELLED),
                         (body['status'], body['message']))
        self.assertIn('expires_at', body)
        self.assertEqual(0, test_worker.claim_count(sqla_api.get_engine()))
        self.assertEqual(0, self.worker.run_once())
        self.assertEqual({}, worker_flows.runs(sqla_api.get_engine()))

    def test_body_is_ignored(self):
        task_id = self.create()

        self.cancel(task_id, 202, params=b'{"reason": "x"}',
                    content_type='application/json')

        self.assertEqual('failure', self.get(
            '/tasks/%s' % task_id, headers=MEMBER).json['status'])

    def test_cancel_running_task_reverts_it(self):
        path = os.path.join(self.useFixture(fixtures.TempDir()).path, 'go')
        task_id = self.create('test_stage_block', input={'wait_for': path})
        engine = sqla_api.get_engine()
        thread = threading.Thread(target=self.worker.run_once)
        thread.start()
        self.addCleanup(thread.join)
        self.addCleanup(lambda: open(path, 'w').close())
        deadline = time.monotonic() + 60
        while not worker_flows.runs(engine, 'block'):
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.05)

        self.cancel(task_id, 202)
        # The task runs on until its step ends; then the flow reverts.
        self.assertEqual('processing', self.get(
            '/tasks/%s' % task_id, headers=MEMBER).json['status'])
        wait_for_cancel_check()
        open(path, 'w').close()
        thread.join(60)

        body = self.get('/tasks/%s' % task_id, headers=MEMBER).json
        self.assertEqual(('failure', CANCELLED, None),
                         (body['status'], body['message'],
                          body.get('result')))
        self.assertEqual({task_id: 1}, worker_flows.runs(engine, 'unstage'))
        self.assertEqual(0, test_worker.claim_count(engine))

    def test_cancel_finished_task_conflicts(self):
        task_id = self.create()
        self.assertEqual(1, self.worker.run_once())

        response = self.cancel(task_id, 409)

        self.assertRefused(response, 'Task %s is success and cannot be '
                           'cancelled: it has already ended.' % task_id)
        body = self.get('/tasks/%s' % task_id, headers=MEMBER).json
        self.assertEqual(('success', ''), (body['status'], body['message']))

    def test_task_of_another_project_is_not_found(self):
        task_id = self.create()

        self.cancel(task_id, 404,
                    headers=unit_api_base.member_of('other-project'))
        self.cancel(uuidutils.generate_uuid(), 404)
        self.app.post('/v2/tasks/%s/actions/undo' % task_id,
                      headers=MEMBER, status=404)

        self.assertEqual('pending', self.get(
            '/tasks/%s' % task_id, headers=MEMBER).json['status'])

    def test_policy_denial_is_forbidden(self):
        self.set_policy({'tasks_api_access': 'role:member',
                         'modify_task': 'role:operator'})
        task_id = self.create()

        response = self.cancel(task_id, 403)

        self.assertRefused(response, 'You are not authorized to complete '
                           'modify_task action.')
        self.assertEqual('pending', self.get(
            '/tasks/%s' % task_id, headers=MEMBER).json['status'])
        self.cancel(task_id, 202, headers=unit_api_base.member_of(
            PROJECT, 'member,operator'))

    def test_delete_stays_not_allowed(self):
        task_id = self.create()

        response = self.app.delete('/v2/tasks/%s' % task_id,
                                   headers=MEMBER, status=405)

        self.assertEqual('GET', response.headers['Allow'])
        self.app.get('/v2/tasks/%s/actions/cancel' % task_id,
                     headers=MEMBER, status=405)
        self.assertEqual('pending', self.get(
            '/tasks/%s' % task_id, headers=MEMBER).json['status'])


class TestCancelSQLite(CancelTests, api_base.PipelineTestCase):
    """Cancel on SQLite, in a file.

    A file, not the in-memory database of other tests: a worker thread
    writes the task while the test reads and cancels it.
    """

    def setUp(self):
        super().setUp()
        use_sqlite_file(self)


class TestCancelPostgreSQL(CancelTests, api_base.PostgreSQLPipelineTestCase):
    """Cancel on PostgreSQL."""


class TestCancelMySQL(CancelTests, api_base.MySQLPipelineTestCase):
    """Cancel on MySQL/MariaDB."""
