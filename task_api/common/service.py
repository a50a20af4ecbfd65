"""Start-up shared by task_api's programs: configuration, logging, checks.

``task-api``, the WSGI module and ``task-api-manage`` read the
configuration through :func:`prepare_service`. The servers then run
:func:`check_service`, which refuses, with one line saying what is wrong,
a configuration or a database they could never serve with.
"""

import os
import sys

from oslo_config import cfg
from oslo_log import log

from task_api.common import masking
from task_api import conf
from task_api.conf import opts
from task_api.db import errors as db_errors
from task_api.db import migration
from task_api.db.sqlalchemy import engines as db_engines
from task_api import exception
from task_api import version

CONF = conf.CONF
LOG = log.getLogger(__name__)

MANAGE = 'task-api-manage'


def prepare_service(argv=None, default_config_files=None,
                    default_config_dirs=None, prog=None, version=None,
                    description=None):
    """Parse the command line and configuration files, set up logging.

    :param argv: command-line arguments, program name excluded; defaults
        to ``sys.argv[1:]``.
    :param default_config_files: files read when ``--config-file`` is not
        given; ``None`` lets oslo.config look in its usual places.
    :param default_config_dirs: directories read likewise.
    :param prog: the program name ``--help`` shows.
    :param version: what ``--version`` prints; no ``--version`` when None.
    :param description: the text ``--help`` shows under the usage line.
    :raises: oslo_config.cfg.Error when a file is missing or malformed.
    """
    if argv is None:
        argv = sys.argv[1:]
    conf.set_defaults(CONF)
    log.register_options(CONF)
    opts.update_opt_defaults()
    CONF(argv, project='task_api', prog=prog, version=version,
         description=description,
         default_config_files=default_config_files,
         default_config_dirs=default_config_dirs)
    log.setup(CONF, 'task_api')
    masking.install_log_masking()
    db_engines.configure(CONF)


def prepare_command(argv, prog, description):
    """prepare_service for a console script, with its --version.

    A command line or configuration file oslo.config refuses ends the
    command with one line on standard error and exit status 2.
    """
    try:
        prepare_service(argv, prog=prog, version=version.version_string(),
                        description=description)
    except cfg.Error as error:
        print('%s: %s' % (prog, one_line(error)), file=sys.stderr)
        sys.exit(2)


def check_options(conf=None, groups=None):
    """Read every registered option once, so that a bad value shows now.

    oslo.config converts a value only when it is first read; without this
    an invalid value would surface as a 500 on the first request that
    needs it.

    :param groups: the names of the groups to read; all when None.
    :raises: task_api.exception.ConfigInvalid naming the option and the
        file it comes from.
    """
    conf = conf or CONF
    for name in sorted(groups if groups is not None else conf):
        group = _read(conf, None, name)
        if isinstance(group, cfg.ConfigOpts.GroupAttr):
            for dest in sorted(group):
                _read(group, name, dest, conf)


def _read(namespace, group, dest, conf=None):
    try:
        return namespace[dest]
    except cfg.Error as error:
        raise exception.ConfigInvalid(reason='[%s] %s: %s' % (
            group or 'DEFAULT', dest,
            _value_error(conf or namespace, group, dest, error))) from error


def _value_error(conf, group, dest, error):
    reason = one_line(error)
    if isinstance(error, cfg.ConfigFileValueError):
        # "Value for option X from LocationInfo(...) is not valid: why"
        reason = 'invalid value (%s)' % reason.rsplit(' is not valid: ', 1)[-1]
    where = _file_setting(conf, group or 'DEFAULT', dest)
    return '%s in %s' % (reason, where) if where else reason


def _file_setting(conf, group, dest):
    """The last configuration file that sets ``[group] dest``."""
    found = None
    for path in _config_files(conf):
        sections = {}
        try:
            cfg.ConfigParser(path, sections).parse()
        except (OSError, cfg.ParseError):
            continue
        if dest in sections.get(group, {}):
            found = path
    return found


