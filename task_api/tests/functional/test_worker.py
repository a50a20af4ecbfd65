"""Workers run every task task_api creates exactly once, on every backend.

The flows are the test types of worker_flows, installed through stevedore
entry points; every run of a step is a row of test_flow_runs.
"""

import datetime
import logging
import os
import signal
import subprocess
import sys
import threading
import time

import fixtures
from oslo_db.sqlalchemy import enginefacade
from oslo_db.sqlalchemy import test_fixtures
from oslo_utils import timeutils
from oslo_utils import uuidutils
import sqlalchemy as sa
from testtools import content

from task_api import context as task_context
from task_api.db import api as db_api
from task_api.db import migration
from task_api.db.sqlalchemy import api as sqla_api
from task_api.db.sqlalchemy import models
from task_api.tests import base
from task_api.tests import fixtures as task_fixtures
from task_api.tests.functional.api import base as api_base
from task_api.tests.functional import worker_flows
from task_api.tests.unit.api import base as unit_api_base
from task_api.worker import flows
from task_api.worker import runner

CLAIMS = models.Claim.__table__
OWNER = 'aaaaaaaa-1111-4111-8111-aaaaaaaaaaaa'


def create_tasks(engine, count, task_type='test_record', **kw):
    """``count`` pending tasks, with their claim rows, in one transaction."""
    now = timeutils.utcnow()
    tasks, infos, claims = [], [], []
    for number in range(count):
        task_id = uuidutils.generate_uuid()
        created = now + datetime.timedelta(microseconds=number)
        tasks.append(dict(id=task_id, type=task_type, status='pending',
                          owner=OWNER, created_at=created,
                          updated_at=created, deleted=False))
        infos.append(dict(task_id=task_id, input=kw.get('input', {}),
                          result=None, message=''))
        claims.append(dict(task_id=task_id, attempts=0, created_at=created))
    with engine.begin() as connection:
        connection.execute(sa.insert(models.Task), tasks)
        connection.execute(sa.insert(models.TaskInfo), infos)
        connection.execute(sa.insert(models.Claim), claims)
    return [task['id'] for task in tasks]


def statuses(engine):
    """status -> number of tasks."""
    with engine.connect() as connection:
        return dict(connection.execute(
            sa.select(models.Task.status, sa.func.count())
            .group_by(models.Task.status)).all())


def claim_count(engine):
    with engine.connect() as connection:
        return connection.execute(
            sa.select(sa.func.count()).select_from(CLAIMS)).scalar()


class RaceTests:
    """Worker threads racing for the same tasks."""

    WORKERS = 8
    TASKS = 1000
    BATCH = 10

    def setUp(self):
        super().setUp()
        # NOTE: taskflow's DEBUG and TRACE lines of 1,000 runs would cost
        # more than the runs.
        self.useFixture(fixtures.FakeLogger(name='taskflow',
                                            level=logging.INFO))
        self.engine = sqla_api.get_engine()
        worker_flows.METADATA.create_all(self.engine)
        self.registry = worker_flows.registry()

    def race(self):
        errors = []
        claimed = []

        def work(number):
            worker = runner.Worker(worker_id='worker-%d' % number,
                                   registry=self.registry, lease_seconds=300)
            try:
                while True:
                    count = worker.run_once(self.BATCH)
                    claimed.append(count)
                    if not count and not claim_count(self.engine):
                        return
            except Exception as error:  # reported by the test
                errors.append(error)

        threads = [threading.Thread(target=work, args=(number,))
                   for number in range(self.WORKERS)]
        start = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=600)
        return errors, sum(claimed), time.monotonic() - start

    def test_every_task_runs_exactly_once(self):
        ids = create_tasks(self.engine, self.TASKS)

        errors, claimed, seconds = self.race()

        self.assertEqual([], errors)
        self.assertEqual(self.TASKS, claimed)
        self.assertEqual({task_id: 1 for task_id in ids},
                         worker_flows.runs(self.engine))
        self.assertEqual({'success': self.TASKS}, statuses(self.engine))
        self.assertEqual(0, claim_count(self.engine))
        # For the record: tasks claimed and run per second.
        self.addDetail('rate', content.text_content(
            '%.0f tasks/s' % (self.TASKS / seconds)))


class TestRacePostgreSQL(RaceTests, base.DbTestCase):
    """8 workers and 1,000 tasks on PostgreSQL."""

    FIXTURE = task_fixtures.PostgreSQLDatabase


class TestRaceMySQL(RaceTests, base.DbTestCase):
    """8 workers and 1,000 tasks on MySQL/MariaDB."""

    FIXTURE = task_fixtures.MySQLDatabase


