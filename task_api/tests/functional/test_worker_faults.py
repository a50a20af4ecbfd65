"""Faults while workers run imports: a worker killed, the database gone.

Real ``task-api-worker`` processes run real ``import`` tasks from a slow
HTTP source in the test process, on a database of each kind; the test
kills one with SIGKILL, or cuts the database under it through
:mod:`task_api.tests.functional.tcp_proxy`, and reads the rows and the
files the import leaves.
"""

import datetime
import hashlib
import os
import signal
import time

import fixtures
from oslo_utils import timeutils
from oslo_utils import uuidutils
import sqlalchemy as sa

from task_api import context as task_context
from task_api.db import api as db_api
from task_api.db import migration
from task_api.db.sqlalchemy import api as sqla_api
from task_api.db.sqlalchemy import models
from task_api.tests import base
from task_api.tests import fixtures as task_fixtures
from task_api.tests.functional import tcp_proxy
from task_api.tests.functional import test_import
from task_api.tests.functional import test_import_glance
from task_api.tests.functional import test_worker
from task_api.worker import import_flow
from task_api.worker import runner

KiB = 1024
CHUNK = b'\1' * (64 * KiB)


def leave_lost_task(import_from, owner=base.get_test_task()['owner']):
    """An import task as a worker killed while it ran it leaves it.

    The task is ``processing`` with a progress message; its claim is held
    by the dead worker, whose lease expired.
    """
    task = base.create_test_task(
        id=uuidutils.generate_uuid(), status='processing', owner=owner,
        message='Fetched 2.0 MiB of 3.0 MiB',
        input={'import_from': import_from, 'import_from_format': 'raw',
               'image_properties': {'name': 'lost'}})
    expired = timeutils.utcnow() - datetime.timedelta(seconds=5)
    with sqla_api.get_engine().begin() as connection:
        connection.execute(sa.insert(models.Claim).values(
            task_id=task['id'], worker_id='dead-host:4242', attempts=1,
            lease_expires_at=expired, created_at=task['created_at']))
    return task


class WorkerProcesses:
    """task-api-worker processes sharing the test's database.

    ``database_url()`` is the URL the workers connect to; the test itself
    reads and writes the database directly.
    """

    LEASE = 10

    def setUp(self):
        super().setUp()
        self.directory = self.useFixture(fixtures.TempDir()).path
        self.state_path = os.path.join(self.directory, 'state')
        os.mkdir(self.state_path)
        self.server = self.useFixture(test_import.Server())
        self.processes = []
        self.logs = []
        self.dbapi = db_api.get_instance()
        self.admin_context = task_context.get_admin_context()

    @property
    def engine(self):
        return sqla_api.get_engine()

    def database_url(self):
        return self.engine.url.render_as_string(hide_password=False)

    def write_config(self):
        path = os.path.join(self.directory, 'task_api.conf')
        with open(path, 'w') as stream:
            stream.write(
                '[DEFAULT]\nstate_path = %s\n'
                '[database]\nconnection = %s\n'
                '[worker]\nlease_seconds = %d\npoll_interval = 0.2\n'
                'threads = 2\n'
                '[import_filtering_opts]\nallowed_hosts = [127.0.0.1]\n'
                'allowed_ports = [%d]\n'
                % (self.state_path, self.database_url(), self.LEASE,
                   self.server.port))
        return path

    def start_worker(self):
        log_path = os.path.join(self.directory,
                                'worker-%d.log' % len(self.processes))
        process = test_import.start_worker_process(
            self, self.write_config(), log_path)
        self.processes.append(process)
        self.logs.append(log_path)
        return process

    def worker_logs(self):
        text = []
        for path in self.logs:
            with open(path) as stream:
                text.append('--- %s\n%s' % (path, stream.read()))
        return '\n'.join(text)

    def wait_for(self, predicate, what, timeout=120):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(0.1)
        self.fail('%s never happened; worker logs:\n%s'
                  % (what, self.worker_logs()))

    def create_import(self, path):
        return base.create_test_task(id=uuidutils.generate_uuid(), input={
            'import_from': self.server.url(path),
            'import_from_format': 'raw',
            'image_properties': {'name': 'faults'}})['id']

    def task(self, task_id):
        return self.dbapi.task_get(self.admin_context, task_id)

    def wait_for_end(self, task_id, timeout=120):
        return self.wait_for(
            lambda: (lambda task: task if task['status'] in (
                'success', 'failure') else None)(self.task(task_id)),
            'the end of task %s' % task_id, timeout)

    def claims(self):
        """task id -> (worker_id, attempts) of every claim row."""
        with self.engine.connect() as connection:
            return {row.task_id: (row.worker_id, row.attempts)
                    for row in connection.execute(sa.select(
                        models.Claim.task_id, models.Claim.worker_id,
                        models.Claim.attempts))}

    def wait_for_released(self):
        """Wait until no claim is left.

        A worker releases a task's claim just after it wrote the task's
        end, which the test may have seen first.
        """
        self.wait_for(lambda: not self.claims(), 'the release of the claims',
                      timeout=30)

    def statuses(self):
        return test_worker.statuses(self.engine)

    def work_files(self):
        work = os.path.join(self.state_path, 'import')
        return sorted(os.listdir(work)) if os.path.isdir(work) else []

    def stored_files(self):
        images = os.path.join(self.state_path, 'images')
        return sorted(os.listdir(images)) if os.path.isdir(images) else []

    def fetching(self, task_id):
        """Whether a worker is fetching the task's data.

        Its work file holds bytes and its message says how far it got.
        """
        task = self.task(task_id)
        work = os.path.join(self.state_path, 'import', '%s.data' % task_id)
        return (task['status'] == 'processing' and
                task['message'].startswith('Fetched ') and
                os.path.exists(work) and os.path.getsize(work) > 0)

    def assert_imported(self, task, data):
        image_id = import_flow.image_id_of(task)
        self.assertEqual(('success', ''), (task['status'], task['message']),
                         self.worker_logs())
        self.assertEqual(
            (image_id, len(data), hashlib.sha512(data).hexdigest()),
            (task['result']['image_id'], task['result']['size'],
             task['result']['os_hash_value']))
        with open(os.path.join(self.state_path, 'images', image_id),
                  'rb') as stored:
            self.assertEqual(data, stored.read())


