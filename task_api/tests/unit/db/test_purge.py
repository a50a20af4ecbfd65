"""Purging tasks: the DB API's task_purge and the batches of db purge.

PurgeTests runs here on SQLite; the functional tests rerun it on
PostgreSQL and MariaDB.
"""

import argparse
import datetime
import io

import fixtures
from oslo_utils import timeutils
import sqlalchemy as sa

from task_api.cmd import manage
from task_api.db.sqlalchemy import api as sqla_api
from task_api.db.sqlalchemy import models
from task_api import exception
from task_api.tests import base

OWNER = 'aaaaaaaa-1111-4111-8111-aaaaaaaaaaaa'
OTHER = 'bbbbbbbb-2222-4222-8222-bbbbbbbbbbbb'

DAY = datetime.timedelta(days=1)


def task_id(number):
    return '00000000-0000-4000-8000-%012d' % number


class TaskRows:
    """Tasks of every kind a purge meets, written with SQL.

    Call :meth:`use_engine` before the other methods.
    """

    def use_engine(self, engine):
        self.engine = engine
        # NOTE: whole seconds, as MySQL and MariaDB keep them.
        self.now = timeutils.utcnow().replace(microsecond=0)
        #: the cutoff of a purge of the default age, 30 days
        self.cutoff = self.now - 30 * DAY

    def _insert(self, number, with_info=True, **kw):
        values = {'id': task_id(number), 'owner': OWNER,
                  'created_at': self.now - 60 * DAY,
                  'updated_at': self.now - 60 * DAY}
        values.update(kw)
        if with_info:
            return base.insert_task_rows(self.engine, **values)['id']
        values = base.get_test_task(**values)
        for key in ('input', 'result', 'message'):
            del values[key]
        with self.engine.begin() as connection:
            connection.execute(sa.insert(models.Task.__table__), values)
        return values['id']

    def insert_mix(self):
        """One task of each kind; returns (ids to purge, ids to keep).

        A purge at the default age removes the first, and leaves the
        second; one at age 0 leaves only tasks 13 to 16.
        """
        old = self.cutoff - DAY
        recent = self.cutoff + DAY
        future = self.now + 2 * DAY
        purged = [
            self._insert(1, status='success', expires_at=old),
            self._insert(2, status='failure', expires_at=old, owner=OTHER),
            self._insert(3, deleted=True, deleted_at=old),
            # soft-deleted long ago, although its expiry is still ahead
            self._insert(4, status='success', expires_at=future,
                         deleted=True, deleted_at=old),
            # expired long ago, soft-deleted recently
            self._insert(5, status='success', expires_at=old,
                         deleted=True, deleted_at=recent),
            self._insert(6, with_info=False, status='success',
                         expires_at=old),
            self._insert(7, status='success', expires_at=self.cutoff
                         - datetime.timedelta(seconds=1)),
        ]
        kept = [
            self._insert(11, status='success', expires_at=recent),
            self._insert(12, deleted=True, deleted_at=recent),
            self._insert(13, status='success', expires_at=future),
            self._insert(14, status='pending'),
            self._insert(15, status='processing', owner=OTHER),
            self._insert(16, with_info=False, status='pending'),
            self._insert(17, status='success', expires_at=future,
                         deleted=True, deleted_at=recent),
        ]
        return purged, kept

    def ids(self, table):
        column = table.c.id if table.name == 'tasks' else table.c.task_id
        with self.engine.connect() as connection:
            return set(connection.execute(sa.select(column)).scalars())

    def assertRemaining(self, kept):
        """Exactly the tasks ``kept`` are left, in both tables."""
        self.assertEqual(set(kept), self.ids(models.Task.__table__))
        self.assertEqual(set(kept) - {task_id(6), task_id(16)},
                         self.ids(models.TaskInfo.__table__))