def use_sqlite_file(test, path):
    """Point the DB API at the SQLite file ``path``; return its URL."""
    url = 'sqlite:///' + path
    facade = enginefacade.transaction_context()
    facade.configure(connection=url)
    engine = facade.writer.get_engine()
    test.addCleanup(engine.dispose)
    test.useFixture(test_fixtures.ReplaceEngineFacadeFixture(
        sqla_api.main_context_manager, facade))
    return url


class TestRaceSQLite(RaceTests, base.TestCase):
    """4 workers and 200 tasks on a SQLite file, which has one writer."""

    WORKERS = 4
    TASKS = 200

    def setUp(self):
        path = os.path.join(self.useFixture(fixtures.TempDir()).path,
                            'task_api.sqlite')
        use_sqlite_file(self, path)
        models.Base.metadata.create_all(sqla_api.get_engine())
        super().setUp()


class ExecutionTests:
    """What a claimed task becomes, seen through the DB API and the API."""

    def setUp(self):
        super().setUp()
        worker_flows.METADATA.create_all(sqla_api.get_engine())
        self.worker = runner.Worker(worker_id='w1',
                                    registry=worker_flows.registry())

    def post(self, task_type):
        """Create a task through the API (which takes Glance's types)."""
        response = self.app.post_json(
            '/v2/tasks', {'type': task_type, 'input': {}},
            headers=unit_api_base.ADMIN)
        self.assertEqual(201, response.status_int)
        return response.json['id']

    def create(self, task_type):
        """Create a task of a test type through the DB API."""
        return base.create_test_task(
            id=uuidutils.generate_uuid(), type=task_type)['id']

    def test_type_without_a_flow_fails_naming_it(self):
        task_id = self.post('api_image_import')

        self.assertEqual(1, self.worker.run_once())

        body = self.get('/tasks/%s' % task_id, status=200).json
        self.assertEqual(
            ('failure', "No flow is installed for tasks of type "
             "'api_image_import'", None),
            (body['status'], body['message'], body.get('result')))
        self.assertIn('expires_at', body)
        self.assertEqual(0, claim_count(sqla_api.get_engine()))

    def test_type_whose_flow_does_not_load_fails_saying_why(self):
        # A distribution whose entry point names a module that cannot be
        # imported, as when a flow's dependency is missing.
        path = self.useFixture(fixtures.TempDir()).path
        info = os.path.join(path, 'broken_flows-1.0.dist-info')
        os.mkdir(info)
        with open(os.path.join(info, 'METADATA'), 'w') as stream:
            stream.write('Metadata-Version: 2.1\nName: broken-flows\n'
                         'Version: 1.0\n')
        with open(os.path.join(info, 'entry_points.txt'), 'w') as stream:
            stream.write('[task_api.tests.broken_flows]\n'
                         'api_image_import = task_api_no_such_module:Flow\n')
        self.useFixture(fixtures.MonkeyPatch('sys.path', sys.path + [path]))
        self.useFixture(fixtures.FakeLogger(name='task_api.worker.flows'))
        worker = runner.Worker(worker_id='w1', registry=flows.FlowRegistry(
            namespace='task_api.tests.broken_flows'))
        task_id = self.post('api_image_import')

        self.assertEqual(1, worker.run_once())

        body = self.get('/tasks/%s' % task_id, status=200).json
        self.assertEqual(
            ('failure', "The flow installed for tasks of type "
             "'api_image_import' could not be loaded (ModuleNotFoundError: "
             "No module named 'task_api_no_such_module'); the worker's log "
             "says more"), (body['status'], body['message']))

    def test_flow_result_is_the_task_result(self):
        task_id = self.create('test_record')

        self.assertEqual(1, self.worker.run_once())

        body = self.get('/tasks/%s' % task_id, status=200).json
        self.assertEqual(('success', '', {'ran': True}),
                         (body['status'], body['message'], body['result']))

    def test_failing_step_reverts_the_earlier_ones(self):
        task_id = self.create('test_revert')

        self.assertEqual(1, self.worker.run_once())

        body = self.get('/tasks/%s' % task_id, status=200).json
        self.assertEqual(('failure', 'the second step failed'),
                         (body['status'], body['message']))
        engine = sqla_api.get_engine()
        self.assertEqual({task_id: 1}, worker_flows.runs(engine, 'revert'))

    def test_tasks_written_by_another_program_are_left_alone(self):
        glance_task = base.insert_task_rows(
            sqla_api.get_engine(), id=uuidutils.generate_uuid(),
            type='test_record')

        self.assertEqual(0, self.worker.run_once())

        self.assertEqual('pending', self.dbapi.task_get(
            self.admin_context, glance_task['id'])['status'])
        self.assertEqual({}, worker_flows.runs(sqla_api.get_engine()))


class TestExecutionSQLite(ExecutionTests, api_base.PipelineTestCase):
    """Execution on SQLite, through the paste pipeline."""