class KillTests(WorkerProcesses):
    """SIGKILL the worker fetching an import while another one runs."""

    def test_killed_worker_import_fails_on_the_other_worker(self):
        # 200 chunks of 64 KiB, a quarter of a second apart: 50 seconds
        # of fetching, far more than the test needs.
        self.server.routes['/slow.raw'] = test_import.stream(
            CHUNK, 200, delay=0.25, length=200 * len(CHUNK))
        self.server.routes['/disk.raw'] = test_import.body(test_import.RAW)
        task_id = self.create_import('/slow.raw')
        first, second = self.start_worker(), self.start_worker()
        self.wait_for(lambda: self.fetching(task_id), 'the fetch')
        worker_id, attempts = self.claims()[task_id]
        self.assertEqual(1, attempts)
        # NOTE: the claim names the process that runs the loop, a child
        # of the task-api-worker command (oslo.service's launcher): the
        # whole command, its session, is killed.
        session = os.getsid(int(worker_id.rsplit(':', 1)[1]))
        running = {process.pid: process for process in (first, second)}
        self.assertIn(session, running, worker_id)

        os.killpg(session, signal.SIGKILL)
        running.pop(session).wait()
        killed_at = time.monotonic()
        # What the killed worker leaves: the task processing, its claim,
        # part of the data in its work file.
        self.assertEqual('processing', self.task(task_id)['status'])
        self.assertEqual(['%s.data' % task_id], self.work_files())

        task = self.wait_for_end(task_id)
        ended_in = time.monotonic() - killed_at

        self.assertEqual(('failure', runner.LOST, None),
                         (task['status'], task['message'], task['result']))
        self.assertIsNotNone(task['expires_at'])
        # Within a lease and one renewal period (a third of a lease).
        self.assertLess(ended_in, self.LEASE * 4 / 3.0, self.worker_logs())
        self.wait_for_released()
        # The partial data went with the takeover.
        self.assertEqual([], self.work_files())
        self.assertEqual([], self.stored_files())
        # The other worker goes on serving.
        (survivor,) = running.values()
        self.assertIsNone(survivor.poll())
        second_id = self.create_import('/disk.raw')
        self.assert_imported(self.wait_for_end(second_id), test_import.RAW)
        self.assertEqual({'failure': 1, 'success': 1}, self.statuses())


