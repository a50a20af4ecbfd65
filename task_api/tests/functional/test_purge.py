"""task-api-manage db purge, run as operators run it, on every backend.

The large test purges 100,000 expired tasks in batches while threads keep
calling show and list through the paste pipeline on the same database, and
checks that none of those calls waited for the purge.
"""

import datetime
import logging
import os
import re
import threading
import time

import fixtures
from oslo_db.sqlalchemy import enginefacade
from oslo_db.sqlalchemy import test_fixtures
from oslo_utils import timeutils
import sqlalchemy as sa
import testtools
import webtest

from task_api.api import pipeline
from task_api.db import migration
from task_api.db.sqlalchemy import api as sqla_api
from task_api.db.sqlalchemy import models
from task_api.tests import base
from task_api.tests import fixtures as task_fixtures
from task_api.tests.functional import test_manage
from task_api.tests.unit.db import test_purge

DAY = datetime.timedelta(days=1)

PURGED_LINE = re.compile(
    r'^Purged (\d+) tasks \(and their task_info rows\) expired or deleted '
    r'before (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)Z\n$')

# NOTE: noauth mode answers loopback peers only.
LOCAL_PEER = {'REMOTE_ADDR': '127.0.0.1'}


class PurgeMixin(test_manage.ManageMixin):
    """Runs ``db purge`` and reads what it printed."""

    def purge(self, *args):
        """Run ``db purge``; return (tasks purged, cutoff printed)."""
        out = self.assertSucceeds('db', 'purge', *args)
        match = PURGED_LINE.match(out)
        self.assertIsNotNone(match, out)
        cutoff = datetime.datetime.fromisoformat(match.group(2))
        return int(match.group(1)), cutoff


class PurgeCommandTests(PurgeMixin, test_purge.TaskRows):
    """``db purge`` on a database ``db sync`` created.

    Subclasses set ``self.config_file`` and ``self.engine``, of an empty
    database, in setUp.
    """

    def sync_and_insert_mix(self):
        self.assertSucceeds('db', 'sync')
        self.use_engine(self.engine)
        return self.insert_mix()

    def test_purge_with_the_defaults(self):
        purged, kept = self.sync_and_insert_mix()

        count, cutoff = self.purge()

        self.assertEqual(len(purged), count)
        # 30 days before the command ran, which is after self.now.
        self.assertLessEqual(self.cutoff, cutoff)
        self.assertLess(cutoff - self.cutoff, datetime.timedelta(minutes=5))
        self.assertRemaining(kept)

        self.assertEqual(0, self.purge()[0])
        self.assertRemaining(kept)

    def test_purge_one_task_per_batch(self):
        purged, kept = self.sync_and_insert_mix()
        self.assertEqual(len(purged), self.purge('--max-rows', '1')[0])
        self.assertRemaining(kept)

    def test_purge_at_age_zero(self):
        purged, kept = self.sync_and_insert_mix()

        count, cutoff = self.purge('--age-in-days', '0', '--max-rows', '2')

        self.assertEqual(len(purged) + 3, count)
        self.assertLess(cutoff - self.now, datetime.timedelta(minutes=5))
        self.assertEqual({test_purge.task_id(n) for n in (13, 14, 15, 16)},
                         self.ids(models.Task.__table__))

    def test_purge_by_age(self):
        self.assertSucceeds('db', 'sync')
        self.use_engine(self.engine)
        for days in (5, 10, 20):
            self._insert(days, status='success',
                         expires_at=self.now - days * DAY - DAY / 2)
        self.assertEqual(1, self.purge('--age-in-days', '15')[0])
        self.assertEqual(1, self.purge('--age-in-days', '7')[0])
        self.assertEqual([test_purge.task_id(5)],
                         list(self.ids(models.Task.__table__)))

    def test_purge_with_an_age_beyond_the_year_1(self):
        _purged, kept = self.sync_and_insert_mix()
        for age in ('800000', '999999999999'):
            self.assertEqual((0, datetime.datetime.min),
                             self.purge('--age-in-days', age))
        self.assertEqual(14, len(self.ids(models.Task.__table__)))

    def test_purge_before_sync_fails(self):
        line = self.assertFailsWithOneLine('db', 'purge')
        self.assertIn('has no task_api schema', line)
        self.assertIn('task-api-manage db sync', line)


