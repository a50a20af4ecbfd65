"""task-api-manage: operator commands on the task database."""

import sys

from oslo_config import cfg
from sqlalchemy.engine import url as sa_url

from task_api.common import service
from task_api.db import migration
from task_api import exception

CONF = cfg.CONF

PROG = 'task-api-manage'


class DBCommands:
    """The ``db`` category: schema of the task database."""

    def sync(self):
        """Create or upgrade the schema of the task database."""
        migration.upgrade(CONF.category.revision)

    def version(self):
        """Print the schema revision of the task database."""
        # NOTE: "None" is what an uninitialised database reports, so that
        # scripts can test for it before running "db sync".
        print(migration.version() or 'None')


def _add_db_parsers(subparsers):
    commands = DBCommands()
    parser = subparsers.add_parser(
        'db', help='Manage the task database.')
    actions = parser.add_subparsers(dest='action', metavar='<action>')
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


def add_command_parsers(subparsers):
    """Add the parsers of every command category."""
    _add_db_parsers(subparsers)


category_opt = cfg.SubCommandOpt(
    'category', title='Command categories',
    help='Available categories', handler=add_command_parsers)


def _root_cause(error):
    """The driver's own error behind a task_api or oslo.db exception."""
    cause = error
    while True:
        inner = (getattr(cause, 'orig', None)
                 or getattr(cause, 'inner_exception', None)
                 or cause.__cause__)
        if inner is None or inner is cause:
            return cause
        cause = inner


def _database_url():
    try:
        url = sa_url.make_url(CONF.database.connection)
    except Exception:
        return 'of [database] connection'
    return url.render_as_string(hide_password=True)


def _one_line(error):
    lines = [line.strip() for line in str(error).splitlines()]
    return next((line for line in lines if line), type(error).__name__)


def main(argv=None):
    """Entry point of task-api-manage; returns the exit status."""
    CONF.register_cli_opt(category_opt)
    try:
        service.prepare_service(argv)
    except cfg.Error as error:
        print('%s: %s' % (PROG, _one_line(error)), file=sys.stderr)
        return 2

    try:
        CONF.category.action_fn()
    except exception.DatabaseUnavailable as error:
        print('%s: cannot reach the database %s: %s'
              % (PROG, _database_url(), _one_line(_root_cause(error))),
              file=sys.stderr)
        return 1
    except exception.TaskApiException as error:
        print('%s: %s' % (PROG, _one_line(error)), file=sys.stderr)
        return 1
    return 0