class TestKillPostgreSQL(KillTests, base.DbTestCase):
    FIXTURE = task_fixtures.EmptyPostgreSQLDatabase

    def setUp(self):
        super().setUp()
        migration.upgrade(engine=self.engine)


class TestKillMySQL(KillTests, base.DbTestCase):
    FIXTURE = task_fixtures.EmptyMySQLDatabase

    def setUp(self):
        super().setUp()
        migration.upgrade(engine=self.engine)


class TestKillSQLite(KillTests, base.TestCase):
    """Two workers on one host sharing a SQLite file."""

    def setUp(self):
        super().setUp()
        test_worker.use_sqlite_file(self, os.path.join(
            self.directory, 'task_api.sqlite'))
        migration.upgrade(engine=self.engine)


class OutageTests(WorkerProcesses):
    """The database goes away for 10 seconds while a worker imports.

    The worker reaches it through a relay that the test cuts (pooled
    connections reset, new ones refused) or freezes (nothing answered),
    then restores.
    """

    # NOTE: a lease that outlasts the outage: the worker keeps its task.
    LEASE = 30
    OUTAGE = 10

    def setUp(self):
        super().setUp()
        migration.upgrade(engine=self.engine)
        url = self.engine.url
        self.proxy = self.useFixture(tcp_proxy.TcpProxy(
            url.host or 'localhost', url.port or self.PORT))

    def database_url(self):
        return self.engine.url.set(
            host='127.0.0.1', port=self.proxy.port).render_as_string(
                hide_password=False)

    def outage(self, freeze=False):
        if freeze:
            self.proxy.freeze()
        else:
            self.proxy.cut()
        time.sleep(self.OUTAGE)
        if freeze:
            self.proxy.thaw()
        else:
            self.proxy.restore()

    def assert_serving_after(self):
        """A task created after the outage is imported."""
        self.server.routes['/disk.raw'] = test_import.body(test_import.RAW)
        task_id = self.create_import('/disk.raw')
        self.assert_imported(self.wait_for_end(task_id), test_import.RAW)
        self.assertEqual({'success': 2}, self.statuses())
        self.wait_for_released()
        self.assertEqual([], self.work_files())
        self.assertIsNone(self.processes[0].poll())

    def start_slow_import(self, chunks):
        """A worker fetching ``chunks`` chunks, 0.2 s apart.

        :returns: the task id and the data.
        """
        data = CHUNK * chunks
        self.server.routes['/slow.raw'] = test_import.stream(
            CHUNK, chunks, delay=0.2, length=len(data))
        task_id = self.create_import('/slow.raw')
        self.start_worker()
        self.wait_for(lambda: self.fetching(task_id), 'the fetch')
        return task_id, data

    def run_through_outage(self, chunks, freeze=False):
        task_id, data = self.start_slow_import(chunks)

        self.outage(freeze)

        task = self.wait_for_end(task_id)
        self.assert_imported(task, data)
        self.assertEqual([import_flow.image_id_of(task)],
                         self.stored_files())
        self.assert_serving_after()

    def test_fetch_goes_on_through_the_outage(self):
        # 100 chunks 0.2 s apart: the fetch ends about 10 seconds after
        # the database is back; its progress and cancel checks fail
        # meanwhile.
        self.run_through_outage(100)

    def test_end_is_written_once_the_database_is_back(self):
        # 15 chunks: the fetch and the store end during the outage.
        self.run_through_outage(15)

    def test_hung_database_delays_the_import(self):
        self.run_through_outage(15, freeze=True)

    def lease_expiry(self, task_id):
        with self.engine.connect() as connection:
            return connection.execute(
                sa.select(models.Claim.lease_expires_at)
                .where(models.Claim.task_id == task_id)).scalar()

    def test_task_stays_with_its_worker_when_its_lease_expired_meanwhile(self):
        # A lease of 12 seconds, renewed every 4: the outage begins 3
        # seconds after a renewal and ends 13 seconds after it, 1 second
        # after the lease expired. No other worker took the task: the
        # worker renews its lease before it claims anything, rather than
        # taking its own task over as a lost worker's.
        self.LEASE = 12
        task_id, data = self.start_slow_import(150)
        first = self.lease_expiry(task_id)
        renewed = self.wait_for(
            lambda: (lambda lease: lease if lease != first else None)(
                self.lease_expiry(task_id)), 'a renewal', timeout=30)
        renewed_at = renewed - datetime.timedelta(seconds=self.LEASE)
        time.sleep(max(0.0, 3 - (timeutils.utcnow() -
                                 renewed_at).total_seconds()))

        self.outage()

        task = self.wait_for_end(task_id)
        self.assert_imported(task, data)
        self.assert_serving_after()


