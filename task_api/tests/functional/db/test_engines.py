"""task_api sets up its own connections only.

Another service's engines in the same process (glance-api's, with task_api
as a plugin) keep the database's defaults: no statement timeout, the
character set they ask for, the journal mode of their SQLite file, and the
process's psycopg2 keeps the wait callback its owner set (none).
"""

import os

from oslo_db.sqlalchemy import enginefacade
from oslo_db.sqlalchemy import test_fixtures
import sqlalchemy as sa

from task_api.db.sqlalchemy import api as sqla_api
from task_api.db.sqlalchemy import models
from task_api.tests import base
from task_api.tests import fixtures
from task_api.tests.functional.plugin import test_dispatch


def _settings(engine, statement):
    with engine.connect() as connection:
        return tuple(connection.exec_driver_sql(statement).first())


class ForeignEngineMixin:
    """task_api's engine has served a read; then a plain engine connects."""

    def setUp(self):
        super().setUp()
        self.config(statement_timeout=7, group='database')
        self.url = self.task_api_url()
        facade = enginefacade.transaction_context()
        facade.configure(
            connection=self.url.render_as_string(hide_password=False),
            max_retries=0)
        self.addCleanup(facade.dispose_pool)
        self.useFixture(test_fixtures.ReplaceEngineFacadeFixture(
            sqla_api.main_context_manager, facade))
        self.assertEqual([], self.dbapi.task_get_all(self.admin_context))

    def task_api_url(self):
        return sqla_api.get_engine().url

    def test_engine_of_another_service_keeps_its_settings(self):
        self.assertEqual(self.TASK_API, _settings(sqla_api.get_engine(),
                                                  self.SETTINGS))
        # As glance-api makes its engine, after task_api's connected.
        engine = sa.create_engine(self.foreign_url())
        self.addCleanup(engine.dispose)
        self.assertEqual(self.FOREIGN, _settings(engine, self.SETTINGS))

    def foreign_url(self):
        return self.url


class TestForeignEnginePostgreSQL(ForeignEngineMixin, base.DbTestCase):
    FIXTURE = fixtures.PostgreSQLDatabase
    SETTINGS = 'SHOW statement_timeout'
    TASK_API = ('7s',)
    FOREIGN = ('0',)


class TestForeignEngineMySQL(ForeignEngineMixin, base.DbTestCase):
    FIXTURE = fixtures.MySQLDatabase
    SETTINGS = ('SELECT @@SESSION.max_statement_time, '
                '@@SESSION.character_set_client')
    TASK_API = (7.0, 'utf8mb4')
    FOREIGN = (0.0, 'utf8mb3')

    def foreign_url(self):
        # NOTE: oslo.db's "utf8", which task_api asks as utf8mb4.
        return self.url.update_query_dict({'charset': 'utf8'})


class TestForeignEngineSQLite(ForeignEngineMixin, base.DbTestCase):
    SETTINGS = 'PRAGMA journal_mode'
    TASK_API = ('wal',)
    FOREIGN = ('delete',)

    def task_api_url(self):
        self.tmp = self.useFixture(base.fixtures.TempDir()).path
        url = sa.engine.make_url('sqlite:///%s/task_api.sqlite' % self.tmp)
        engine = sa.create_engine(url)
        self.addCleanup(engine.dispose)
        models.Base.metadata.create_all(engine)
        return url

    def foreign_url(self):
        return sa.engine.make_url(
            'sqlite:///%s' % os.path.join(self.tmp, 'glance.sqlite'))


class TestPluginLeavesPsycopg2(test_dispatch.PluginTestCase):
    """Inside another service, psycopg2's wait callback stays the host's."""

    FIXTURE = fixtures.PostgreSQLDatabase

    def test_no_wait_callback_and_no_bound_on_the_host(self):
        from psycopg2 import extensions

        # NOTE: the test process is task_api's own, whose connections
        # (those of the test database's fixture, before the plugin was
        # loaded) installed task_api's callback.
        self.addCleanup(extensions.set_wait_callback,
                        extensions.get_wait_callback())
        extensions.set_wait_callback(None)
        # task_api's next connections are new ones.
        sqla_api.get_engine().dispose()
        self.assertEqual(test_dispatch.TASK_ID, self.request(
            'GET', '/v2/tasks/' + test_dispatch.TASK_ID).json['id'])
        self.assertIsNone(extensions.get_wait_callback())
        self.assertEqual(('10s',), _settings(sqla_api.get_engine(),
                                             'SHOW statement_timeout'))
        host = sa.create_engine(sqla_api.get_engine().url)
        self.addCleanup(host.dispose)
        self.assertEqual(('0',), _settings(host, 'SHOW statement_timeout'))
        self.assertIsNone(extensions.get_wait_callback())
