"""task_api's database engines: their pool, their connections, their reads.

task_api keeps one pool of connections to a database server per process,
the enginefacade's: writes run in its transactions, reads on a connection
of the same pool, in autocommit mode where the driver switches it without
a round trip (see :func:`read`). Reads of a SQLite file have a pool of
their own (see :class:`_SQLiteFileReads`).

What task_api does to each new connection (the bounds of
:mod:`task_api.db.sqlalchemy.timeouts`, 4-byte UTF-8 on MySQL, WAL mode on
a SQLite file) is attached to task_api's own engines only, by
:func:`attach`: those the enginefacade creates, and any engine a test puts
in their place, which task_api attaches when it first uses it. Another
service's engines in the same process (glance-api, with task_api as a
plugin) are left as they are.
"""

import contextvars
import functools
from importlib import metadata
import threading
import time
from urllib import parse
import weakref

from oslo_db import exception as db_exc
from oslo_db.sqlalchemy import enginefacade
from oslo_db.sqlalchemy import exc_filters
from oslo_log import log
import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from task_api.db.sqlalchemy import timeouts

LOG = log.getLogger(__name__)

# NOTE: a context of task_api's own rather than oslo.db's global one, so
# that tests can swap it with ReplaceEngineFacadeFixture.
main_context_manager = enginefacade.transaction_context()
# NOTE: oslo.db sleeps at every connection check-in so that eventlet
# green threads may run; task_api runs on native threads, which need no
# such yield.
main_context_manager.configure(thread_checkin=False)

_ATTACHED = weakref.WeakSet()
_ATTACH_LOCK = threading.Lock()

#: Dialects whose reads run in autocommit mode: only where it saves round
#: trips. psycopg2 switches it on the client (a read is then one round
#: trip rather than BEGIN, SELECT and ROLLBACK); PyMySQL would send a
#: statement to switch it and two more to switch it back, where a read
#: costs one ROLLBACK without it; Python's sqlite3 begins no transaction
#: for a SELECT.
_AUTOCOMMIT_READS = frozenset(['postgresql'])


class _ConnectionSetup:
    """What task_api does to each new connection of one engine."""

    def __init__(self):
        self.sqlite_checked = False

    def do_connect(self, dialect, connection_record, cargs, cparams):
        timeouts.bound_new_connection(dialect, connection_record, cparams)
        # NOTE: oslo.db asks MySQL for its 3-byte "utf8" unless the URL
        # names a character set; task input and ids may hold any
        # character.
        if dialect.name == 'mysql' and cparams.get('charset') in (
                'utf8', 'utf8mb3'):
            cparams['charset'] = 'utf8mb4'

    def connect(self, dbapi_connection, connection_record):
        timeouts.bound_on_server(dbapi_connection, connection_record)
        if (not self.sqlite_checked
                and type(dbapi_connection).__module__.startswith('sqlite3')):
            self._sqlite_wal(dbapi_connection)

    def _sqlite_wal(self, dbapi_connection):
        # NOTE: in WAL mode readers do not wait for a writer, so show and
        # list keep answering while tasks are created or purged. The mode
        # is kept in the file: set by the first connection of the engine,
        # it holds for the others.
        # The switch needs the file to itself: while another program
        # (glance-api, sharing the file) writes, it fails at once, without
        # waiting. The connection then serves in the file's present mode,
        # and the engine's next new connection tries again.
        cursor = dbapi_connection.cursor()
        try:
            if cursor.execute('PRAGMA database_list').fetchone()[2]:
                cursor.execute('PRAGMA journal_mode=WAL')
        except dbapi_connection.OperationalError as error:
            LOG.debug('The SQLite file is not switched to WAL yet: %s',
                      error)
            return
        finally:
            cursor.close()
        self.sqlite_checked = True


def attach(engine):
    """Give ``engine``'s new connections task_api's setup; idempotent.

    Connections ``engine`` already holds are left as they are.

    :returns: ``engine``
    """
    if engine in _ATTACHED:
        return engine
    with _ATTACH_LOCK:
        if engine not in _ATTACHED:
            setup = _ConnectionSetup()
            sa.event.listen(engine, 'do_connect', setup.do_connect)
            sa.event.listen(engine, 'connect', setup.connect)
            _ATTACHED.add(engine)
    return engine


