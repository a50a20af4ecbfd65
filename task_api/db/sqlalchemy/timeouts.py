"""Bounds on the time a request waits for the database.

Every connection task_api opens gets, from ``[database] connect_timeout``
and ``statement_timeout``:

- a bound on connecting (TCP, TLS, login);
- a statement timeout the server enforces, so that a slow statement is
  cancelled and its connection stays usable;
- a client-side bound one second longer, for a server that does not even
  answer (a frozen process, a dead network path): the driver gives up and
  the connection is closed, so that the pool discards it and a later
  request connects anew.

PyMySQL and mysqlclient have read and write timeouts of their own.
psycopg2 has none, so in a process task_api runs (its own services and
commands) psycopg2 connections are made with a wait callback (psycopg2's
public hook for cooperative I/O) that waits on the socket with a deadline.
That hook is one for the whole process: inside another service's process
(task_api as a plugin, see :func:`use_wait_callback`) task_api leaves it
alone, and libpq bounds connecting while the server bounds statements.
Other drivers get only what their URL asks for.

:mod:`task_api.db.sqlalchemy.engines` calls :func:`bound_new_connection`
and :func:`bound_on_server` for the connections of task_api's engines.
"""

import contextlib
import contextvars
import select
import time

from task_api import conf as task_conf

CONF = task_conf.CONF

#: seconds the client waits past the server's statement timeout
CLIENT_GRACE = 1

_UNBOUNDED = contextvars.ContextVar(
    'task_api_unbounded_statements', default=False)

_WAIT_CALLBACK = {'enabled': True}


def use_wait_callback(enabled):
    """Whether psycopg2 connections get task_api's wait callback.

    psycopg2 holds one wait callback for the whole process. task_api
    installs its own, at its first PostgreSQL connection, in the
    processes it runs; inside another service's process (the plugin) it
    is turned off before any connection, and that process's psycopg2
    stays as its owner set it.
    """
    _WAIT_CALLBACK['enabled'] = enabled


@contextlib.contextmanager
def unbounded_statements():
    """Connections opened inside this block have no statement timeout.

    For schema migrations, whose statements may run long on a big table.
    Connect stays bounded. Use a connection that is not pooled afterwards.
    """
    token = _UNBOUNDED.set(True)
    try:
        yield
    finally:
        _UNBOUNDED.reset(token)


class NoAnswer(TimeoutError):
    """The database server did not answer within a client-side bound."""


def statement_timeout():
    """The statement timeout of new connections, in seconds; 0 for none."""
    if _UNBOUNDED.get():
        return 0
    return CONF.database.statement_timeout


# PostgreSQL through psycopg2

def _psycopg2_wait(connection):
    """psycopg2's wait callback: poll the connection until a deadline.

    On expiry the exception makes psycopg2 close the connection, which
    SQLAlchemy then reports as a disconnect and drops from its pool.
    """
    import psycopg2
    from psycopg2 import extensions

    bound = getattr(connection, 'task_api_wait_bound', None)
    deadline = None if bound is None else time.monotonic() + bound
    while True:
        state = connection.poll()
        if state == extensions.POLL_OK:
            return
        if deadline is None:
            remaining = None
        else:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise psycopg2.OperationalError(
                    'No answer from the database server within %s seconds'
                    % bound) from NoAnswer()
        if state == extensions.POLL_READ:
            events = select.POLLIN
        elif state == extensions.POLL_WRITE:
            events = select.POLLOUT
        else:
            raise psycopg2.OperationalError(
                'Unexpected state %r of a database connection' % state)
        # NOTE: poll rather than select, which fails on descriptors past
        # 1023, as a busy server process has.
        poller = select.poll()
        poller.register(connection.fileno(), events)
        poller.poll(None if remaining is None else remaining * 1000)


_PSYCOPG2_CLASSES = {}


def _psycopg2_connection_class(connect_bound, wait_bound):
    """A psycopg2 connection class carrying the bounds of its waits."""
    key = (connect_bound, wait_bound)
    cls = _PSYCOPG2_CLASSES.get(key)
    if cls is None:
        from psycopg2 import extensions

        class BoundedConnection(extensions.connection):
            def __init__(self, *args, **kwargs):
                # NOTE: psycopg2 connects inside __init__.
                self.task_api_wait_bound = connect_bound
                super().__init__(*args, **kwargs)
                self.task_api_wait_bound = wait_bound

        cls = _PSYCOPG2_CLASSES.setdefault(key, BoundedConnection)
    return cls


def _bound_psycopg2(cparams):
    from psycopg2 import extensions

    seconds = statement_timeout()
    if seconds:
        # NOTE: appended, so that it wins over a statement_timeout in the
        # options of the URL: the client-side bound follows this one.
        option = '-c statement_timeout=%d' % (seconds * 1000)
        options = cparams.get('options')
        cparams['options'] = (options + ' ' + option) if options else option
    if not _WAIT_CALLBACK['enabled']:
        # NOTE: libpq bounds a blocking connect by itself.
        cparams.setdefault('connect_timeout', CONF.database.connect_timeout)
        return
    if extensions.get_wait_callback() is None:
        extensions.set_wait_callback(_psycopg2_wait)
    # NOTE: libpq applies connect_timeout only to blocking connects; with
    # a wait callback the callback applies it.
    connect_bound = int(cparams.get('connect_timeout')
                        or CONF.database.connect_timeout)
    wait_bound = seconds + CLIENT_GRACE if seconds else None
    cparams.setdefault('connection_factory',
                       _psycopg2_connection_class(connect_bound, wait_bound))


# MySQL and MariaDB through PyMySQL or mysqlclient

def _bound_mysql(cparams):
    cparams.setdefault('connect_timeout', CONF.database.connect_timeout)
    seconds = statement_timeout()
    if seconds:
        cparams.setdefault('read_timeout', seconds + CLIENT_GRACE)
        cparams.setdefault('write_timeout', seconds + CLIENT_GRACE)


def _server_bound_mysql(dbapi_connection, seconds):
    cursor = dbapi_connection.cursor()
    try:
        version = dbapi_connection.get_server_info()
        if 'mariadb' in version.lower():
            cursor.execute('SET SESSION max_statement_time = %d' % seconds)
        else:
            # NOTE: MySQL bounds only SELECT statements this way.
            cursor.execute('SET SESSION max_execution_time = %d'
                           % (seconds * 1000))
    finally:
        cursor.close()


def bound_new_connection(dialect, connection_record, cparams):
    """Bound the waits of a connection about to be made with ``cparams``.

    For SQLAlchemy's ``do_connect`` event of task_api's engines.
    """
    if dialect.driver == 'psycopg2':
        _bound_psycopg2(cparams)
    elif dialect.driver in ('pymysql', 'mysqldb'):
        _bound_mysql(cparams)
    elif dialect.name == 'sqlite':
        seconds = statement_timeout()
        if seconds:
            # NOTE: how long a statement waits for another process's lock.
            cparams.setdefault('timeout', seconds)
    if dialect.name == 'mysql':
        # NOTE: set on the server once connected, below.
        connection_record.info['task_api_mysql_statement_timeout'] = (
            statement_timeout())


def bound_on_server(dbapi_connection, connection_record):
    """Set the server's statement bound on a new MySQL connection.

    For SQLAlchemy's ``connect`` event of task_api's engines.
    """
    seconds = connection_record.info.get('task_api_mysql_statement_timeout')
    if seconds:
        _server_bound_mysql(dbapi_connection, seconds)
