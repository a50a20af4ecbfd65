"""The database backend of oslo.middleware's /healthcheck.

Enabled in the ``backends`` of ``[app:healthcheck]`` in api-paste.ini as
``task_api_database``: /healthcheck answers 503 when the database cannot
be reached, does not answer within ``[database]`` bounds, or holds no
tables, and 200 once it serves again.
"""

from oslo_log import log
from oslo_middleware import healthcheck
from oslo_middleware.healthcheck import pluginbase
from webob import acceptparse

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


def app_factory(global_conf, **local_conf):
    """paste.app_factory: oslo.middleware's /healthcheck, never as HTML.

    oslo.middleware's HTML page names the host, the Python version and the
    platform and walks the stack of every thread on each request, for
    anyone who asks, as /healthcheck needs no authentication; under load
    that walk can fail with a 500. A client that does not ask for JSON
    gets plain text instead, as load balancers expect.
    """
    app = healthcheck.Healthcheck.app_factory(global_conf, **local_conf)

    def plain_healthcheck(environ, start_response):
        accept = acceptparse.create_accept_header(environ.get('HTTP_ACCEPT'))
        offers = accept.acceptable_offers(['text/plain', 'application/json'])
        environ['HTTP_ACCEPT'] = offers[0][0] if offers else 'text/plain'
        return app(environ, start_response)

    return plain_healthcheck