class TestPurgeCommandSQLite(PurgeCommandTests, base.TestCase):
    """The embedded default: a SQLite file under $state_path."""

    def setUp(self):
        super().setUp()
        state_path = os.path.join(self.tempdir, 'state')
        self.config_file = self.write_config(
            DEFAULT={'state_path': state_path})
        self.engine = sa.create_engine(
            'sqlite:///' + os.path.join(state_path, 'task_api.sqlite'))
        self.addCleanup(self.engine.dispose)


class ServerPurgeCommandTests(test_manage.ServerDatabaseMixin,
                              PurgeCommandTests):
    """On a database provisioned for the test on a server."""


class TestPurgeCommandPostgreSQL(ServerPurgeCommandTests, base.DbTestCase):
    """db purge on PostgreSQL."""

    FIXTURE = task_fixtures.EmptyPostgreSQLDatabase


class TestPurgeCommandMySQL(ServerPurgeCommandTests, base.DbTestCase):
    """db purge on MariaDB."""

    FIXTURE = task_fixtures.EmptyMySQLDatabase


class TestPurgeCommandErrors(test_manage.UnreachableDatabaseTests,
                             PurgeMixin, base.TestCase):
    """Bad arguments and unreachable databases: one line, no traceback."""

    COMMANDS = (('db', 'purge'),)

    def setUp(self):
        super().setUp()
        self.config_file = self.write_config(
            DEFAULT={'state_path': os.path.join(self.tempdir, 'state')})

    def test_invalid_arguments(self):
        for args, expected in [
                (('--age-in-days', '-1'), '--age-in-days: must be an '
                                          "integer of at least 0, not '-1'"),
                (('--max-rows', '0'), '--max-rows: must be an integer of '
                                      "at least 1, not '0'"),
                (('--max-rows', '10k'), "not '10k'"),
                (('--age-in-days', 'thirty'), "not 'thirty'")]:
            status, out, err = self.manage('db', 'purge', *args)
            self.assertEqual((2, ''), (status, out), err)
            self.assertEqual(1, len(err.splitlines()), err)
            self.assertIn(expected, err)
            self.assertTrue(err.startswith('task-api-manage: '), err)
        self.assertFalse(os.path.exists(os.path.join(self.tempdir, 'state')))


class SQLiteFileDatabase(fixtures.Fixture):
    """Point task_api's DB API at a new SQLite file, in WAL mode."""

    def _setUp(self):
        directory = self.useFixture(fixtures.TempDir()).path
        self.url = 'sqlite:///' + os.path.join(directory, 'task_api.sqlite')
        facade = enginefacade.transaction_context()
        facade.configure(connection=self.url)
        self.useFixture(test_fixtures.ReplaceEngineFacadeFixture(
            sqla_api.main_context_manager, facade))
        self.addCleanup(lambda: sqla_api.get_engine().dispose())


