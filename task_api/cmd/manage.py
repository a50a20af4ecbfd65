"""task-api-manage: operator commands on the task database."""

import argparse
import datetime
import sys

from oslo_config import cfg
from oslo_db import exception as db_exc
from oslo_log import log
from oslo_utils import timeutils
from sqlalchemy import exc as sa_exc

from task_api.common import service
from task_api import conf as task_conf
from task_api import context as task_context
from task_api.db import api as db_api
from task_api.db import errors as db_errors
from task_api.db import migration
from task_api import exception

CONF = task_conf.CONF
LOG = log.getLogger(__name__)

PROG = 'task-api-manage'

#: Defaults of ``db purge``.
DEFAULT_AGE_IN_DAYS = 30
DEFAULT_MAX_ROWS = 1000


class PurgeFailed(exception.TaskApiException):
    _msg_fmt = 'the purge stopped after deleting %(deleted)d tasks: %(reason)s'


def purge_cutoff(age_in_days, now=None):
    """The cutoff of ``db purge``: ``age_in_days`` days before now.

    Whole seconds, so that the cutoff printed is exactly the one applied;
    an age reaching before the year 1 is the year 1, before which no task
    can be.
    """
    now = (now or timeutils.utcnow()).replace(microsecond=0)
    try:
        return now - datetime.timedelta(days=age_in_days)
    except OverflowError:
        return datetime.datetime.min


def purge_batches(older_than, max_rows, dbapi=None):
    """Delete every task expired or soft-deleted before ``older_than``.

    Each batch of at most ``max_rows`` tasks goes with its task_info rows
    in a transaction of its own, so that no reader waits for long while a
    large backlog goes; batches follow one another until one comes back
    short, which means nothing is left (or that a purge running at the same
    time is taking the rest).

    :param older_than: naive UTC datetime, the cutoff.
    :param max_rows: the batch size, at least 1.
    :param dbapi: the DB API; the configured one when None.
    :returns: an iterator of the number of tasks each batch deleted.
    :raises: task_api.exception.DatabaseUnavailable
    """
    if max_rows < 1:
        raise exception.Invalid('The batch size must be at least 1.')
    dbapi = dbapi or db_api.get_instance()
    context = task_context.get_admin_context()
    while True:
        deleted = dbapi.task_purge(context, older_than, max_rows)
        yield deleted
        if deleted < max_rows:
            return


def purge_tasks(older_than, max_rows, dbapi=None):
    """Run :func:`purge_batches` to the end; return the tasks deleted."""
    return sum(purge_batches(older_than, max_rows, dbapi=dbapi))


class DBCommands:
    """The ``db`` category: schema and upkeep of the task database."""

    def sync(self):
        """Create or upgrade the schema of the task database."""
        before = migration.version()
        migration.upgrade(CONF.category.revision)
        after = migration.version()
        if before == after:
            print('Database %s already at revision %s; nothing to do'
                  % (service.database_url(), after))
        else:
            print('Database %s at revision %s (was %s)'
                  % (service.database_url(), after, before or 'empty'))

    def version(self):
        """Print the schema revision of the task database."""
        # NOTE: "None" is what an uninitialised database reports, so that
        # scripts can test for it before running "db sync".
        print(migration.version() or 'None')

    def purge(self):
        """Delete for good the tasks expired or deleted long enough ago."""
        cutoff = purge_cutoff(CONF.category.age_in_days)
        # NOTE: reach the database as "db version" does first, so that one
        # that is down is reported the same way.
        if migration.version() is None:
            raise exception.TaskApiException(
                'the database %s has no task_api schema; run "%s db sync" '
                'first' % (service.database_url(), PROG))
        total = 0
        try:
            for deleted in purge_batches(cutoff, CONF.category.max_rows):
                total += deleted
                LOG.debug('Purged a batch of %(deleted)d tasks, %(total)d '
                          'so far', {'deleted': deleted, 'total': total})
        except exception.DatabaseUnavailable as error:
            if not total:
                raise
            # NOTE: the batches committed so far stay deleted; say how many.
            raise PurgeFailed(deleted=total, reason=service.unreachable(error))
        except (db_exc.DBError, sa_exc.SQLAlchemyError) as error:
            raise PurgeFailed(deleted=total,
                              reason=service.one_line(
                                  db_errors.root_cause(error)))
        print('Purged %d tasks (and their task_info rows) expired or deleted '
              'before %sZ' % (total, cutoff.isoformat()))


