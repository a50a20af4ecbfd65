"""Log lines are masked once a program has set up logging, on every backend.

The logging is set up as the programs set it up (prepare_service, oslo.log,
a log file); the database errors are real ones, whose messages quote the
parameters of the statement.
"""

import logging
import os
import sys

import fixtures
from oslo_db import exception as db_exception
from oslo_log import log

from task_api.common import service
from task_api.db.sqlalchemy import api as sqla_api
from task_api.tests import base
from task_api.tests import fixtures as task_fixtures

LOG = log.getLogger('task_api.tests.log_masking')
TASK_ID = '00000000-0000-4000-8000-000000000001'


class LogMaskingMixin:

    def setUp(self):
        super().setUp()
        # NOTE: oslo.log replaces the root handlers and sets the levels of
        # many loggers; the tests run after this one in the process need
        # them back.
        root = logging.getLogger()
        loggers = logging.root.manager.loggerDict
        saved = (list(root.handlers), root.level, sys.excepthook,
                 {name: logger.level for name, logger in loggers.items()
                  if isinstance(logger, logging.Logger)})

        def restore():
            for handler in list(root.handlers):
                root.removeHandler(handler)
                if handler not in saved[0]:
                    handler.close()
            for handler in saved[0]:
                root.addHandler(handler)
            root.setLevel(saved[1])
            sys.excepthook = saved[2]
            for name, logger in list(loggers.items()):
                if isinstance(logger, logging.Logger):
                    logger.setLevel(saved[3].get(name, logging.NOTSET))
        self.addCleanup(restore)
        self.log_file = os.path.join(
            self.useFixture(fixtures.TempDir()).path, 'task_api.log')
        # NOTE: the test case parsed an empty command line; a program
        # parses its own. The options stay registered.
        service.CONF.clear()
        service.prepare_service(['--log-file', self.log_file],
                                default_config_files=[],
                                default_config_dirs=[])

    def output(self):
        with open(self.log_file) as stream:
            return stream.read()

    def test_database_error_quoting_parameters(self):
        engine = sqla_api.get_engine()
        base.insert_task_rows(engine, id=TASK_ID)
        try:
            base.insert_task_rows(
                engine, id=TASK_ID,
                owner='http://u:hunter2@h/x?token=t0k3n&n=1',
                user_id='"password": "s3cr3t"')
        except db_exception.DBError:
            LOG.exception('Could not store the task')
        else:
            self.fail('the duplicate task was stored')
        output = self.output()
        self.assertIn('Could not store the task', output)
        self.assertIn('Traceback', output)
        # NOTE: oslo.utils' mask_password masks up to the next space.
        self.assertIn("'http://u:***@h/x?token=***'", output)
        self.assertIn('"password": "***"', output)
        for secret in ('hunter2', 't0k3n', 's3cr3t'):
            self.assertNotIn(secret, output)

    def test_message_and_arguments(self):
        LOG.warning('Fetching %(url)s for %(input)s',
                    {'url': 'https://tok@h/o?X-Amz-Signature=abc',
                     'input': {'api_key': 'k3y', 'n': 1}})
        output = self.output()
        self.assertIn("Fetching https://***@h/o?X-Amz-Signature=*** for "
                      "{'api_key': '***', 'n': 1}", output)
        self.assertNotIn('k3y', output)


class TestLogMaskingSQLite(LogMaskingMixin, base.DbTestCase):
    """SQLite."""


class TestLogMaskingMySQL(LogMaskingMixin, base.DbTestCase):
    """MariaDB or MySQL."""

    FIXTURE = task_fixtures.MySQLDatabase


class TestLogMaskingPostgreSQL(LogMaskingMixin, base.DbTestCase):
    """PostgreSQL."""

    FIXTURE = task_fixtures.PostgreSQLDatabase