def _created(engine):
    attach(engine)
    # NOTE: with [database] max_retries set, oslo.db tried a connection
    # before this hook ran, and pooled it without task_api's setup.
    engine.dispose()


main_context_manager.append_on_engine_create(_created)


#: Name of task_api's engine plugin (entry point ``sqlalchemy.plugins``)
PLUGIN = 'task_api'
#: Seconds a pooled connection may rest before a read checks it at checkout
IDLE_CHECK_SECONDS = 5

_CHECKED_IN_AT = 'task_api.checked_in_at'
_UNCHECKED = 'task_api.unchecked'
_WRITING = contextvars.ContextVar('task_api_writing', default=False)


class EnginePlugin(sa.engine.CreateEnginePlugin):
    """SQLAlchemy plugin of task_api's engines: check connections on use.

    oslo.db builds its engines with the pool's ping at every checkout: a
    round trip, as costly as a read by primary key itself. task_api's
    engines (those whose URL names this plugin, see
    :func:`url_parameters`) check a pooled connection at checkout only
    when it is a write's, or when it rested more than
    :data:`IDLE_CHECK_SECONDS`: a connection found dead is replaced before
    use, as the pool's ping would. A read on a connection in steady use
    goes unchecked, and is run once more on a new connection when its
    connection turns out to be dead (see :func:`read`).
    """

    def update_url(self, url):
        # NOTE: no parameter of its own to take out of the URL.
        return url

    def handle_pool_kwargs(self, pool_cls, pool_args):
        pool_args['pre_ping'] = False

    def engine_created(self, engine):
        sa.event.listen(engine, 'connect', _fresh)
        sa.event.listen(engine, 'checkin', _checked_in)
        sa.event.listen(engine, 'checkout',
                        functools.partial(_check_at_checkout, engine.dialect))


def _fresh(dbapi_connection, connection_record):
    connection_record.info[_CHECKED_IN_AT] = None


def _checked_in(dbapi_connection, connection_record):
    if dbapi_connection is not None:
        connection_record.info[_CHECKED_IN_AT] = time.monotonic()


def _check_at_checkout(dialect, dbapi_connection, connection_record,
                       connection_proxy):
    info = connection_record.info
    checked_in_at = info.get(_CHECKED_IN_AT)
    if checked_in_at is None:
        # NOTE: a new connection; nothing to check.
        info[_UNCHECKED] = False
        return
    if (not _WRITING.get()
            and time.monotonic() - checked_in_at <= IDLE_CHECK_SECONDS):
        info[_UNCHECKED] = True
        return
    info[_UNCHECKED] = False
    try:
        alive = dialect.do_ping(dbapi_connection)
    except Exception as error:
        if not dialect.is_disconnect(error, dbapi_connection, None):
            raise
        alive = False
    if not alive:
        # NOTE: as the pool's own ping does: the other pooled connections
        # are as old, and replaced at their next checkout.
        raise sa_exc.InvalidatePoolError('connection found dead at checkout')


@functools.lru_cache(maxsize=1)
def _plugin_installed():
    return bool(metadata.entry_points(group='sqlalchemy.plugins',
                                      name=PLUGIN))


def url_parameters(parameters):
    """``[database] connection_parameters`` naming task_api's engine plugin.

    :param parameters: the operator's parameters, or None.
    :returns: the parameters with ``plugin=task_api`` appended, unless the
        plugin is not installed (a source tree run without installing
        task_api): then as given, and the engine keeps the pool's ping.
    """
    if not _plugin_installed():
        return parameters
    if PLUGIN in parse.parse_qs(parameters or '').get('plugin', ()):
        return parameters
    return '&'.join(filter(None, (parameters, 'plugin=' + PLUGIN)))


