"""The oslo.db [database] group, defaulting to the embedded SQLite file."""

from oslo_db import options as db_options

DEFAULT_CONNECTION = 'sqlite:///$state_path/task_api.sqlite'


def register_opts(conf):
    db_options.set_defaults(conf, connection=DEFAULT_CONNECTION)
    # NOTE: oslo.db would otherwise retry the first connection for 100
    # seconds, holding a request; task_api answers 503 at once instead, and
    # the pool reconnects on a later request once the database is back.
    conf.set_default('max_retries', 0, group='database')


def list_opts():
    return {'database': db_options.database_opts}
