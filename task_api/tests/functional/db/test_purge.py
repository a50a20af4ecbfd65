"""task_purge and the purge batches on PostgreSQL and MySQL/MariaDB."""

import threading
import time

import sqlalchemy as sa

from task_api.db.sqlalchemy import models
from task_api.tests import base
from task_api.tests import fixtures
from task_api.tests.unit.db import test_purge


class ConcurrentPurgeTests(test_purge.PurgeTests):
    """Two purges at once, which a server's row locks make possible."""

    #: counts the sessions of the test database whose purge waits for the
    #: other purge's row locks
    WAITING_SQL = None

    def _wait_for_a_lock_wait(self):
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with self.engine.connect() as connection:
                if connection.exec_driver_sql(self.WAITING_SQL).scalar():
                    return
            time.sleep(0.05)
        self.fail('task_purge never waited for the other purge')

    def test_task_purge_counts_only_the_tasks_it_deleted(self):
        ids = [self._insert(number, status='success',
                            expires_at=self.cutoff - test_purge.DAY)
               for number in range(3)]
        # Another purge deleted the same tasks and has not committed yet.
        other = self.engine.connect()
        self.addCleanup(other.close)
        transaction = other.begin()
        other.execute(sa.delete(models.TaskInfo.__table__)
                      .where(models.TaskInfo.task_id.in_(ids)))
        other.execute(sa.delete(models.Task.__table__)
                      .where(models.Task.id.in_(ids)))
        counts = []
        purge = threading.Thread(target=lambda: counts.append(
            self.dbapi.task_purge(self.admin_context, self.cutoff, 10)))
        purge.start()
        try:
            self._wait_for_a_lock_wait()
        finally:
            transaction.commit()
            purge.join(timeout=60)

        self.assertEqual(set(), self.ids(models.Task.__table__))
        # The other purge deleted them all: this one deleted none.
        self.assertEqual([0], counts)


class TestPurgePostgreSQL(ConcurrentPurgeTests, base.DbTestCase):
    """Purging on PostgreSQL."""

    FIXTURE = fixtures.PostgreSQLDatabase
    WAITING_SQL = ("SELECT count(*) FROM pg_stat_activity "
                   "WHERE datname = current_database() "
                   "AND wait_event_type = 'Lock'")


class TestPurgeMySQL(ConcurrentPurgeTests, base.DbTestCase):
    """Purging on MariaDB (whole-second timestamps)."""

    FIXTURE = fixtures.MySQLDatabase
    # NOTE: MariaDB's innodb_trx reports the waiting transaction as
    # RUNNING; its statement in the process list tells instead.
    WAITING_SQL = ("SELECT count(*) FROM information_schema.processlist "
                   "WHERE db = DATABASE() "
                   "AND info LIKE 'DELETE FROM task_info%%'")