def configure(conf):
    """Have task_api's enginefacade build its engines with the plugin.

    Called once ``conf`` is loaded, before the first use of the database.
    """
    try:
        main_context_manager.configure(connection_parameters=url_parameters(
            conf.database.connection_parameters))
    except enginefacade.AlreadyStartedError:
        LOG.debug('task_api\'s database engine had started; it keeps its '
                  'configuration.')


def get_engine():
    """The writer engine, for migrations and operator commands."""
    return attach(main_context_manager.writer.get_engine())


def _reader_engine():
    return attach(main_context_manager.reader.get_engine())


def writer(fn):
    """Run ``fn(self, context, ...)`` in a transaction of the writer.

    As the enginefacade's ``writer.connection`` decorator, on an engine
    given task_api's setup first.
    """
    transaction = main_context_manager.writer.connection(fn)

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        get_engine()
        # NOTE: a write's connection is checked at checkout: a write is
        # never run twice, as one whose COMMIT was lost might have been
        # applied.
        token = _WRITING.set(True)
        try:
            return transaction(*args, **kwargs)
        finally:
            _WRITING.reset(token)

    return wrapper


class _SQLiteFileReads:
    """The pools of reads from SQLite files, one for each engine.

    oslo.db gives a SQLite file a NullPool: each transaction opens the
    file anew, which costs more than a read by primary key itself. Reads
    of such an engine's file take their connections from a QueuePool of
    their own instead, which holds no lock between reads: in WAL mode
    they never wait for the writer, nor the writer for them. Writes stay
    in the enginefacade's transactions. The pool is disposed with its
    engine.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._engines = weakref.WeakKeyDictionary()

    def get(self, engine):
        """The engine reads of ``engine``'s database use."""
        if (engine.dialect.name != 'sqlite'
                or not isinstance(engine.pool, sa.pool.NullPool)):
            return engine
        reads = self._engines.get(engine)
        if reads is None:
            with self._lock:
                reads = self._engines.get(engine)
                if reads is None:
                    reads = self._engines[engine] = self._create(engine)
                    sa.event.listen(engine, 'engine_disposed',
                                    self._dispose)
        return reads

    def _dispose(self, engine):
        reads = self._engines.pop(engine, None)
        if reads is not None:
            reads.dispose()

    @staticmethod
    def _create(engine):
        # NOTE: a connection to a file is no server's resource: the pool
        # keeps a few and opens more rather than making a read wait.
        reads = sa.create_engine(engine.url, poolclass=sa.pool.QueuePool,
                                 pool_size=5, max_overflow=-1,
                                 logging_name='task_api.sqlite_reads')
        # NOTE: its errors are the enginefacade's (oslo.db's exceptions).
        exc_filters.register_engine(reads)
        sa.event.listen(reads, 'connect', _small_page_cache)
        return attach(reads)


def _small_page_cache(dbapi_connection, connection_record):
    # NOTE: each kept connection has a page cache of its own (2 MB by
    # default), which would grow a worker by megabytes; the operating
    # system caches the file's pages for all of them.
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute('PRAGMA cache_size = -%d' % _READ_PAGE_CACHE_KIB)
    finally:
        cursor.close()


#: KiB of SQLite's page cache of each kept connection of reads
_READ_PAGE_CACHE_KIB = 256


_SQLITE_FILE_READS = _SQLiteFileReads()


class _UncheckedConnectionLost(Exception):
    """A read's connection, which went unchecked, was found dead."""


def _read_once(fn, context, args, kwargs, retry):
    """Run a read on a connection of the reads engine; see :func:`read`.

    :param retry: raise _UncheckedConnectionLost rather than the
        DBConnectionError of a connection that went unchecked.
    """
    engine = _SQLITE_FILE_READS.get(_reader_engine())
    with engine.connect() as connection:
        unchecked = connection.info.get(_UNCHECKED, False)
        driver = None
        if connection.dialect.name in _AUTOCOMMIT_READS:
            # NOTE: the driver's own switch, not SQLAlchemy's isolation
            # level option: that one sets READ COMMITTED back explicitly
            # when the connection returns to the pool, and psycopg2 then
            # sends a statement each time autocommit is switched off (a
            # second round trip per read). Switching ``autocommit`` alone,
            # on a connection whose isolation level was never set, sends
            # nothing.
            driver = connection.connection.dbapi_connection
            _switch_autocommit(connection, driver, True)
        try:
            return fn(connection, context, *args, **kwargs)
        except db_exc.DBConnectionError:
            if retry and unchecked:
                raise _UncheckedConnectionLost()
            raise
        finally:
            if driver is not None and not driver.closed:
                _switch_autocommit(connection, driver, False)


