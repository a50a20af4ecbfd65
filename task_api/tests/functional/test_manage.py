"""The task-api-manage console script, run as operators run it."""

import os
import subprocess
import sys

import fixtures
import sqlalchemy as sa

from task_api.db import migration
from task_api.db.sqlalchemy import api as sqla_api
from task_api.tests import base
from task_api.tests import fixtures as task_fixtures
from task_api.tests.functional.db import test_api
from task_api.tests.functional.db import test_migrations

MANAGE = os.path.join(os.path.dirname(sys.executable), 'task-api-manage')


class ManageMixin:
    """Runs task-api-manage with a configuration file of the test's own."""

    def setUp(self):
        super().setUp()
        self.tempdir = self.useFixture(fixtures.TempDir()).path

    def write_config(self, **groups):
        """Write a configuration file from {group: {option: value}}."""
        path = os.path.join(self.tempdir, 'task_api.conf')
        with open(path, 'w') as stream:
            for group, options in groups.items():
                stream.write('[%s]\n' % group)
                for name, value in options.items():
                    stream.write('%s = %s\n' % (name, value))
        return path

    def manage(self, *args):
        """Run the command; return (exit status, stdout, stderr)."""
        process = subprocess.run(
            [MANAGE, '--config-file', self.config_file] + list(args),
            capture_output=True, text=True, timeout=120,
            # Keep the default $state_path away from the user's own.
            env=dict(os.environ, XDG_STATE_HOME=self.tempdir))
        return process.returncode, process.stdout, process.stderr

    def assertSucceeds(self, *args):
        status, out, err = self.manage(*args)
        self.assertEqual((0, ''), (status, err), out)
        return out

    def assertFailsWithOneLine(self, *args):
        status, out, err = self.manage(*args)
        self.assertNotEqual(0, status)
        self.assertNotIn('Traceback', out + err)
        lines = err.splitlines()
        self.assertEqual(1, len(lines), err)
        self.assertTrue(lines[0].startswith('task-api-manage: '), err)
        return lines[0]


class SyncTests(ManageMixin):
    """``db version``, ``db sync``, ``db version`` on an empty database.

    Subclasses set ``self.config_file`` and ``self.engine`` in setUp.
    """

    def assertSchema(self):
        self.assertEqual({'tasks', 'task_info', 'task_api_claims',
                          migration.VERSION_TABLE},
                         set(sa.inspect(self.engine).get_table_names()))
        self.assertEqual(test_migrations.TASK_INDEXES,
                         test_migrations.task_indexes(self.engine))

    def test_sync_then_version(self):
        head = test_migrations.head_revision()

        url = self.engine.url.render_as_string(hide_password=True)
        self.assertEqual('None\n', self.assertSucceeds('db', 'version'))
        self.assertEqual('Database %s at revision %s (was empty)\n'
                         % (url, head), self.assertSucceeds('db', 'sync'))
        self.assertEqual(head + '\n', self.assertSucceeds('db', 'version'))
        self.assertSchema()

        self.assertEqual('Database %s already at revision %s; nothing to do\n'
                         % (url, head), self.assertSucceeds('db', 'sync'))
        self.assertEqual(head + '\n', self.assertSucceeds('db', 'version'))
        self.assertSchema()

    def test_sync_to_a_revision(self):
        head = test_migrations.head_revision()
        self.assertSucceeds('db', 'sync', '--revision', head)
        self.assertEqual(head + '\n', self.assertSucceeds('db', 'version'))

    def test_sync_to_an_unknown_revision_fails(self):
        line = self.assertFailsWithOneLine('db', 'sync',
                                           '--revision', 'nosuchrevision')
        self.assertIn('nosuchrevision', line)
        self.assertEqual('None\n', self.assertSucceeds('db', 'version'))


class TestManageSQLite(SyncTests, base.TestCase):
    """The embedded default: a SQLite file under a new $state_path."""

    def setUp(self):
        super().setUp()
        self.state_path = os.path.join(self.tempdir, 'state', 'task_api')
        self.config_file = self.write_config(
            DEFAULT={'state_path': self.state_path})
        self.engine = sa.create_engine(
            'sqlite:///' + os.path.join(self.state_path, 'task_api.sqlite'))
        self.addCleanup(self.engine.dispose)

    def test_sync_creates_the_state_directory(self):
        self.assertFalse(os.path.exists(self.state_path))
        self.assertSucceeds('db', 'sync')
        self.assertTrue(os.path.isfile(
            os.path.join(self.state_path, 'task_api.sqlite')))


class ServerDatabaseMixin:
    """Point the command at the database provisioned for the test."""

    def setUp(self):
        super().setUp()
        self.engine = sqla_api.get_engine()
        self.config_file = self.write_config(database={
            'connection': self.engine.url.render_as_string(
                hide_password=False)})


class ServerSyncTests(ServerDatabaseMixin, SyncTests):
    """Sync a database provisioned for the test on a server."""


class TestManagePostgreSQL(ServerSyncTests, base.DbTestCase):
    """task-api-manage on PostgreSQL."""

    FIXTURE = task_fixtures.EmptyPostgreSQLDatabase


class TestManageMySQL(ServerSyncTests, base.DbTestCase):
    """task-api-manage on MySQL/MariaDB."""

    FIXTURE = task_fixtures.EmptyMySQLDatabase


