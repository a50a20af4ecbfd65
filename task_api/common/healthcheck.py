"""The database backend of oslo.middleware's /healthcheck.

Enabled in the ``backends`` of ``[app:healthcheck]`` in api-paste.ini as
``task_api_database``: /healthcheck answers 503 when the database cannot
be reached, does not answer within ``[database]`` bounds, or holds no
tables, and 200 once it serves again.
"""

from oslo_log import log
from oslo_middleware.healthcheck import pluginbase

from task_api import context as task_context
from task_api.db import api as db_api
from task_api import exception

LOG = log.getLogger(__name__)


class DatabaseHealthcheck(pluginbase.HealthcheckBaseExtension):
    """Runs one cheap bounded statement on the task database."""

    def healthcheck(self, server_port):
        try:
            db_api.get_instance().database_check(
                task_context.get_admin_context())
        except exception.DatabaseNotMigrated as error:
            return pluginbase.HealthcheckResult(
                available=False, reason='DATABASE NOT MIGRATED',
                details=error.message)
        except exception.DatabaseUnavailable as error:
            return pluginbase.HealthcheckResult(
                available=False, reason='DATABASE UNAVAILABLE',
                details=error.message)
        except Exception:
            # NOTE: the reason is public (no authentication); the log
            # says what failed.
            LOG.exception('The database health check failed')
            return pluginbase.HealthcheckResult(
                available=False, reason='DATABASE CHECK FAILED')
        return pluginbase.HealthcheckResult(available=True, reason='OK')