def _switch_autocommit(connection, driver, on):
    """Switch psycopg2's ``autocommit`` of a read's connection."""
    import psycopg2
    from psycopg2 import extensions
    try:
        if on and driver.status != extensions.STATUS_READY:
            # NOTE: the check of a connection that rested began a
            # transaction (psycopg2 begins one with any statement), which
            # would keep the switch from being made.
            driver.rollback()
        driver.autocommit = on
    except psycopg2.Error as error:
        # NOTE: the connection broke meanwhile: the pool must not hand it
        # out again, in either mode.
        connection.invalidate()
        if on:
            raise db_exc.DBConnectionError(error)
        LOG.info('A database connection could not leave autocommit mode '
                 '(%s); it is discarded.', error)


def read(fn, context, *args, **kwargs):
    """Run ``fn(connection, context, ...)``, a read of one statement or more.

    The connection comes from the enginefacade's pool. One that rested
    is checked at checkout and replaced when dead (the database
    restarted, a proxy timed out); one in steady use is not checked (see
    :class:`EnginePlugin`), and when it turns out to be dead the read
    runs once more, on a new connection: either way a restart costs no
    error. A database that stays unreachable raises DBConnectionError; a
    bound of :mod:`timeouts` that expires, too.
    """
    # NOTE: the dead connection invalidated the pool's older ones: the
    # second try runs on a new connection.
    return _once_more(_read_once, 'A pooled database connection was dead; '
                      'the read runs again on a new one.',
                      fn, context, args, kwargs)


def _once_more(attempt, message, *args):
    """``attempt(*args, retry=...)``, run again when its connection was lost.

    The first try raises _UncheckedConnectionLost for a connection found
    dead; ``message`` is logged and the second try reports such a loss as
    an error.
    """
    try:
        return attempt(*args, retry=True)
    except _UncheckedConnectionLost:
        LOG.info(message)
    return attempt(*args, retry=False)


def read_first(prepared, params):
    """The first row of :class:`PreparedRead` ``prepared``, or None.

    As ``read(lambda connection, context: prepared.first(connection,
    params), context)``, which it is on a database server. Reads of a
    SQLite file run on the driver connection of a pooled connection
    (:meth:`sqlalchemy.engine.Engine.raw_connection`), without a
    SQLAlchemy Connection around it: its construction, events and
    check-in cost a tenth of a show on SQLite. A file's connection that
    is found closed is invalidated and the read runs once more on a new
    one, as :func:`read` does.
    """
    engine = _reader_engine()
    reads = _SQLITE_FILE_READS.get(engine)
    if reads is engine:
        return read(_first, None, prepared, params)
    return _once_more(_first_of_file, 'A pooled SQLite connection was '
                      'closed; the read runs again on a new one.',
                      reads, prepared, params)


def _first(connection, context, prepared, params):
    return prepared.first(connection, params)


def _first_of_file(engine, prepared, params, retry):
    try:
        pooled = engine.raw_connection()
    except engine.dialect.loaded_dbapi.Error:
        # NOTE: a file that cannot be opened: SQLAlchemy's Connection
        # tries once more and reports the error as oslo.db classifies it.
        with engine.connect() as connection:
            return prepared.first(connection, params)
    try:
        try:
            return prepared.first_on_driver(
                engine.dialect, pooled.dbapi_connection, params)
        except _Disconnected as lost:
            error = lost.args[0]
            pooled.invalidate(error.orig)
            if retry:
                raise _UncheckedConnectionLost() from error.orig
            raise db_exc.DBConnectionError(error) from error.orig
    finally:
        pooled.close()