class TestManageNoCreatePrivilege(ServerDatabaseMixin, ManageMixin,
                                  base.DbTestCase):
    """PostgreSQL 15: a user that may not create tables in ``public``."""

    FIXTURE = task_fixtures.EmptyPostgreSQLDatabase

    def setUp(self):
        super().setUp()
        user = 'task_api_nocreate_%d' % os.getpid()
        with self.engine.connect().execution_options(
                isolation_level='AUTOCOMMIT') as connection:
            connection.execute(sa.text('DROP ROLE IF EXISTS %s' % user))
            connection.execute(sa.text(
                "CREATE ROLE %s LOGIN PASSWORD 'secret'" % user))
            connection.execute(sa.text(
                'REVOKE CREATE ON SCHEMA public FROM PUBLIC'))
        self.addCleanup(self._drop_role, user)
        self.config_file = self.write_config(database={
            'connection': self.engine.url.set(
                username=user, password='secret').render_as_string(
                    hide_password=False)})

    def _drop_role(self, user):
        sqla_api.get_engine().dispose()
        with self.engine.connect().execution_options(
                isolation_level='AUTOCOMMIT') as connection:
            connection.execute(sa.text('DROP ROLE %s' % user))

    def test_sync_says_permission_denied_on_one_line(self):
        line = self.assertFailsWithOneLine('db', 'sync')
        self.assertIn('permission denied for schema public', line)
        self.assertNotIn('secret', line)


class TestManageConfigurationErrors(ManageMixin, base.TestCase):

    def test_bad_value(self):
        self.config_file = self.write_config(database={'max_retries': 'x'})
        status, out, err = self.manage('db', 'version')
        self.assertEqual((2, ''), (status, out))
        self.assertEqual(
            "task-api-manage: Invalid configuration: [database] max_retries: "
            "invalid value (invalid literal for int() with base 10: 'x') in "
            "%s\n" % self.config_file, err)

    def test_missing_configuration_file(self):
        self.config_file = os.path.join(self.tempdir, 'nope.conf')
        status, out, err = self.manage('db', 'version')
        self.assertEqual((2, ''), (status, out))
        self.assertEqual('task-api-manage: Failed to find some config files: '
                         '%s\n' % self.config_file, err)

    def test_syntax_error(self):
        self.config_file = os.path.join(self.tempdir, 'bad.conf')
        with open(self.config_file, 'w') as stream:
            stream.write('[database\n')
        status, out, err = self.manage('db', 'version')
        self.assertEqual((2, ''), (status, out))
        self.assertNotIn('Traceback', err)
        self.assertEqual(1, len(err.splitlines()), err)
        self.assertIn('Failed to parse %s' % self.config_file, err)


class UnreachableDatabaseTests(ManageMixin):
    """Each of ``COMMANDS`` fails on one line when the database is away."""

    #: the task-api-manage commands to run
    COMMANDS = ()

    def _assert_unreachable(self, connection, **database):
        database['connection'] = connection
        self.config_file = self.write_config(database=database)
        for args in self.COMMANDS:
            line = self.assertFailsWithOneLine(*args)
            self.assertIn('cannot reach the database', line)
            self.assertNotIn('openstack_citest:openstack_citest', line)
        return line

    def test_postgresql_port_closed(self):
        port = test_api.closed_port(self)
        line = self._assert_unreachable(
            'postgresql+psycopg2://openstack_citest:openstack_citest'
            '@127.0.0.1:%d/task_api' % port)
        self.assertIn('Connection refused', line)
        self.assertIn(str(port), line)

    def test_mysql_port_closed(self):
        port = test_api.closed_port(self)
        line = self._assert_unreachable(
            'mysql+pymysql://openstack_citest:openstack_citest'
            '@127.0.0.1:%d/task_api' % port)
        self.assertIn('Connection refused', line)
        self.assertIn(str(port), line)

    def test_sqlite_file_cannot_be_opened(self):
        # The database path is an existing directory.
        directory = self.useFixture(fixtures.TempDir()).path
        line = self._assert_unreachable('sqlite:///' + directory)
        self.assertIn(directory, line)


class TestManageFailures(UnreachableDatabaseTests, base.TestCase):
    """A database that cannot be used: one line on stderr, status 1."""

    COMMANDS = (('db', 'sync'), ('db', 'version'))

    def test_mysql_port_closed_after_retries(self):
        # oslo.db retries a refused MySQL connection when the engine
        # starts; the warnings it logs go to the log, not to stderr.
        port = test_api.closed_port(self)
        self._assert_unreachable(
            'mysql+pymysql://openstack_citest:openstack_citest'
            '@127.0.0.1:%d/task_api' % port,
            max_retries=2, retry_interval=0)

    def test_sqlite_directory_cannot_be_created(self):
        parent = os.path.join(self.useFixture(fixtures.TempDir()).path,
                              'a-file')
        open(parent, 'w').close()
        self.config_file = self.write_config(database={
            'connection': 'sqlite:///%s/task_api.sqlite' % parent})
        line = self.assertFailsWithOneLine('db', 'sync')
        self.assertIn(parent, line)

    def test_malformed_connection(self):
        self.config_file = self.write_config(database={
            'connection': 'not a database url'})
        line = self.assertFailsWithOneLine('db', 'version')
        self.assertIn('[database] connection', line)

    def test_driver_not_installed(self):
        # A plain mysql:// URL names the MySQLdb driver (mysqlclient),
        # which task_api's requirements do not install.
        port = test_api.closed_port(self)
        self.config_file = self.write_config(database={
            'connection': 'mysql://openstack_citest:openstack_citest'
                          '@127.0.0.1:%d/task_api' % port})
        line = self.assertFailsWithOneLine('db', 'sync')
        self.assertIn('not installed', line)
        self.assertIn('MySQLdb', line)
