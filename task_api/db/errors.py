"""What an error of the database means to task_api: the one classifier.

oslo.db's filters translate the drivers' errors on the engines it makes
(task_api's) into the classes of ``oslo_db.exception``: a lost or refused
connection is ``DBConnectionError``, a value too long for MySQL is
``DBDataError``, and so on. The predicates here ask those classes first,
and a driver's own code only for what oslo.db leaves untranslated: a
statement the server cancelled at its timeout, a table PostgreSQL or
MySQL does not know (oslo.db raises MySQL's 1146 as it is), SQLite's
busy writer, a connection that failed outside a statement. Engines made
with plain SQLAlchemy raise untranslated errors; they read the same.

Each predicate looks at every error in the chain :func:`chain` walks, so
that it answers alike for the driver's error, SQLAlchemy's wrapper of it,
oslo.db's translation and a task_api exception raised from any of them.
"""

import sqlite3

from oslo_db import exception as db_exc
from sqlalchemy import exc as sa_exc

# NOTE: the drivers' codes of what oslo.db does not translate.
#: PostgreSQL's SQLSTATEs: query_canceled (by statement_timeout) and
#: undefined_table
_PG_QUERY_CANCELED = '57014'
_PG_UNDEFINED_TABLE = '42P01'
#: MariaDB's ER_STATEMENT_TIMEOUT and MySQL's ER_QUERY_TIMEOUT
_MYSQL_STATEMENT_TIMEOUT = (1969, 3024)
_MYSQL_NO_SUCH_TABLE = 1146


def chain(error, implicit=False):
    """``error`` and each error behind it, outermost first, each once.

    Behind an error are the one it wraps (oslo.db's ``inner_exception``,
    SQLAlchemy's ``orig``: the driver's) and the one it was raised from.

    :param implicit: also the one that was being handled when it was
        raised (``__context__``): PyMySQL reports its socket's timeout only
        that way.
    """
    seen = set()
    pending = [error]
    while pending:
        error = pending.pop()
        if error is None or id(error) in seen:
            continue
        seen.add(id(error))
        yield error
        behind = [getattr(error, 'inner_exception', None),
                  getattr(error, 'orig', None), error.__cause__]
        if implicit:
            behind.append(error.__context__)
        pending.extend(reversed(behind))


def root_cause(error):
    """The innermost error behind ``error``, for messages to operators."""
    for error in chain(error):
        pass
    return error


def _wraps(error):
    return ((isinstance(error, db_exc.DBError)
             and error.inner_exception is not None)
            or (isinstance(error, sa_exc.StatementError)
                and error.orig is not None))


def driver_error(error):
    """The driver's own error inside oslo.db's and SQLAlchemy's wrappers.

    Its text, unlike SQLAlchemy's, quotes no statement parameter.
    """
    return next((cause for cause in chain(error) if not _wraps(cause)),
                error)


def _mysql_code(error):
    if type(error).__module__.startswith(('pymysql', 'MySQLdb')):
        args = getattr(error, 'args', ())
        if args and isinstance(args[0], int):
            return args[0]
    return None


def _sqlite_busy(error):
    # NOTE: SQLITE_BUSY, whose message every version of SQLite keeps.
    return (isinstance(error, sqlite3.Error)
            and 'database is locked' in str(error))


def _cancelled(error):
    """A statement the server ran out of time for (see timeouts)."""
    return (getattr(error, 'pgcode', None) == _PG_QUERY_CANCELED
            or _mysql_code(error) in _MYSQL_STATEMENT_TIMEOUT
            or _sqlite_busy(error))


def _outage(error):
    if isinstance(error, (db_exc.DBConnectionError,
                          db_exc.DBNonExistentDatabase,
                          sa_exc.TimeoutError)):
        return True
    if _cancelled(error):
        return True
    # NOTE: a connection that failed outside a statement, or that the
    # statement found dead. A statement the server refused is no outage,
    # although MySQL reports some of those as OperationalError too.
    return (isinstance(error, (sa_exc.OperationalError,
                               sa_exc.InterfaceError))
            and (error.statement is None or error.connection_invalidated))


def is_unavailable(error):
    """Whether ``error`` means the database cannot serve at the moment.

    It cannot be reached, it did not answer in time (connect, statement or
    a pooled connection: see [database] connect_timeout, statement_timeout
    and pool_timeout), or its connection was lost.
    """
    return any(_outage(cause) for cause in chain(error))


def timed_out(error):
    """Whether ``error`` comes from a bound on waiting for the database.

    A timed-out request is not retried: the database is hung, not
    restarted, and a retry would only double the wait.
    """
    return any(isinstance(cause, TimeoutError)
               for cause in chain(error, implicit=True))


def is_refused_value(error):
    """Whether the database refused a value it was given to store.

    A string too long for its column, a character the column's encoding
    lacks, or one the driver cannot send (a NUL to PostgreSQL, a lone
    surrogate), which the driver reports as a ValueError.
    """
    return any(isinstance(cause, (db_exc.DBDataError,
                                  db_exc.DBInvalidUnicodeParameter,
                                  sa_exc.DataError, ValueError))
               for cause in chain(error))


def is_sqlite_busy(error):
    """Whether SQLite refused a write because another one holds the file.

    SQLite has one writer: a transaction that read before it writes fails
    at once when another wrote in between (its snapshot is stale). Nothing
    was written, and the transaction may run again.
    """
    return any(_sqlite_busy(cause) for cause in chain(error))


def is_missing_table(error):
    """Whether the database refused a statement naming an absent table."""
    return any(isinstance(cause, db_exc.DBNonExistentTable)
               or getattr(cause, 'pgcode', None) == _PG_UNDEFINED_TABLE
               or _mysql_code(cause) == _MYSQL_NO_SUCH_TABLE
               or (isinstance(cause, sqlite3.Error)
                   and 'no such table' in str(cause))
               for cause in chain(error))
