"""Reads of the embedded SQLite file: pooled connections, WAL set once.

A show or a list does not open the file anew, nor check its journal mode,
at each request; the reads still see every committed write at once and
never wait for a writer.
"""

import os
import sqlite3

from oslo_db.sqlalchemy import enginefacade
from oslo_db.sqlalchemy import test_fixtures
import sqlalchemy as sa

from task_api import context
from task_api.db import api as db_api
from task_api.db.sqlalchemy import api as sqla_api
from task_api.db.sqlalchemy import engines
from task_api.db.sqlalchemy import models
from task_api.tests import base

READS = 20


class TestSQLiteFileReads(base.TestCase):

    def setUp(self):
        super().setUp()
        directory = self.useFixture(base.fixtures.TempDir()).path
        self.path = os.path.join(directory, 'task_api.sqlite')
        engine = sa.create_engine('sqlite:///' + self.path)
        models.Base.metadata.create_all(engine)
        engine.dispose()
        facade = enginefacade.transaction_context()
        facade.configure(connection='sqlite:///' + self.path, max_retries=0)
        self.useFixture(test_fixtures.ReplaceEngineFacadeFixture(
            sqla_api.main_context_manager, facade))
        self.addCleanup(lambda: sqla_api.get_engine().dispose())
        self.dbapi = db_api.get_instance()
        self.admin = context.get_admin_context()
        # NOTE: every SQLite connection the process opens, and the
        # statements each runs, task_api's own included.
        self.connections = []
        sa.event.listen(sa.engine.Engine, 'connect', self._traced)
        self.addCleanup(sa.event.remove, sa.engine.Engine, 'connect',
                        self._traced)

    def _traced(self, dbapi_connection, connection_record):
        statements = []
        self.connections.append(statements)
        dbapi_connection.set_trace_callback(statements.append)

    def statements(self, prefix):
        return [statement for statements in self.connections
                for statement in statements
                if statement.upper().startswith(prefix)]

    def create(self, number):
        return self.dbapi.task_create(self.admin, base.get_test_task(
            id='00000000-0000-4000-8000-%012d' % number, status='pending'))

    def test_reads_reuse_their_connections_and_set_wal_once(self):
        ids = []
        for number in range(READS):
            ids.append(self.create(number)['id'])
            # Each write is seen by the next read, at once.
            self.assertEqual(ids[-1], self.dbapi.task_get(
                self.admin, ids[-1])['id'])
            self.assertEqual(sorted(ids), sorted(
                task['id'] for task in self.dbapi.task_get_all(
                    self.admin, limit=100)))
        reads = [statements for statements in self.connections
                 if not any(statement.startswith('INSERT')
                            for statement in statements)]
        # One connection serves the reads of this one thread.
        self.assertEqual(1, len(reads))
        self.assertEqual(2 * READS, len([
            statement for statement in reads[0]
            if statement.startswith('SELECT')]))
        # The journal mode was checked by the first connection of each
        # engine (the enginefacade's, the reads'), and it is WAL.
        self.assertEqual(2, len(self.statements('PRAGMA JOURNAL_MODE')))
        with sqlite3.connect(self.path) as raw:
            self.assertEqual('wal', raw.execute(
                'PRAGMA journal_mode').fetchone()[0])

    def test_a_closed_connection_is_replaced_without_an_error(self):
        task = self.create(1)
        self.assertEqual(task['id'], self.dbapi.task_get(
            self.admin, task['id'])['id'])
        logs = self.useFixture(base.fixtures.FakeLogger(
            name='task_api.db.sqlalchemy.engines'))
        # The pooled connection of the reads is closed under the pool,
        # as a connection the driver lost would be.
        reads = engines._SQLITE_FILE_READS.get(sqla_api.get_engine())
        pooled = reads.raw_connection()
        driver = pooled.dbapi_connection
        pooled.close()
        driver.close()
        opened = len(self.connections)

        self.assertEqual(task, self.dbapi.task_get(self.admin, task['id']))
        self.assertEqual(task, self.dbapi.task_get(self.admin, task['id']))
        self.assertEqual([task['id']], [
            row['id'] for row in self.dbapi.task_get_all(self.admin)])
        # One new connection replaced the closed one, for good.
        self.assertEqual(opened + 1, len(self.connections))
        self.assertIn('A pooled SQLite connection was closed; the read '
                      'runs again on a new one.', logs.output)

    def test_reads_do_not_wait_for_a_writer(self):
        task = self.create(1)
        self.assertEqual(1, len(self.dbapi.task_get_all(self.admin)))
        writer = sqlite3.connect(self.path, timeout=0, isolation_level=None)
        self.addCleanup(writer.close)
        writer.execute('BEGIN IMMEDIATE')
        writer.execute("UPDATE tasks SET status = 'failure'")
        try:
            # The writer holds the file's write lock: reads answer at
            # once, with the last committed rows.
            self.assertEqual('pending', self.dbapi.task_get(
                self.admin, task['id'])['status'])
            self.assertEqual(['pending'], [
                row['status'] for row in self.dbapi.task_get_all(
                    self.admin)])
        finally:
            writer.execute('COMMIT')
        self.assertEqual('failure', self.dbapi.task_get(
            self.admin, task['id'])['status'])

    def test_first_connection_while_another_program_writes(self):
        # NOTE: a file another program (glance-api, with task_api inside
        # it) was writing when task_api first connected: the switch to WAL
        # cannot happen then; the reads answer all the same, and a later
        # connection makes the switch.
        rows = sa.create_engine('sqlite:///' + self.path)
        with rows.begin() as connection:
            connection.execute(sa.insert(models.Task), [dict(
                id='00000000-0000-4000-8000-000000000001', type='import',
                status='pending', owner='p', deleted=False)])
        rows.dispose()
        writer = sqlite3.connect(self.path, timeout=0, isolation_level=None)
        self.addCleanup(writer.close)
        writer.execute('BEGIN IMMEDIATE')
        writer.execute("UPDATE tasks SET status = 'failure'")
        try:
            self.assertEqual(['pending'], [
                row['status'] for row in self.dbapi.task_get_all(
                    self.admin)])
            self.assertEqual('delete', writer.execute(
                'PRAGMA journal_mode').fetchone()[0])
        finally:
            writer.execute('COMMIT')
        # The write's connection, the first of the other engine, switches.
        self.create(2)
        self.assertEqual(['failure', 'pending'], sorted(
            row['status'] for row in self.dbapi.task_get_all(self.admin)))
        with sqlite3.connect(self.path) as raw:
            self.assertEqual('wal', raw.execute(
                'PRAGMA journal_mode').fetchone()[0])