class TestExecutionPostgreSQL(ExecutionTests,
                              api_base.PostgreSQLPipelineTestCase):
    """Execution on PostgreSQL, through the paste pipeline."""


class TestExecutionMySQL(ExecutionTests, api_base.MySQLPipelineTestCase):
    """Execution on MySQL/MariaDB, through the paste pipeline."""


class TestWorkerProcess(base.TestCase):
    """A real task-api-worker on an embedded SQLite database."""

    LEASE = 4

    def setUp(self):
        super().setUp()
        self.useFixture(fixtures.FakeLogger(name='taskflow',
                                            level=logging.INFO))
        self.directory = self.useFixture(fixtures.TempDir()).path
        url = use_sqlite_file(self, os.path.join(self.directory,
                                                 'task_api.sqlite'))
        self.engine = sqla_api.get_engine()
        migration.upgrade(engine=self.engine)
        worker_flows.METADATA.create_all(self.engine)
        flows_path = os.path.join(self.directory, 'flows')
        worker_flows.install(flows_path)
        self.config_file = os.path.join(self.directory, 'task_api.conf')
        with open(self.config_file, 'w') as stream:
            stream.write('[database]\nconnection = %s\n'
                         '[worker]\nlease_seconds = %d\n'
                         'poll_interval = 0.1\n' % (url, self.LEASE))
        self.env = dict(os.environ, PYTHONPATH=flows_path)
        self.release_file = os.path.join(self.directory, 'release')

    def start_worker(self):
        log = open(os.path.join(self.directory, 'worker.log'), 'ab')
        self.addCleanup(log.close)
        process = subprocess.Popen(
            [os.path.join(os.path.dirname(sys.executable),
                          'task-api-worker'),
             '--config-file', self.config_file],
            env=self.env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)

        def kill():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.addCleanup(kill)
        return process

    def worker_log(self):
        with open(os.path.join(self.directory, 'worker.log')) as stream:
            return stream.read()

    def wait_for(self, predicate, what, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            time.sleep(0.1)
        self.fail('%s never happened; worker log:\n%s'
                  % (what, self.worker_log()))

    def create_waiting_task(self, task_type):
        return base.create_test_task(
            id=uuidutils.generate_uuid(), type=task_type,
            input={'wait_for': self.release_file})['id']

    def run_in_worker_process_then_kill_it(self, task_id):
        process = self.start_worker()
        self.wait_for(lambda: worker_flows.runs(self.engine).get(task_id),
                      'the worker starting the task')
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        self.assertEqual('processing', self.dbapi.task_get(
            self.admin_context, task_id)['status'])

    @property
    def dbapi(self):
        return db_api.get_instance()

    @property
    def admin_context(self):
        return task_context.get_admin_context()

    def take_over(self):
        """Another worker: nothing to claim until the lease expired."""
        worker = runner.Worker(worker_id='survivor',
                               registry=worker_flows.registry())
        self.assertEqual(0, worker.run_once())
        self.wait_for(lambda: worker.run_once(), 'the takeover')

    def test_killed_worker_task_fails_saying_the_worker_was_lost(self):
        task_id = self.create_waiting_task('test_wait')
        self.run_in_worker_process_then_kill_it(task_id)

        self.take_over()

        task = self.dbapi.task_get(self.admin_context, task_id)
        self.assertEqual(('failure', runner.LOST, None),
                         (task['status'], task['message'], task['result']))
        self.assertEqual({task_id: 1}, worker_flows.runs(self.engine))
        self.assertEqual(0, claim_count(self.engine))

    def test_killed_worker_repeatable_task_runs_again(self):
        task_id = self.create_waiting_task('test_wait_repeatable')
        self.run_in_worker_process_then_kill_it(task_id)
        open(self.release_file, 'w').close()

        self.take_over()

        task = self.dbapi.task_get(self.admin_context, task_id)
        self.assertEqual(('success', {'waited': True}),
                         (task['status'], task['result']))
        self.assertEqual({task_id: 2}, worker_flows.runs(self.engine))
        self.assertEqual(0, claim_count(self.engine))

    def test_sigterm_lets_the_running_task_end(self):
        task_id = self.create_waiting_task('test_wait')
        process = self.start_worker()
        self.wait_for(lambda: worker_flows.runs(self.engine).get(task_id),
                      'the worker starting the task')

        process.send_signal(signal.SIGTERM)
        time.sleep(1)
        self.assertIsNone(process.poll())
        open(self.release_file, 'w').close()

        self.assertEqual(0, process.wait(timeout=60), self.worker_log())
        task = self.dbapi.task_get(self.admin_context, task_id)
        self.assertEqual(('success', {'waited': True}),
                         (task['status'], task['result']))
        self.assertEqual(0, claim_count(self.engine))