class LargePurgeTests(PurgeMixin):
    """100,000 expired tasks purged while show and list keep answering.

    Subclasses set ``self.engine`` (an empty database) and
    ``self.config_file`` (naming the same database) in setUp; the API runs
    in this process on task_api's engine, which must be ``self.engine``.
    """

    EXPIRED = 100000
    LIVE = 30
    CHUNK = 5000
    BATCH = 1000
    CLIENTS = 2

    def _bulk_insert_expired(self, now):
        tasks = models.Task.__table__
        task_info = models.TaskInfo.__table__
        owners = (test_purge.OWNER, test_purge.OTHER, 'c' * 32)
        for start in range(0, self.EXPIRED, self.CHUNK):
            task_rows = []
            info_rows = []
            for number in range(start, min(start + self.CHUNK,
                                           self.EXPIRED)):
                task_id = 'eeeeeeee-0000-4000-8000-%012d' % number
                expires_at = now - 31 * DAY - datetime.timedelta(
                    seconds=number)
                task_rows.append({
                    'id': task_id, 'type': 'import', 'status': 'success',
                    'owner': owners[number % len(owners)],
                    'expires_at': expires_at,
                    'created_at': expires_at - 2 * DAY,
                    'updated_at': expires_at, 'deleted_at': None,
                    'deleted': False, 'image_id': None,
                    'request_id': None, 'user_id': 'u1'})
                info_rows.append({
                    'task_id': task_id,
                    'input': {'import_from': 'http://example.com/%d.qcow2'
                                             % number},
                    'result': {'image_id': task_id}, 'message': ''})
            with self.engine.begin() as connection:
                connection.execute(sa.insert(tasks), task_rows)
                connection.execute(sa.insert(task_info), info_rows)

    def _insert_kept(self, now):
        """Live tasks, and tasks expired or deleted too recently."""
        live = []
        for number in range(self.LIVE):
            status, expires_at = [('pending', None), ('processing', None),
                                  ('success', now + 2 * DAY)][number % 3]
            live.append(base.insert_task_rows(
                self.engine, id='11111111-0000-4000-8000-%012d' % number,
                owner=test_purge.OWNER, status=status,
                expires_at=expires_at,
                created_at=now - datetime.timedelta(minutes=number),
                updated_at=now)['id'])
        recent = []
        for number in range(4):
            recent.append(base.insert_task_rows(
                self.engine, id='22222222-0000-4000-8000-%012d' % number,
                status='success', expires_at=now - DAY,
                deleted=bool(number % 2),
                deleted_at=now - DAY if number % 2 else None,
                created_at=now - 3 * DAY, updated_at=now - DAY)['id'])
        return live, recent

    def _count(self, table):
        with self.engine.connect() as connection:
            return connection.execute(
                sa.select(sa.func.count()).select_from(table)).scalar()

    def _client(self, wsgi_app, live, stop, calls, errors):
        client = webtest.TestApp(wsgi_app, extra_environ=LOCAL_PEER)
        number = 0
        try:
            while not stop.is_set():
                # NOTE: the oldest first, a list walks past the expired
                # tasks the purge is deleting before it finds live ones.
                path = ['/v2/tasks/' + live[number % len(live)],
                        '/v2/tasks', '/v2/tasks?sort_dir=asc'][number % 3]
                started = time.monotonic()
                response = client.get(path, expect_errors=True)
                ended = time.monotonic()
                if response.status_int != 200:
                    shown = response.text
                elif path.startswith('/v2/tasks?') or path == '/v2/tasks':
                    shown = len(response.json['tasks'])
                else:
                    shown = response.json['id'] == live[number % len(live)]
                calls.append((path, started, ended, response.status_int,
                              shown))
                number += 1
                # A busy API rather than a benchmark: leave the purge some
                # of the CPU.
                stop.wait(0.01)
        except Exception as error:
            errors.append(error)

    def _monitor(self, stop, samples, errors):
        try:
            while not stop.is_set():
                samples.append((time.monotonic(),
                                self._count(models.Task.__table__)))
                stop.wait(0.1)
        except Exception as error:
            errors.append(error)

    def test_purge_100000_expired_tasks_while_the_api_serves(self):
        # NOTE: thousands of requests log at DEBUG; formatting that would
        # take the CPU from the calls being timed.
        self.useFixture(fixtures.FakeLogger(level=logging.WARNING))
        timings = {}
        started = time.monotonic()
        migration.upgrade(engine=self.engine)
        now = timeutils.utcnow().replace(microsecond=0)
        live, recent = self._insert_kept(now)
        self._bulk_insert_expired(now)
        kept_count = len(live) + len(recent)
        total = self.EXPIRED + kept_count
        self.assertEqual(total, self._count(models.Task.__table__))
        self.assertEqual(total, self._count(models.TaskInfo.__table__))
        timings['insert'] = time.monotonic() - started

        self.config(auth_mode='noauth', group='api')
        wsgi_app = pipeline.load_app()
        # Warm up: the first calls open connections and fill caches.
        client = webtest.TestApp(wsgi_app, extra_environ=LOCAL_PEER)
        for path in ('/v2/tasks/' + live[0], '/v2/tasks',
                     '/v2/tasks?sort_dir=asc'):
            client.get(path)
        stop = threading.Event()
        calls, samples, errors = [], [], []
        threads = [threading.Thread(target=self._client,
                                    args=(wsgi_app, live, stop, calls,
                                          errors))
                   for _ in range(self.CLIENTS)]
        threads.append(threading.Thread(target=self._monitor,
                                        args=(stop, samples, errors)))
        for thread in threads:
            thread.start()
        try:
            started = time.monotonic()
            count, _cutoff = self.purge('--max-rows', str(self.BATCH))
            timings['purge'] = time.monotonic() - started
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=30)
        self.assertEqual([], errors)

        # Everything expired long ago went, from both tables; the rest
        # stayed.
        self.assertEqual(self.EXPIRED, count)
        kept = set(live + recent)
        with self.engine.connect() as connection:
            self.assertEqual(kept, set(connection.execute(
                sa.select(models.Task.id)).scalars()))
            self.assertEqual(kept, set(connection.execute(
                sa.select(models.TaskInfo.task_id)).scalars()))

        # Calls made while the purge was under way: after some batches had
        # gone and before the last.
        begun = min((when for when, rows in samples if rows < total),
                    default=float('inf'))
        ended = max((when for when, rows in samples if rows > kept_count),
                    default=float('-inf'))
        during = [call for call in calls
                  if call[1] >= begun and call[2] <= ended]
        durations = sorted(call[2] - call[1] for call in calls)
        # NOTE: how long the calls took is reported, not asserted: a busy
        # machine slows them as much as a purge that holds them would. The
        # benchmark (tox -e bench) measures latency.
        timings.update(
            calls=len(calls), calls_during_purge=len(during),
            slowest=durations[-1], median=durations[len(durations) // 2],
            slowest_during_purge=max(
                (call[2] - call[1] for call in during), default=0),
            counts_seen=len({rows for _when, rows in samples}),
            deleting=ended - begun,
            slowest_calls=sorted(
                ((round(call[2] - call[1], 3), call[0]) for call in calls),
                reverse=True)[:3])
        self.addDetail('timings', testtools.content.text_content(
            ', '.join('%s=%s' % (key, round(value, 3)
                                 if isinstance(value, float) else value)
                      for key, value in sorted(timings.items()))))

        self.assertGreaterEqual(len(during), 10, timings)
        self.assertEqual([], [call for call in calls if call[3] != 200])
        lists = [call for call in calls if '/v2/tasks/' not in call[0]]
        shows = [call for call in calls if '/v2/tasks/' in call[0]]
        self.assertEqual({25}, {call[4] for call in lists})
        self.assertEqual({True}, {call[4] for call in shows})
        self.assertEqual({'/v2/tasks', '/v2/tasks?sort_dir=asc'},
                         {call[0] for call in during
                          if '/v2/tasks/' not in call[0]})


class TestLargePurgeSQLite(LargePurgeTests, base.TestCase):
    """A SQLite file in WAL mode: readers do not wait for the writer."""

    def setUp(self):
        super().setUp()
        database = self.useFixture(SQLiteFileDatabase())
        self.engine = sqla_api.get_engine()
        self.config_file = self.write_config(
            database={'connection': database.url})


class ServerLargePurgeTests(test_manage.ServerDatabaseMixin,
                            LargePurgeTests):
    """On a database provisioned for the test on a server."""


class TestLargePurgePostgreSQL(ServerLargePurgeTests, base.DbTestCase):
    """On PostgreSQL."""

    FIXTURE = task_fixtures.EmptyPostgreSQLDatabase


class TestLargePurgeMySQL(ServerLargePurgeTests, base.DbTestCase):
    """On MariaDB, whose InnoDB reads do not wait for row locks."""

    FIXTURE = task_fixtures.EmptyMySQLDatabase