def _config_files(conf):
    files = list(conf.config_file or [])
    for directory in conf.config_dir or []:
        try:
            names = sorted(os.listdir(directory))
        except OSError:
            continue
        files += [os.path.join(directory, name) for name in names
                  if name.endswith('.conf')]
    return files


def one_line(error):
    """The first non-empty line of an error's message."""
    lines = [line.strip() for line in str(error).splitlines()]
    return next((line for line in lines if line), type(error).__name__)


def database_url(connection=None):
    """``[database] connection`` with its password masked, for messages."""
    return (migration.masked_url(connection)
            or 'of [database] connection')


def unreachable(error):
    """One line saying that, and why, the database cannot be reached."""
    return 'cannot reach the database %s: %s' % (
        database_url(), one_line(db_errors.root_cause(error)))


def check_database():
    """Make sure the database can serve this version of task_api.

    The embedded SQLite database needs no operator and is created or
    upgraded here; any other must be reachable with the configured
    credentials and carry the current schema, which ``task-api-manage db
    sync`` makes.

    :raises: task_api.exception.ConfigInvalid with one line saying what is
        wrong.
    """
    try:
        if migration.is_embedded():
            migration.upgrade_embedded()
            return
        current = migration.version()
    except exception.DatabaseUnavailable as error:
        raise exception.ConfigInvalid(reason=unreachable(error)) from error
    except exception.ConfigInvalid:
        raise
    except Exception as error:
        # NOTE: a database that refuses task_api's statements (a missing
        # privilege, a wrong server) is no less permanent, and so is any
        # other error of task_api's own.
        raise exception.ConfigInvalid(reason='the database %s: %s' % (
            database_url(), one_line(db_errors.root_cause(error)))) from error
    head = migration.head()
    if current is None:
        raise exception.ConfigInvalid(
            reason='the database %s has no task_api schema; run "%s db '
                   'sync"' % (database_url(), MANAGE))
    if current != head and not migration.is_known(current):
        raise exception.ConfigInvalid(
            reason='the schema of the database %s is at revision %s, which '
                   'this task_api does not know (it needs %s): was it '
                   'upgraded by a newer release?'
                   % (database_url(), current, head))
    if current != head:
        raise exception.ConfigInvalid(
            reason='the schema of the database %s is at revision %s, this '
                   'task_api needs %s; run "%s db sync"'
                   % (database_url(), current, head, MANAGE))


def log_start():
    """Log the configuration files and the database in use."""
    files = _config_files(CONF)
    LOG.info('Configuration files: %s', ', '.join(files) or 'none')
    url = migration.masked_url()
    if url:
        LOG.info('Database: %s', url)


def load_application(name='main'):
    """Build the paste pipeline of the API, as the servers serve it.

    :param name: the application of the paste configuration: ``main``, or
        ``server`` for task-api's own server, which logs each request.

    The groups its filters and the policy enforcer register are read
    once too, so that a bad value there is refused now as well.

    :raises: task_api.exception.ConfigInvalid when the paste file or an
        option is wrong.
    """
    # NOTE: imported here: task-api-manage needs none of the API.
    from task_api.api import pipeline
    from task_api import policy
    try:
        application = pipeline.load_app(name)
        policy.get_enforcer()
    except exception.TaskApiException:
        raise
    except (LookupError, ValueError, ImportError, OSError,
            cfg.Error) as error:
        # NOTE: the option at fault, said as check_options says it.
        check_options()
        raise exception.ConfigInvalid(
            reason='cannot build the API from %s: %s: %s' % (
                CONF.api.paste_config, type(error).__name__,
                one_line(error))) from error
    check_options()
    return application


def check_service():
    """The start-up checks of the API servers (task-api, the WSGI module).

    :raises: task_api.exception.ConfigInvalid when the configuration or
        the database cannot serve.
    """
    check_options()
    log_start()
    check_database()
