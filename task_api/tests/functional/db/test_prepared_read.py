"""engines.PreparedRead: a read by id on the driver's cursor.

Its values must be those SQLAlchemy's own execution of the statement
gives, column by column, on every backend; a driver error must reach the
API as SQLAlchemy and oslo.db report it: a lost connection as
DBConnectionError, anything else as SQLAlchemy's wrapper of the driver's
error, without the statement's parameters.
"""

import datetime

from oslo_db import exception as db_exc
import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from task_api.db import errors
from task_api.db.sqlalchemy import api as sqla_api
from task_api.db.sqlalchemy import engines
from task_api.tests import base
from task_api.tests import fixtures as task_fixtures

TASK_ID = '5b9e2c71-8d4a-4f3e-a1c6-7e2d9f0b3a48'
SECRET = 'param-value-that-must-not-show'
_MISSING = sa.table('task_api_no_such_table', sa.column('id', sa.String))


class PreparedReadTests:

    def setUp(self):
        super().setUp()
        self.engine = sqla_api.get_engine()
        # NOTE: whole seconds: MySQL's DATETIME columns of Glance's
        # schema keep no fraction.
        self.values = base.insert_task_rows(
            self.engine, id=TASK_ID, status='failure', deleted=True,
            created_at=datetime.datetime(2026, 11, 30, 1, 2, 3),
            updated_at=datetime.datetime(2026, 12, 1, 2, 3, 4),
            deleted_at=datetime.datetime(2026, 12, 1, 2, 3, 4),
            expires_at=datetime.datetime(2026, 12, 2, 23, 59, 59),
            image_id='c3a1f0e2-9b7d-4c5e-8f6a-1d2b3c4e5f60',
            input={'import_from': 'https://user:pw@example.com/a.qcow2',
                   'nested': {'list': [1, 2.5, None, True], 'ü': 'ß'}},
            result={'image_id': 'c3a1f0e2-9b7d-4c5e-8f6a-1d2b3c4e5f60'},
            message='Fetched 1 MiB of 2 MiB \u2013 ünïcode')

    def test_values_are_sqlalchemys(self):
        params = {'task_id': TASK_ID, 'owner': None}
        with self.engine.connect() as connection:
            expected = tuple(connection.execute(
                sqla_api._GET_BY_ID.statement, params).first())
            row = sqla_api._GET_BY_ID.first(connection, params)

        self.assertEqual(expected, row)
        self.assertEqual([type(value) for value in expected],
                         [type(value) for value in row])
        self.assertEqual(
            dict(self.values, deleted=True),
            dict(zip(sqla_api._KEYS, row)))

    def test_missing_row_is_none(self):
        with self.engine.connect() as connection:
            self.assertIsNone(sqla_api._GET_BY_ID.first(
                connection, {'task_id': 'no-such-task', 'owner': None}))

    def test_driver_error_reads_as_oslo_dbs(self):
        statement = sa.select(_MISSING.c.id).where(
            _MISSING.c.id == sa.bindparam('secret', type_=sa.String))
        with self.engine.connect() as connection:
            # NOTE: oslo.db raises MySQL's 1146 as SQLAlchemy does.
            expected = self.assertRaises(
                (db_exc.DBError, sa_exc.DBAPIError), connection.execute,
                statement, {'secret': SECRET})
        with self.engine.connect() as connection:
            error = self.assertRaises(
                db_exc.DBError, engines.PreparedRead(statement).first,
                connection, {'secret': SECRET})

        self.assertIs(type(errors.driver_error(expected)),
                      type(errors.driver_error(error)))
        self.assertEqual(
            (True, False, False),
            (errors.is_missing_table(error), errors.is_unavailable(error),
             errors.is_refused_value(error)))
        self.assertNotIn(SECRET, str(error))


class TestPreparedReadSQLite(PreparedReadTests, base.DbTestCase):
    """On the in-memory SQLite database of the unit tests."""

    def test_binds_that_need_converting_are_refused(self):
        # NOTE: SQLite stores datetimes as strings, which SQLAlchemy's
        # bind processor writes; the driver's cursor is given values as
        # they are.
        statement = sa.select(sa.literal(1)).where(
            sa.bindparam('at', type_=sa.DateTime) > sa.func.now())
        with self.engine.connect() as connection:
            self.assertRaisesRegex(
                ValueError, 'bind parameter at needs a conversion',
                engines.PreparedRead(statement).first, connection,
                {'at': datetime.datetime(2026, 1, 1)})


class ServerTests(PreparedReadTests):

    def test_lost_connection_is_connection_error(self):
        with self.engine.connect() as connection:
            backend_id = connection.exec_driver_sql(self.BACKEND_ID).scalar()
            killer = sa.create_engine(self.engine.url,
                                      poolclass=sa.pool.NullPool)
            self.addCleanup(killer.dispose)
            with killer.connect() as other:
                other.exec_driver_sql(self.KILL % backend_id)
            self.assertRaises(
                db_exc.DBConnectionError, sqla_api._GET_BY_ID.first,
                connection, {'task_id': TASK_ID, 'owner': None})
            self.assertTrue(connection.invalidated)


class TestPreparedReadPostgreSQL(ServerTests, base.DbTestCase):
    FIXTURE = task_fixtures.PostgreSQLDatabase
    BACKEND_ID = 'SELECT pg_backend_pid()'
    KILL = 'SELECT pg_terminate_backend(%d)'


class TestPreparedReadMySQL(ServerTests, base.DbTestCase):
    FIXTURE = task_fixtures.MySQLDatabase
    BACKEND_ID = 'SELECT CONNECTION_ID()'
    KILL = 'KILL %d'
