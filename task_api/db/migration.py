"""Schema migrations of the task database, run through alembic.

alembic (and Mako, which it imports) is imported only to change a schema:
the servers' start-up check reads the revision of the database and the
revisions of the scripts without it, so that a server process does not
hold it in memory.
"""

import ast
import contextlib
import fcntl
import functools
import os

from oslo_db import exception as db_exc
import sqlalchemy as sa
from sqlalchemy.engine import url as sa_url
from sqlalchemy import exc as sa_exc

from task_api import conf as task_conf
from task_api.db import errors
from task_api.db.sqlalchemy import api as sqla_api
from task_api.db.sqlalchemy import engines
from task_api.db.sqlalchemy import timeouts
from task_api import exception

CONF = task_conf.CONF

# NOTE: the scripts are located through the package rather than a path on
# disk, so that no alembic.ini is needed and an installed copy finds them.
SCRIPT_LOCATION = 'task_api.db.sqlalchemy:alembic'

# NOTE: not alembic's default "alembic_version": task_api's tables may live
# in a database whose other tables another project versions with alembic.
VERSION_TABLE = 'task_api_alembic_version'


@contextlib.contextmanager
def _database_errors():
    try:
        yield
    except sa_exc.ArgumentError as error:
        raise exception.ConfigInvalid(
            reason='[database] connection: %s' % error) from error
    except ImportError as error:
        raise exception.ConfigInvalid(
            reason='the database driver of [database] connection is not '
                   'installed: %s' % error) from error
    except (db_exc.DBError, sa_exc.DBAPIError) as error:
        if not errors.is_unavailable(error):
            raise
        raise exception.DatabaseUnavailable() from error


def ensure_sqlite_directory(connection=None):
    """Create the directory of a SQLite database file if it is missing.

    SQLite creates the file itself but not its directory, and the default
    connection puts the file under ``$state_path``, which may not exist
    yet. Other databases and in-memory SQLite are left alone.

    :param connection: a database URL; defaults to ``[database]
        connection``.
    :raises: task_api.exception.ConfigInvalid when the URL cannot be
        parsed or the directory cannot be created.
    """
    if connection is None:
        connection = CONF.database.connection
    with _database_errors():
        url = sa_url.make_url(connection)
    if url.get_backend_name() != 'sqlite':
        return
    path = url.database
    if not path or path == ':memory:' or path.startswith('file:'):
        return
    directory = os.path.dirname(os.path.abspath(path))
    try:
        os.makedirs(directory, exist_ok=True)
    except OSError as error:
        raise exception.ConfigInvalid(
            reason='cannot create the directory %s of the SQLite database: '
                   '%s' % (directory, error.strerror or error)) from error


def masked_url(connection=None):
    """A database URL with its password masked, for messages and logs.

    :param connection: a database URL; defaults to ``[database]
        connection``.
    :returns: None when the URL cannot be parsed.
    """
    if connection is None:
        connection = CONF.database.connection
    try:
        url = sa_url.make_url(connection)
    except Exception:
        return None
    return url.render_as_string(hide_password=True)


def is_embedded(connection=None):
    """Whether a database URL (``[database] connection``) names SQLite."""
    if connection is None:
        connection = CONF.database.connection
    return connection.startswith('sqlite:')


def upgrade_embedded():
    """Create or upgrade the SQLite database, one process at a time.

    Every process of a WSGI server starts at once; without the lock two of
    them could both find the file empty and both create the tables.

    :raises: as :func:`upgrade`.
    """
    path = sa_url.make_url(CONF.database.connection).database
    if not path or path == ':memory:' or path.startswith('file:'):
        upgrade()
        return
    ensure_sqlite_directory()
    # NOTE: a file already at the head needs neither the lock nor alembic.
    if version() == head():
        return
    with open(path + '.lock', 'a') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        upgrade()


def _get_engine(engine):
    if engine is not None:
        return engine
    ensure_sqlite_directory()
    return sqla_api.get_engine()


