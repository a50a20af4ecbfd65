"""task_api's engines are built with its engine plugin, after the
operator's own URL parameters."""

from oslo_config import cfg
from oslo_db.sqlalchemy import enginefacade
import sqlalchemy as sa

from task_api.db.sqlalchemy import engines
from task_api.tests import base


class TestUrlParameters(base.TestCase):

    def test_plugin_follows_the_operator_s_parameters(self):
        self.assertEqual('plugin=task_api', engines.url_parameters(None))
        self.assertEqual('plugin=task_api', engines.url_parameters(''))
        self.assertEqual('charset=utf8mb4&plugin=task_api',
                         engines.url_parameters('charset=utf8mb4'))

    def test_named_once(self):
        self.assertEqual('plugin=task_api&sslmode=require',
                         engines.url_parameters(
                             'plugin=task_api&sslmode=require'))

    def test_enginefacade_builds_engines_with_the_plugin(self):
        self.config(connection='sqlite://', connection_parameters='',
                    group='database')
        facade = enginefacade.transaction_context()
        engines_made = []
        facade.append_on_engine_create(engines_made.append)
        facade.configure(connection_parameters=engines.url_parameters(
            cfg.CONF.database.connection_parameters))
        facade.writer.get_engine()
        self.addCleanup(facade.dispose_pool)
        engine = engines_made[0]
        # The plugin took its name out of the URL and registered its
        # checkout check on this engine only.
        self.assertNotIn('plugin', engine.url.query)
        self.assertTrue(sa.event.contains(engine, 'checkin',
                                          engines._checked_in))
        self.assertFalse(sa.event.contains(sa.engine.Engine, 'checkin',
                                           engines._checked_in))