class _Disconnected(Exception):
    """The driver found a read's connection dead (see PreparedRead).

    Its argument is SQLAlchemy's wrapper of the driver's error.
    """


class PreparedRead:
    """A SELECT that SQLAlchemy compiles and the driver's cursor runs.

    For the hottest reads, of one row by key: SQLAlchemy's execution of a
    statement (its execution context, events and result object) costs
    more CPU than the read itself, about 80 µs of a show's 490 on
    PostgreSQL and 45 of 290 on SQLite. The statement is compiled by
    SQLAlchemy once per dialect, and its columns' values converted by
    their types' result processors, as SQLAlchemy would convert them; the
    connection is still checked out and returned through the pool, with
    its events.

    A connection the driver finds dead is handed to SQLAlchemy, which
    runs the statement on it again: it fails at once, and SQLAlchemy and
    oslo.db report it as every lost connection (the pool's other
    connections are replaced, and the error is DBConnectionError). Any
    other driver error is raised as oslo.db's DBError of SQLAlchemy's
    wrapper of it, without the statement's parameters: the classifiers of
    :mod:`task_api.db.errors` read it as they read oslo.db's own.

    :param statement: a SELECT whose bind parameters need no conversion
        on the way in (strings): they are given to the driver as they are.
    """

    def __init__(self, statement):
        self.statement = statement
        self._forms = weakref.WeakKeyDictionary()

    def _form(self, dialect):
        form = self._forms.get(dialect)
        if form is None:
            compiled = self.statement.compile(dialect=dialect)
            for bind in compiled.binds.values():
                if bind.type.dialect_impl(dialect).bind_processor(
                        dialect) is not None:
                    raise ValueError('bind parameter %s needs a conversion '
                                     'PreparedRead does not make'
                                     % bind.key)
            # NOTE: no type here depends on the driver's type code of the
            # column, which is not known before the statement runs.
            processors = (
                column.type.dialect_impl(dialect).result_processor(
                    dialect, None)
                for column in self.statement.selected_columns)
            # NOTE: only the columns that need a conversion are visited.
            conversions = tuple((index, process) for index, process
                                in enumerate(processors)
                                if process is not None)
            form = (compiled.string, compiled.positiontup, conversions)
            self._forms[dialect] = form
        return form

    def first(self, connection, params):
        """The first row, a tuple of the columns' values, or None.

        :param connection: a SQLAlchemy Connection, in a transaction or
            not: the statement runs on its driver connection as it is.
        :param params: the bind parameters, by name.
        """
        try:
            return self.first_on_driver(
                connection.dialect, connection.connection.dbapi_connection,
                params)
        except _Disconnected:
            row = connection.execute(self.statement, params).first()
            return None if row is None else tuple(row)

    def first_on_driver(self, dialect, driver, params):
        """As :meth:`first`, on a driver connection of ``dialect``.

        :raises _Disconnected: the connection is dead; the caller
            invalidates it.
        """
        sql, names, conversions = self._form(dialect)
        args = params if names is None else [params[name] for name in names]
        cursor = None
        try:
            cursor = driver.cursor()
            cursor.execute(sql, args)
            row = cursor.fetchone()
        except dialect.loaded_dbapi.Error as error:
            wrapped = sa_exc.DBAPIError.instance(
                sql, None, error, dialect.loaded_dbapi.Error,
                hide_parameters=True, dialect=dialect)
            if dialect.is_disconnect(error, driver, cursor):
                raise _Disconnected(wrapped) from error
            raise db_exc.DBError(wrapped) from error
        finally:
            if cursor is not None:
                _close(cursor, dialect)
        if row is None:
            return None
        row = list(row)
        for index, process in conversions:
            row[index] = process(row[index])
        return tuple(row)


def _close(cursor, dialect):
    try:
        cursor.close()
    except dialect.loaded_dbapi.Error:
        # NOTE: the connection's error, if any, was raised by the read.
        pass