@contextlib.contextmanager
def _unbounded_connection(engine):
    """A connection to ``engine``'s database without statement timeout.

    Migrations may rebuild indexes of a big table, which takes longer
    than any request should. The connection is a new one, closed after
    use, so that no pooled connection loses its bound. SQLite's own
    connection is used: its only bound is a wait for locks.
    """
    if engine.dialect.name == 'sqlite':
        with engine.connect() as connection:
            yield connection
        return
    with timeouts.unbounded_statements():
        unpooled = engines.attach(
            sa.create_engine(engine.url, poolclass=sa.pool.NullPool))
        try:
            with unpooled.connect() as connection:
                yield connection
        finally:
            unpooled.dispose()


def _alembic_config(connection=None):
    from alembic import config as alembic_config
    config = alembic_config.Config()
    config.set_main_option('script_location', SCRIPT_LOCATION)
    # env.py runs the migrations on this connection rather than opening
    # one of its own.
    config.attributes['connection'] = connection
    return config


VERSIONS = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                        'sqlalchemy', 'alembic', 'versions')


@functools.lru_cache(maxsize=1)
def revisions():
    """{revision: down_revision} of the migration scripts.

    Read from the assignments at the top of each script, as alembic reads
    them, without importing alembic or the scripts.
    """
    found = {}
    for name in sorted(os.listdir(VERSIONS)):
        if not name.endswith('.py'):
            continue
        with open(os.path.join(VERSIONS, name), encoding='utf-8') as script:
            tree = ast.parse(script.read(), name)
        values = {}
        for node in tree.body:
            if (isinstance(node, ast.Assign) and len(node.targets) == 1
                    and isinstance(node.targets[0], ast.Name)):
                try:
                    values[node.targets[0].id] = ast.literal_eval(node.value)
                except ValueError:
                    pass
        if 'revision' in values:
            found[values['revision']] = values.get('down_revision')
    return found


def head():
    """The newest schema revision of this version of task_api."""
    known = revisions()
    heads = set(known) - set(known.values())
    if len(heads) != 1:
        raise exception.Invalid('The migration scripts have %d heads: %s'
                                % (len(heads), ', '.join(sorted(heads))))
    return heads.pop()


def is_known(revision):
    """Whether ``revision`` is one of this version of task_api's."""
    return revision in revisions()


def upgrade(revision='head', engine=None):
    """Bring the schema up to a revision; a no-op when it is there already.

    Its statements are not bounded by ``[database] statement_timeout``.

    The tables are created when the database has none; when it already
    holds ``tasks`` and ``task_info`` with the same columns (a database
    shared with Glance), only the missing indexes are added.

    :param revision: the alembic revision to reach, ``head`` by default.
    :param engine: the engine of the database; defaults to task_api's own
        engine, configured by ``[database] connection``.
    :raises: task_api.exception.DatabaseUnavailable when the database
        cannot be reached.
    :raises: task_api.exception.ConfigInvalid when the connection URL is
        malformed, its driver is not installed or its SQLite directory
        cannot be created.
    :raises: task_api.exception.Invalid when the revision is unknown.
    """
    with _database_errors():
        engine = _get_engine(engine)
        with _unbounded_connection(engine) as connection:
            from alembic import command
            from alembic import util as alembic_util
            try:
                command.upgrade(_alembic_config(connection), revision)
            except alembic_util.CommandError as error:
                raise exception.Invalid(
                    'Cannot upgrade to revision %s: %s'
                    % (revision, error)) from error


def version(engine=None):
    """Return the revision the schema is at.

    :param engine: as for :func:`upgrade`.
    :returns: the alembic revision id, or None when task_api's migrations
        have never run on this database.
    :raises: task_api.exception.DatabaseUnavailable when the database
        cannot be reached.
    :raises: task_api.exception.ConfigInvalid as for :func:`upgrade`.
    """
    with _database_errors():
        engine = _get_engine(engine)
        with engine.connect() as connection:
            if not sa.inspect(connection).has_table(VERSION_TABLE):
                return None
            # NOTE: task_api's migrations are one line of revisions: the
            # table holds one row, which alembic writes.
            return connection.execute(
                sa.select(sa.column('version_num'))
                .select_from(sa.table(VERSION_TABLE))).scalar()
