"""The local, global and client request ids of an API call.

What a client and an operator see: the x-openstack-request-id answered,
the request_id stored with the task a call creates, and the two ids of
the call's log lines (oslo.log's ``global_request_id`` and
``request_id``).
"""

import io
import logging

from oslo_config import cfg
from oslo_log import formatters
from oslo_log import log
from oslo_utils import uuidutils
import sqlalchemy as sa
import webtest

from task_api.api import app
from task_api.api.middleware import auth
from task_api.api.middleware import base as middleware_base
from task_api.api.middleware import request_id
from task_api.db.sqlalchemy import api as sqla_api
from task_api.tests.unit.api import base as api_base

LOGGER = 'task_api.tests.probe'
REQUEST_ID = (r'req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-'
              r'[0-9a-f]{12}')


def capture_log_lines(test, line_format, *loggers):
    """Lines of ``loggers`` (INFO and up) in ``line_format``, for ``test``.

    oslo.log's formatter with options of its own, so that the lines show
    just the fields a test is about; a line logged without a context is
    ``no context: <message>``.
    """
    log_conf = cfg.ConfigOpts()
    log.register_options(log_conf)
    log_conf([])
    log_conf.set_override('logging_context_format_string', line_format)
    log_conf.set_override('logging_default_format_string',
                          'no context: %(message)s')
    output = io.StringIO()
    handler = logging.StreamHandler(output)
    handler.setFormatter(formatters.ContextFormatter(config=log_conf))
    for name in loggers:
        logger = logging.getLogger(name)
        logger.addHandler(handler)
        test.addCleanup(logger.removeHandler, handler)
        test.addCleanup(logger.setLevel, logger.level)
        logger.setLevel(logging.INFO)
    return output


class LogInTheCall(middleware_base.Middleware):
    """Logs a line where the handlers of a call log theirs."""

    message = 'in the call'

    def __call__(self, environ, start_response):
        logging.getLogger(LOGGER).warning(self.message)
        return self.application(environ, start_response)


class TestRequestIds(api_base.ApiTestCase):

    def setUp(self):
        super().setUp()
        self.output = capture_log_lines(
            self, 'global=%(global_request_id)s local=%(request_id)s '
                  '%(message)s', LOGGER, request_id.__name__)
        pipeline = request_id.RequestIdMiddleware(
            auth.NoAuthMiddleware(auth.ContextMiddleware(
                LogInTheCall(app.setup_app()))))
        self.app = webtest.TestApp(pipeline, extra_environ=self.environ)

    def create(self, client_id=None):
        headers = dict(api_base.ADMIN)
        if client_id is not None:
            headers['X-Openstack-Request-Id'] = client_id
        response = self.app.post_json(
            '/tasks', {'type': 'location_import', 'input': {}},
            headers=headers, status=201)
        with sqla_api.get_engine().connect() as connection:
            stored = connection.execute(sa.text(
                'SELECT request_id FROM tasks WHERE id = :id'),
                {'id': response.json['id']}).scalar_one()
        return response, stored, self.output.getvalue().splitlines()

    def test_a_req_uuid_of_the_client_is_the_global_id(self):
        client_id = 'req-' + uuidutils.generate_uuid()
        response, stored, lines = self.create(client_id)
        self.assertEqual(client_id,
                         response.headers['x-openstack-request-id'])
        self.assertEqual(client_id, stored)
        self.assertEqual(client_id, response.json['request_id'])
        self.assertEqual(1, len(lines), lines)
        self.assertRegex(lines[0], r'^global=%s local=(%s) in the call$'
                         % (client_id, REQUEST_ID))
        self.assertNotIn('local=' + client_id, lines[0])

    def test_without_a_client_id_the_local_id_is_answered_and_stored(self):
        response, stored, lines = self.create()
        answered = response.headers['x-openstack-request-id']
        self.assertRegex(answered, '^%s$' % REQUEST_ID)
        self.assertEqual(answered, stored)
        self.assertEqual(['global=None local=%s in the call' % answered],
                         lines)

    def test_other_client_ids_are_answered_but_are_no_global_id(self):
        # As Glance answers: the client's id, req- prefixed when it lacks
        # it. Only a req-<uuid> is a global request id (oslo.middleware).
        bare_uuid = uuidutils.generate_uuid()
        for sent, answered in (('abc', 'req-abc'),
                               ('req-create-1', 'req-create-1'),
                               (bare_uuid, 'req-' + bare_uuid),
                               ('REQ-' + bare_uuid.upper(),
                                'req-REQ-' + bare_uuid.upper())):
            self.output.truncate(0)
            self.output.seek(0)
            response, stored, lines = self.create(sent)
            self.assertEqual(answered,
                             response.headers['x-openstack-request-id'])
            self.assertEqual(answered, stored)
            # One line leads from the answered id to the local one.
            self.assertEqual(2, len(lines), lines)
            local = lines[1].split()[1][len('local='):]
            self.assertRegex(local, '^%s$' % REQUEST_ID)
            self.assertEqual(
                ['global=None local=%s X-Openstack-Request-Id %s is not of '
                 'the form req-<uuid>: it is answered and recorded with the '
                 'tasks this request creates, but it is no global request '
                 'id; this request is logged as %s' % (local, answered,
                                                       local),
                 'global=None local=%s in the call' % local], lines)

    def test_each_call_has_its_own_local_id(self):
        client_id = 'req-' + uuidutils.generate_uuid()
        first = self.create(client_id)[2]
        second = self.create(client_id)[2][len(first):]
        self.assertEqual(1, len(second))
        self.assertNotEqual(first[0].split()[1], second[0].split()[1])

    def test_a_refused_client_id_creates_nothing(self):
        response = self.app.post_json(
            '/tasks', {'type': 'location_import', 'input': {}},
            headers=dict(api_base.ADMIN,
                         **{'X-Openstack-Request-Id': 'req-' + 'x' * 61}),
            status=400)
        self.assertEqual('400 Bad Request\n\nX-Openstack-Request-Id is '
                         'longer than 64 characters, counting the req- '
                         'prefix.\n\n   ', response.text)
        with sqla_api.get_engine().connect() as connection:
            self.assertEqual(0, connection.execute(sa.text(
                'SELECT count(*) FROM tasks')).scalar_one())