def _integer(minimum):
    """An argparse type: an integer of at least ``minimum``."""

    def convert(value):
        try:
            number = int(value)
        except ValueError:
            number = None
        if number is None or number < minimum:
            raise argparse.ArgumentTypeError(
                'must be an integer of at least %d, not %r'
                % (minimum, value))
        return number

    return convert


class _ActionParser(argparse.ArgumentParser):
    """The parser of one action: its usage errors fit on one line."""

    def error(self, message):
        self.exit(2, '%s: %s (see "%s --help")\n'
                  % (PROG, message, self.prog))


def _add_db_parsers(subparsers):
    commands = DBCommands()
    parser = subparsers.add_parser(
        'db', help='Manage the task database.')
    actions = parser.add_subparsers(dest='action', metavar='<action>',
                                    parser_class=_ActionParser)
    actions.required = True

    sync = actions.add_parser(
        'sync', help='Create the tables of the task database, or upgrade '
                     'them to the latest schema. Running it again is '
                     'harmless.')
    sync.add_argument(
        '--revision', default='head',
        help='The schema revision to upgrade to (default: %(default)s).')
    sync.set_defaults(action_fn=commands.sync)

    version = actions.add_parser(
        'version', help='Print the schema revision of the task database, '
                        'or "None" when "db sync" has never run on it.')
    version.set_defaults(action_fn=commands.version)

    purge = actions.add_parser(
        'purge', help='Delete for good the tasks that expired or were '
                      'deleted more than --age-in-days days ago, with their '
                      'task_info rows, in batches of --max-rows tasks, each '
                      'in a short transaction of its own; safe to run while '
                      'the API serves. Prints how many tasks went.')
    purge.add_argument(
        '--age-in-days', type=_integer(0), default=DEFAULT_AGE_IN_DAYS,
        metavar='DAYS',
        help='Purge the tasks expired or deleted more than DAYS days ago '
             '(default: %(default)s); 0 purges all of them.')
    purge.add_argument(
        '--max-rows', type=_integer(1), default=DEFAULT_MAX_ROWS,
        metavar='ROWS',
        help='The batch size: most tasks deleted per transaction '
             '(default: %(default)s). The command goes on batch after '
             'batch until nothing is left.')
    purge.set_defaults(action_fn=commands.purge)


def add_command_parsers(subparsers):
    """Add the parsers of every command category."""
    _add_db_parsers(subparsers)


category_opt = cfg.SubCommandOpt(
    'category', title='Command categories',
    help='Available categories', handler=add_command_parsers)


def main(argv=None):
    """Entry point of task-api-manage; returns the exit status."""
    CONF.register_cli_opt(category_opt)
    try:
        service.prepare_service(argv, prog=PROG)
    except cfg.Error as error:
        print('%s: %s' % (PROG, service.one_line(error)), file=sys.stderr)
        return 2
    try:
        service.check_options()
    except exception.ConfigInvalid as error:
        print('%s: %s' % (PROG, service.one_line(error)), file=sys.stderr)
        return 2

    try:
        CONF.category.action_fn()
    except exception.DatabaseUnavailable as error:
        print('%s: %s' % (PROG, service.unreachable(error)), file=sys.stderr)
        return 1
    except exception.TaskApiException as error:
        print('%s: %s' % (PROG, service.one_line(error)), file=sys.stderr)
        return 1
    except (db_exc.DBError, sa_exc.SQLAlchemyError) as error:
        # NOTE: e.g. PostgreSQL 15's "permission denied for schema public"
        # when the user may not create tables.
        print('%s: the database %s refused: %s' % (
            PROG, service.database_url(),
            service.one_line(db_errors.root_cause(error))), file=sys.stderr)
        return 1
    return 0