class PurgeTests(TaskRows):
    """task_purge and purge_tasks on every backend; mixed into DbTestCase."""

    def setUp(self):
        super().setUp()
        self.use_engine(sqla_api.get_engine())

    def test_task_purge_deletes_expired_and_deleted_tasks_only(self):
        purged, kept = self.insert_mix()

        deleted = self.dbapi.task_purge(self.admin_context, self.cutoff, 100)

        self.assertEqual(len(purged), deleted)
        self.assertRemaining(kept)

    def test_task_purge_deletes_one_batch_per_call(self):
        purged, kept = self.insert_mix()
        before = self.ids(models.Task.__table__)

        counts = []
        for _ in range(4):
            counts.append(self.dbapi.task_purge(self.admin_context,
                                                self.cutoff, 3))
            # Each batch takes its task_info rows along.
            tasks = self.ids(models.Task.__table__)
            self.assertEqual(set(), self.ids(models.TaskInfo.__table__)
                             - tasks)
            self.assertEqual(sum(counts), len(before - tasks))

        self.assertEqual([3, 3, 1, 0], counts)
        self.assertRemaining(kept)

    def test_task_purge_exact_batches_end_with_an_empty_one(self):
        for number in range(6):
            self._insert(number, status='success',
                         expires_at=self.cutoff - DAY)
        counts = [self.dbapi.task_purge(self.admin_context, self.cutoff, 3)
                  for _ in range(3)]
        self.assertEqual([3, 3, 0], counts)
        self.assertEqual(set(), self.ids(models.Task.__table__))

    def test_task_purge_when_nothing_is_eligible(self):
        _purged, kept = self.insert_mix()
        deleted = self.dbapi.task_purge(self.admin_context,
                                        self.cutoff - 10 * DAY, 100)
        self.assertEqual(0, deleted)
        self.assertEqual(14, len(self.ids(models.Task.__table__)))

    def test_task_purge_on_an_empty_database(self):
        self.assertEqual(0, self.dbapi.task_purge(self.admin_context,
                                                  self.cutoff, 1000))

    def test_purge_tasks_runs_batches_until_none_is_left(self):
        purged, kept = self.insert_mix()
        calls = []
        real_purge = self.dbapi.task_purge

        def counting_purge(context, older_than, max_rows):
            calls.append((older_than, max_rows))
            return real_purge(context, older_than, max_rows)

        self.useFixture(fixtures.MockPatchObject(
            self.dbapi, 'task_purge', side_effect=counting_purge))

        self.assertEqual(len(purged),
                         manage.purge_tasks(self.cutoff, 2, self.dbapi))
        self.assertEqual([(self.cutoff, 2)] * 4, calls)
        self.assertRemaining(kept)

    def test_purge_tasks_with_a_batch_larger_than_the_backlog(self):
        purged, kept = self.insert_mix()
        self.assertEqual(len(purged), manage.purge_tasks(self.cutoff, 1000))
        self.assertRemaining(kept)
        self.assertEqual(0, manage.purge_tasks(self.cutoff, 1000))

    def test_purge_tasks_at_age_zero_takes_the_recent_ones_too(self):
        purged, kept = self.insert_mix()
        self.assertEqual(len(purged) + 3,
                         manage.purge_tasks(self.now, 1))
        self.assertEqual({task_id(13), task_id(14), task_id(15),
                          task_id(16)}, self.ids(models.Task.__table__))

    def test_purge_batches_yields_each_batch(self):
        self.insert_mix()
        self.assertEqual([3, 3, 1],
                         list(manage.purge_batches(self.cutoff, 3)))

    def test_purge_tasks_refuses_an_empty_batch(self):
        # A batch of 0 would never come back short: the loop would not end.
        self.assertRaises(exception.Invalid, manage.purge_tasks,
                          self.cutoff, 0)


class TestPurgeSQLite(PurgeTests, base.DbTestCase):
    """Purging on SQLite."""


class TestPurgeCutoff(base.TestCase):

    def test_cutoff_is_whole_seconds_days_before_now(self):
        now = datetime.datetime(2026, 11, 29, 12, 0, 5, 999999)
        self.assertEqual(datetime.datetime(2026, 10, 30, 12, 0, 5),
                         manage.purge_cutoff(30, now=now))
        self.assertEqual(datetime.datetime(2026, 11, 29, 12, 0, 5),
                         manage.purge_cutoff(0, now=now))

    def test_cutoff_before_the_year_1_is_the_year_1(self):
        self.assertEqual(datetime.datetime.min,
                         manage.purge_cutoff(10 ** 6))
        self.assertEqual(datetime.datetime.min,
                         manage.purge_cutoff(10 ** 10))

    def test_cutoff_defaults_to_now(self):
        before = timeutils.utcnow().replace(microsecond=0)
        cutoff = manage.purge_cutoff(1)
        self.assertLessEqual(before - DAY, cutoff)
        self.assertGreaterEqual(timeutils.utcnow() - DAY, cutoff)


class TestPurgeArguments(base.TestCase):
    """The arguments of ``db purge``, parsed as task-api-manage does."""

    def setUp(self):
        super().setUp()
        self.stderr = io.StringIO()
        self.useFixture(fixtures.MonkeyPatch('sys.stderr', self.stderr))
        self.parser = argparse.ArgumentParser(prog=manage.PROG)
        manage.add_command_parsers(
            self.parser.add_subparsers(dest='category'))

    def parse(self, *args):
        return self.parser.parse_args(['db', 'purge'] + list(args))

    def test_defaults(self):
        args = self.parse()
        self.assertEqual(30, args.age_in_days)
        self.assertEqual(1000, args.max_rows)
        self.assertEqual('purge', args.action_fn.__name__)

    def test_values(self):
        args = self.parse('--age-in-days', '0', '--max-rows', '1')
        self.assertEqual((0, 1), (args.age_in_days, args.max_rows))
        args = self.parse('--age-in-days=365', '--max-rows=50000')
        self.assertEqual((365, 50000), (args.age_in_days, args.max_rows))

    def test_invalid_values_are_one_line_errors(self):
        cases = [
            (('--age-in-days', '-1'), "--age-in-days: must be an integer "
                                      "of at least 0, not '-1'"),
            (('--age-in-days', '1.5'), "not '1.5'"),
            (('--age-in-days', ''), "--age-in-days: must be an integer"),
            (('--max-rows', '0'), "--max-rows: must be an integer of at "
                                  "least 1, not '0'"),
            (('--max-rows', '-3'), "not '-3'"),
            (('--max-rows', 'many'), "--max-rows: must be an integer of "
                                     "at least 1, not 'many'"),
            (('--max-rows',), '--max-rows: expected one argument'),
        ]
        for args, expected in cases:
            self.stderr.seek(0)
            self.stderr.truncate()
            error = self.assertRaises(SystemExit, self.parse, *args)
            self.assertEqual(2, error.code, args)
            lines = self.stderr.getvalue().splitlines()
            self.assertEqual(1, len(lines), lines)
            self.assertTrue(lines[0].startswith('task-api-manage: '),
                            lines[0])
            self.assertIn(expected, lines[0])
            self.assertIn('task-api-manage db purge --help', lines[0])
