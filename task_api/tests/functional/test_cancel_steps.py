"""A cancel stops a task's flow at the next step boundary.

A task type installed through a ``task_api.flows`` entry point, as an
operator installs one, runs three steps (the last two in a nested linear
flow); the test cancels it through the API while its second step runs.
The worker stops when that step ends: the third never runs, the second
and the first revert, and the task ends failure saying who cancelled it.
Through the paste pipeline, on SQLite, PostgreSQL and MariaDB.
"""

import os
import threading
import time

import fixtures
from oslo_utils import uuidutils
import sqlalchemy as sa
import stevedore
from stevedore import extension
from taskflow.patterns import linear_flow
from taskflow import task as flow_task

from task_api.db.sqlalchemy import api as sqla_api
from task_api.tests import base
from task_api.tests.functional.api import base as api_base
from task_api.tests.functional import test_cancel
from task_api.tests.functional import test_worker
from task_api.tests.functional import worker_flows
from task_api.tests.unit.api import base as unit_api_base
from task_api.worker import flows
from task_api.worker import runner

PROJECT = 'bbbbbbbb-2222-4222-8222-bbbbbbbbbbbb'
MEMBER = unit_api_base.member_of(PROJECT)
CANCELLED = 'Cancelled by user user-of-%s of project %s' % (
    PROJECT, PROJECT)


class Step(flow_task.Task):
    """Records its run and its revert in worker_flows' table.

    The step named ``two`` then runs until the file named by the task's
    input exists.
    """

    def execute(self, task):
        worker_flows.record(task['id'], self.name)
        if self.name == 'two':
            path = task['input']['wait_for']
            deadline = time.monotonic() + 60
            while not os.path.exists(path) and time.monotonic() < deadline:
                time.sleep(0.05)

    def revert(self, task, **kwargs):
        worker_flows.record(task['id'], 'revert ' + self.name)


class ThreeStepsFlow(flows.FlowFactory):
    def get_flow(self, task):
        return linear_flow.Flow('three-steps').add(
            Step(name='one'),
            linear_flow.Flow('rest').add(Step(name='two'),
                                         Step(name='three')))


def steps(engine, task_id):
    """The steps recorded for ``task_id``, in the order they ran."""
    runs = worker_flows.RUNS
    with engine.connect() as connection:
        return list(connection.execute(
            sa.select(runs.c.step).where(runs.c.task_id == task_id)
            .order_by(runs.c.id)).scalars())


class CancelStepsTests:

    def setUp(self):
        super().setUp()
        worker_flows.METADATA.create_all(sqla_api.get_engine())
        manager = stevedore.ExtensionManager.make_test_instance(
            [extension.Extension('test_three_steps', None, ThreeStepsFlow,
                                 ThreeStepsFlow())],
            namespace=flows.NAMESPACE)
        self.worker = runner.Worker(worker_id='w1',
                                    registry=flows.FlowRegistry(manager))
        self.set_policy({'tasks_api_access': 'role:member or role:admin'})

    def test_cancel_during_a_step_stops_at_its_end_and_reverts(self):
        path = os.path.join(self.useFixture(fixtures.TempDir()).path, 'go')
        task_id = base.create_test_task(
            id=uuidutils.generate_uuid(), type='test_three_steps',
            owner=PROJECT, input={'wait_for': path})['id']
        engine = sqla_api.get_engine()
        thread = threading.Thread(target=self.worker.run_once)
        thread.start()
        self.addCleanup(thread.join, 60)
        self.addCleanup(lambda: open(path, 'w').close())
        deadline = time.monotonic() + 60
        while 'two' not in steps(engine, task_id):
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.05)

        response = self.app.post('/v2/tasks/%s/actions/cancel' % task_id,
                                 headers=MEMBER)
        self.assertEqual(202, response.status_int)
        test_cancel.wait_for_cancel_check()
        open(path, 'w').close()
        thread.join(60)

        self.assertFalse(thread.is_alive())
        body = self.get('/tasks/%s' % task_id, headers=MEMBER).json
        self.assertEqual(('failure', CANCELLED, None),
                         (body['status'], body['message'],
                          body.get('result')))
        self.assertEqual(['one', 'two', 'revert two', 'revert one'],
                         steps(engine, task_id))
        self.assertEqual(0, test_worker.claim_count(engine))


class TestCancelStepsSQLite(CancelStepsTests, api_base.PipelineTestCase):
    """On SQLite, in a file a worker thread and the test share."""

    def setUp(self):
        super().setUp()
        test_cancel.use_sqlite_file(self)


class TestCancelStepsPostgreSQL(CancelStepsTests,
                                api_base.PostgreSQLPipelineTestCase):
    """On PostgreSQL."""


class TestCancelStepsMySQL(CancelStepsTests, api_base.MySQLPipelineTestCase):
    """On MySQL/MariaDB."""