class TestOutagePostgreSQL(OutageTests, base.DbTestCase):
    FIXTURE = task_fixtures.EmptyPostgreSQLDatabase
    PORT = 5432


class TestOutageMySQL(OutageTests, base.DbTestCase):
    FIXTURE = task_fixtures.EmptyMySQLDatabase
    PORT = 3306


class TakeoverCleanupTests:
    """What a killed import leaves is removed by the worker taking over.

    The rows and files are those a worker killed while it stored the
    image leaves: the task processing, its claim held by the dead worker
    with an expired lease, the fetched data in the work directory, part
    of the image in the filesystem store.
    """

    def setUp(self):
        super().setUp()
        test_import.use_import_setup(self, ['127.0.0.1'])

    def leave_lost_import(self):
        task = leave_lost_task(self.server.url('/disk.raw'))
        work = os.path.join(self.state_path, 'import')
        images = os.path.join(self.state_path, 'images')
        for directory in (work, images):
            os.makedirs(directory, exist_ok=True)
        paths = [os.path.join(work, '%s.data' % task['id']),
                 os.path.join(images, import_flow.image_id_of(task))]
        for path in paths:
            with open(path, 'wb') as stream:
                stream.write(CHUNK)
        return task['id'], paths

    def test_takeover_removes_work_file_and_partial_image(self):
        task_id, paths = self.leave_lost_import()
        worker = runner.Worker(worker_id='survivor',
                               registry=test_import.registry())

        self.assertEqual(1, worker.run_once())

        task = self.dbapi.task_get(self.admin_context, task_id)
        self.assertEqual(('failure', runner.LOST, None),
                         (task['status'], task['message'], task['result']))
        self.assertEqual([False, False], [os.path.exists(path)
                                          for path in paths])
        engine = sqla_api.get_engine()
        self.assertEqual(0, test_worker.claim_count(engine))

    def test_takeover_leaves_other_images_alone(self):
        task_id, paths = self.leave_lost_import()
        other = os.path.join(self.state_path, 'images',
                             uuidutils.generate_uuid())
        with open(other, 'wb') as stream:
            stream.write(CHUNK)
        worker = runner.Worker(worker_id='survivor',
                               registry=test_import.registry())

        self.assertEqual(1, worker.run_once())

        self.assertEqual([os.path.basename(other)], sorted(os.listdir(
            os.path.join(self.state_path, 'images'))))


class TestTakeoverCleanupSQLite(TakeoverCleanupTests, base.DbTestCase):
    FIXTURE = task_fixtures.SQLiteDatabase


class TestTakeoverCleanupPostgreSQL(TakeoverCleanupTests, base.DbTestCase):
    FIXTURE = task_fixtures.PostgreSQLDatabase


class TestTakeoverCleanupMySQL(TakeoverCleanupTests, base.DbTestCase):
    FIXTURE = task_fixtures.MySQLDatabase


class TestTakeoverCleanupGlance(test_import_glance.TestImportIntoGlance):
    """With ``import_target = glance``: a real Glance holds the image."""

    # NOTE: the Image service's imports are tested in their own module.
    test_image_is_created_in_the_owners_project_and_uploaded = None
    test_refused_upload_deletes_the_image = None

    def test_takeover_deletes_the_image_the_lost_worker_created(self):
        task = leave_lost_task(self.server.url('/disk.raw'),
                               owner=test_import_glance.OWNER)
        image_id = import_flow.image_id_of(task)
        # The lost worker had created the image (queued, no data yet).
        status, _, _ = self.request('/v2/images', method='POST', body={
            'id': image_id, 'name': 'lost', 'disk_format': 'raw',
            'container_format': 'bare'})
        self.assertEqual(201, status)
        self.assertEqual([image_id], [image['id'] for image in self.images()])
        worker = runner.Worker(worker_id='survivor', registry=self.registry)

        self.assertEqual(1, worker.run_once())

        task = db_api.get_instance().task_get(
            task_context.get_admin_context(), task['id'])
        self.assertEqual(('failure', runner.LOST),
                         (task['status'], task['message']))
        self.assertEqual([], self.images())
