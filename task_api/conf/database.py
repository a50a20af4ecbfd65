"""The oslo.db [database] group, defaulting to the embedded SQLite file.

task_api adds the two bounds oslo.db has no option for: how long a request
waits for a connection to the database server, and for a statement.
"""

from oslo_config import cfg
from oslo_db import options as db_options

DEFAULT_CONNECTION = 'sqlite:///$state_path/task_api.sqlite'

opts = [
    cfg.IntOpt('connect_timeout', default=5, min=1,
               help='Seconds a request waits for a new connection to the '
                    'database server (TCP connection, TLS and login) '
                    'before it is answered 503 with Retry-After. A '
                    'connect_timeout given in connection_parameters wins '
                    'over this option.'),
    cfg.IntOpt('statement_timeout', default=10, min=0,
               help='Seconds one SQL statement may run. The database '
                    'server cancels a statement that runs longer '
                    '(PostgreSQL statement_timeout, MariaDB '
                    'max_statement_time, MySQL max_execution_time for '
                    'reads); when the server does not even answer (a hung '
                    'or frozen server, a dead network path), task_api '
                    'stops waiting one second later and discards the '
                    'connection (on PostgreSQL, not inside another '
                    'service\'s process, whose psycopg2 task_api leaves '
                    'as it is). Either way the request is answered 503 '
                    'with Retry-After. On SQLite this is how long a '
                    'statement waits for a lock held by another process. '
                    'Schema migrations are not bounded. 0 means no '
                    'bound. On PostgreSQL it overrides a statement_timeout '
                    'set in the options of connection_parameters.'),
]


def register_opts(conf):
    """Register oslo.db's [database] options and task_api's two bounds."""
    conf.register_opts(db_options.database_opts, group='database')
    conf.register_opts(opts, group='database')


def set_defaults(conf):
    """The defaults task_api gives oslo.db's options, on ``conf`` only.

    Called by task_api's own entry points, never on import: in another
    service's process the [database] defaults stay that service's.
    """
    # NOTE: pool_timeout keeps oslo.db's default (unset: SQLAlchemy waits
    # 30 seconds for a pooled connection); oslo.db passes a set value on
    # to SQLite file databases too, whose pool refuses it.
    db_options.set_defaults(conf, connection=DEFAULT_CONNECTION)
    # NOTE: oslo.db would otherwise retry the first connection for 100
    # seconds, holding a request; task_api answers 503 at once instead, and
    # the pool reconnects on a later request once the database is back.
    conf.set_default('max_retries', 0, group='database')


def list_opts():
    return {'database': db_options.database_opts + opts}
