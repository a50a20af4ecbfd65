"""task_claim, task_claim_renew and task_claim_release on every backend."""

import datetime

from oslo_utils import timeutils
from oslo_utils import uuidutils
import sqlalchemy as sa

from task_api.db.sqlalchemy import api as sqla_api
from task_api.db.sqlalchemy import models
from task_api.tests import base
from task_api.tests import fixtures

CLAIMS = models.Claim.__table__


def claim_rows(engine=None):
    """task id -> (worker id, attempts) of every claim row."""
    engine = engine or sqla_api.get_engine()
    with engine.connect() as connection:
        rows = connection.execute(sa.select(
            CLAIMS.c.task_id, CLAIMS.c.worker_id, CLAIMS.c.attempts)).all()
    return {task_id: (worker_id, attempts)
            for task_id, worker_id, attempts in rows}


class ClaimTests:
    """The claim rows of the tasks task_api creates; mixed in per backend."""

    def create(self, **kw):
        kw.setdefault('id', uuidutils.generate_uuid())
        return base.create_test_task(**kw)['id']

    def expire(self, task_id):
        with sqla_api.get_engine().begin() as connection:
            connection.execute(
                CLAIMS.update().where(CLAIMS.c.task_id == task_id)
                .values(lease_expires_at=timeutils.utcnow()
                        - datetime.timedelta(seconds=1)))

    def test_task_create_writes_a_claim_row_for_a_pending_task(self):
        pending = self.create()
        self.create(status='success')

        self.assertEqual({pending: (None, 0)}, claim_rows())

    def test_only_tasks_task_api_created_are_claimed(self):
        # A task another program (Glance) wrote to the shared tables.
        base.insert_task_rows(sqla_api.get_engine(),
                              id=uuidutils.generate_uuid())
        own = self.create()

        claims = self.dbapi.task_claim(self.admin_context, 'w1', 10, 60)

        self.assertEqual([own], [claim['task_id'] for claim in claims])
        self.assertEqual(('w1', 1), (claims[0]['worker_id'],
                                     claims[0]['attempts']))
        self.assertEqual({own: ('w1', 1)}, claim_rows())

    def test_claims_oldest_first_up_to_the_limit_and_never_twice(self):
        now = timeutils.utcnow()
        ids = [self.create(created_at=now + datetime.timedelta(seconds=n))
               for n in range(3)]

        first = self.dbapi.task_claim(self.admin_context, 'w1', 2, 60)
        second = self.dbapi.task_claim(self.admin_context, 'w2', 2, 60)
        third = self.dbapi.task_claim(self.admin_context, 'w3', 2, 60)

        self.assertEqual(ids[:2], [claim['task_id'] for claim in first])
        self.assertEqual(ids[2:], [claim['task_id'] for claim in second])
        self.assertEqual([], third)

    def test_an_expired_lease_is_claimed_by_another_worker(self):
        task_id = self.create()
        self.dbapi.task_claim(self.admin_context, 'w1', 1, 60)
        self.expire(task_id)

        claims = self.dbapi.task_claim(self.admin_context, 'w2', 1, 60)

        self.assertEqual([(task_id, 'w2', 2)], [
            (claim['task_id'], claim['worker_id'], claim['attempts'])
            for claim in claims])
        # The first worker's lease is no longer its own.
        self.assertEqual(set(), self.dbapi.task_claim_renew(
            self.admin_context, 'w1', [task_id], 60))
        self.assertFalse(self.dbapi.task_claim_release(
            self.admin_context, 'w1', task_id))
        self.assertEqual({task_id: ('w2', 2)}, claim_rows())

    def test_renew_keeps_the_task_from_other_workers(self):
        task_id = self.create()
        self.dbapi.task_claim(self.admin_context, 'w1', 1, 1)
        self.expire(task_id)

        self.assertEqual({task_id}, self.dbapi.task_claim_renew(
            self.admin_context, 'w1', [task_id], 60))
        self.assertEqual([], self.dbapi.task_claim(
            self.admin_context, 'w2', 1, 60))

    def test_release_hands_back_or_removes(self):
        task_id = self.create()
        self.dbapi.task_claim(self.admin_context, 'w1', 1, 60)

        self.assertTrue(self.dbapi.task_claim_release(
            self.admin_context, 'w1', task_id, done=False))
        self.assertEqual({task_id: (None, 1)}, claim_rows())
        self.assertEqual([task_id], [
            claim['task_id'] for claim in
            self.dbapi.task_claim(self.admin_context, 'w2', 1, 60)])
        self.assertTrue(self.dbapi.task_claim_release(
            self.admin_context, 'w2', task_id))
        self.assertEqual({}, claim_rows())

    def test_purge_removes_the_claim_rows_of_purged_tasks(self):
        self.create(deleted=True, deleted_at=datetime.datetime(
            2020, 1, 1))

        self.assertEqual(1, self.dbapi.task_purge(
            self.admin_context, timeutils.utcnow(), 10))

        self.assertEqual({}, claim_rows())


class TestClaimsSQLite(ClaimTests, base.DbTestCase):
    """Claims on SQLite."""


class TestClaimsPostgreSQL(ClaimTests, base.DbTestCase):
    """Claims on PostgreSQL."""

    FIXTURE = fixtures.PostgreSQLDatabase


class TestClaimsMySQL(ClaimTests, base.DbTestCase):
    """Claims on MySQL/MariaDB."""

    FIXTURE = fixtures.MySQLDatabase
