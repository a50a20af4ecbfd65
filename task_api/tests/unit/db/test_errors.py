"""The classifier of database errors, on the drivers' real errors.

Each error is raised by a real database: through an engine oslo.db made
(its filters translate the error, as on task_api's engines) and through a
plain SQLAlchemy engine (untranslated). The functional tests run the
same on PostgreSQL and MariaDB.
"""

import socket

import fixtures
from oslo_db.sqlalchemy import engines
import sqlalchemy as sa

from task_api.db import errors
from task_api.db.sqlalchemy import api as sqla_api
from task_api.db.sqlalchemy import models
from task_api import exception
from task_api.tests import base

PREDICATES = ('is_unavailable', 'timed_out', 'is_refused_value',
              'is_sqlite_busy', 'is_missing_table')


def classes(error):
    """The predicates of the classifier that hold for ``error``."""
    return {name for name in PREDICATES if getattr(errors, name)(error)}


def raised(fn, *args):
    try:
        fn(*args)
    except Exception as error:
        return error
    raise AssertionError('%r raised nothing' % fn)


class ClassifierMixin:
    """Errors of one backend; mixed into a DbTestCase.

    Subclasses name ``DRIVER`` (the driver's module), ``REFUSED`` (task
    columns the database refuses to store) and ``unreachable_url()``.
    """

    def engines(self):
        """The test database through oslo.db's engine and a plain one."""
        translated = sqla_api.get_engine()
        plain = sa.create_engine(translated.url)
        self.addCleanup(plain.dispose)
        if plain.url.get_backend_name() == 'sqlite':
            # NOTE: another in-memory database.
            models.Base.metadata.create_all(plain)
        return {'translated': translated, 'plain': plain}

    def execute(self, engine, statement):
        with engine.begin() as connection:
            connection.execute(statement)

    def assertClasses(self, expected, error):
        self.assertEqual(expected, classes(error))
        # The same, whatever wraps it: task_api raises its own exceptions
        # from the database's.
        try:
            raise exception.DatabaseUnavailable() from error
        except exception.DatabaseUnavailable as wrapped:
            self.assertEqual(expected, classes(wrapped))

    def assertDriverError(self, error):
        driver = errors.driver_error(error)
        self.assertEqual(self.DRIVER, type(driver).__module__.split('.')[0])
        self.assertIs(driver, errors.root_cause(error))

    def test_missing_table(self):
        for name, engine in self.engines().items():
            error = raised(self.execute, engine,
                           sa.text('SELECT x FROM task_api_no_such_table'))
            self.assertClasses({'is_missing_table'}, error)
            self.assertDriverError(error)

    def test_refused_value(self):
        values = base.get_test_task(**self.REFUSED)
        for key in ('input', 'result', 'message'):
            del values[key]
        for name, engine in self.engines().items():
            error = raised(self.execute, engine,
                           sa.insert(models.Task.__table__).values(**values))
            self.assertClasses({'is_refused_value'}, error)

    def test_unreachable(self):
        url = self.unreachable_url()
        for engine in (engines.create_engine(url, max_retries=0),
                       sa.create_engine(url)):
            self.addCleanup(engine.dispose)
            error = raised(engine.connect)
            self.assertClasses({'is_unavailable'}, error)
            self.assertDriverError(error)

    def test_other_errors_are_none_of_them(self):
        for name, engine in self.engines().items():
            error = raised(self.execute, engine,
                           sa.text('SELECT no_such_column FROM tasks'))
            self.assertClasses(set(), error)
        self.assertClasses(set(), RuntimeError('not the database'))


def closed_port(test):
    """A local TCP port that refuses connections while the test runs."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    test.addCleanup(sock.close)
    sock.bind(('127.0.0.1', 0))
    return sock.getsockname()[1]


def silent_port(test):
    """A local TCP port that accepts connections and never answers."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    test.addCleanup(sock.close)
    sock.bind(('127.0.0.1', 0))
    sock.listen(8)
    return sock.getsockname()[1]


class TestClassifierSQLite(ClassifierMixin, base.DbTestCase):
    """SQLite's errors."""

    DRIVER = 'sqlite3'
    # NOTE: SQLite stores any length; a lone surrogate cannot be encoded.
    REFUSED = {'type': '\ud800'}

    def unreachable_url(self):
        # A file in a directory that does not exist.
        return 'sqlite:///%s/missing/task_api.sqlite' % self.useFixture(
            fixtures.TempDir()).path

    def test_busy(self):
        path = self.useFixture(fixtures.TempDir()).path + '/busy.sqlite'
        holder = sa.create_engine('sqlite:///' + path)
        self.addCleanup(holder.dispose)
        writer = sa.create_engine('sqlite:///' + path,
                                  connect_args={'timeout': 0})
        self.addCleanup(writer.dispose)
        self.execute(holder, sa.text('CREATE TABLE t (x INTEGER)'))
        with holder.connect() as connection:
            connection.execute(sa.text('BEGIN IMMEDIATE'))
            error = raised(self.execute, writer,
                           sa.text('INSERT INTO t VALUES (1)'))
        # NOTE: a writer retries it; past the retries it is an outage.
        self.assertClasses({'is_sqlite_busy', 'is_unavailable'}, error)
        self.assertDriverError(error)
