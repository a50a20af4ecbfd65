"""Each layer of the API says what it is, and patches no library.

The schemas live apart from the controllers, successful responses are
built in one module, handlers that return WebOb responses are not
declared as if Pecan rendered them, the paste factories live apart from
the Pecan application, and the request log is a filter of the paste
pipeline that task-api's own server serves.
"""

import ast
import io
import logging
import os
import subprocess
import sys

import fixtures
import pecan
import pecan.core
import pecan.rest
import pecan.routing
import pecan.util
import webob
import webtest

import task_api
from task_api.api import app
from task_api.api.controllers import base as controllers
from task_api.api.controllers.v2 import root
from task_api.api.middleware import request_log
from task_api.api import pipeline
from task_api.common import masking
from task_api.tests import base
from task_api.tests.unit.api import base as api_base

API_DIR = os.path.join(os.path.dirname(task_api.__file__), 'api')
TASK = '5a1c7e0e-4b2d-4c8e-9f3a-0b1c2d3e4f5a'


def api_modules():
    """(path relative to task_api/api, parsed module) of every API module."""
    for directory, _dirs, names in os.walk(API_DIR):
        for name in sorted(names):
            if name.endswith('.py'):
                path = os.path.join(directory, name)
                with open(path) as stream:
                    yield (os.path.relpath(path, API_DIR),
                           ast.parse(stream.read(), path))


def imported_modules(code):
    """The task_api modules a fresh interpreter holds after ``code``."""
    output = subprocess.check_output([
        sys.executable, '-c',
        code + '\nimport sys\nprint("\\n".join(sorted(sys.modules)))'],
        text=True)
    return [name for name in output.split() if name.startswith('task_api')]


class TestSchemas(base.TestCase):

    def test_validation_imports_no_controller(self):
        modules = imported_modules('import task_api.api.validation')
        self.assertIn('task_api.api.schemas.tasks', modules)
        self.assertEqual([], [name for name in modules
                              if name.startswith('task_api.api.controllers')])


class TestResponses(base.TestCase):

    def test_one_module_builds_responses(self):
        builders = []
        for path, module in api_modules():
            for node in ast.walk(module):
                if (isinstance(node, ast.Call)
                        and isinstance(node.func, ast.Attribute)
                        and node.func.attr == 'Response'
                        and path != 'responses.py'):
                    builders.append('%s:%d' % (path, node.lineno))
        self.assertEqual([], builders)

    def test_no_controller_uses_another_controllers_helpers(self):
        borrowed = []
        for path, module in api_modules():
            if not path.startswith('controllers'):
                continue
            for node in ast.walk(module):
                if (isinstance(node, ast.ImportFrom)
                        and node.module == 'task_api.api.controllers.v2'):
                    # NOTE: the root controller mounts the others.
                    if path != os.path.join('controllers', 'v2', 'root.py'):
                        borrowed.append('%s:%d' % (path, node.lineno))
        self.assertEqual([], borrowed)


class TestHandlers(api_base.ApiTestCase):

    def test_handlers_render_nothing(self):
        from task_api.tests.unit.api import test_routes_policy
        for method, path, handler in test_routes_policy.routes():
            # NOTE: no template: Pecan sends the WebOb response the
            # handler returns, and renders nothing.
            self.assertEqual({'application/json': None},
                             handler._pecan['content_types'],
                             '%s %s' % (method, path))

    def test_responses_keep_their_headers(self):
        base.create_test_task(id=TASK, owner=api_base.ADMIN['X-Project-Id'])
        for path in ('/tasks', '/tasks/' + TASK, '/schemas/task',
                     '/images/%s/tasks' % TASK):
            response = self.get(path, headers=dict(
                api_base.ADMIN, Accept='text/html'))
            self.assertEqual('application/json',
                             response.headers['Content-Type'], path)
            self.assertEqual(str(len(response.body)),
                             response.headers['Content-Length'], path)


class TestPecanIsNotPatched(base.TestCase):

    def test_pecan_keeps_its_own_functions(self):
        app.setup_app()
        for module in (pecan.util, pecan.core, pecan.routing, pecan.rest):
            function = module.getargspec
            self.assertEqual(('pecan.util', 'getargspec'),
                             (function.__module__, function.__qualname__),
                             module.__name__)

    def test_routing_finds_the_handler_of_each_route(self):
        application = app.Application(root.V2Controller())
        request = pecan.Request.blank('/tasks/' + TASK)
        handler, remainder = application.route(request, application.root,
                                               '/tasks/' + TASK)
        self.assertEqual(('show', [TASK]), (handler.__name__, remainder))
        request = pecan.Request.blank('/schemas/tasks')
        handler, remainder = application.route(request, application.root,
                                               '/schemas/tasks')
        self.assertEqual(('get_all', []), (handler.__name__, remainder))


class TestHandlersReturnResponses(api_base.ApiTestCase):

    def test_a_handler_returning_a_document_is_a_500(self):
        class Rendered(controllers.RestController):
            _collection_methods = {'GET': 'get_all'}

            @controllers.expose
            @controllers.no_policy('a test')
            def get_all(self):
                return {'rendered': True}

        children = dict(root.V2Controller._children, extra=Rendered())
        self.useFixture(fixtures.MockPatchObject(
            root.V2Controller, '_children', children))
        logger = self.useFixture(fixtures.FakeLogger(name='task_api'))
        self.app = webtest.TestApp(api_base.noauth_app(),
                                   extra_environ=self.environ)
        response = self.get('/extra', status=500)
        self.assertNotIn('rendered', response.text)
        self.assertIn('returned dict, not a WebOb response', logger.output)


class BrokenChunks:
    """A server's stream of a chunked body whose coding breaks."""

    def __init__(self):
        self.sent = False

    def read(self, size=-1):
        if self.sent:
            raise ValueError('Bad chunked transfer size: zz')
        self.sent = True
        return b'{"type": '


class TestOneBodyReader(api_base.ApiTestCase):
    """Without the body middleware, a body is read as the pipeline reads it.

    The application of a test or of a host service may be built without
    the middleware; the handler reads the body through the same bounded
    stream, with the same answers.
    """

    def post(self, stream, **headers):
        request = webob.Request.blank(
            '/tasks', method='POST', headers=dict(api_base.ADMIN, **headers),
            environ=dict(self.environ))
        # NOTE: what a server gives for a chunked body: no length.
        request.environ.pop('CONTENT_LENGTH', None)
        request.environ['wsgi.input'] = stream
        return request.get_response(api_base.noauth_app())

    def test_a_broken_chunked_coding_is_400(self):
        response = self.post(BrokenChunks(), **{
            'Transfer-Encoding': 'chunked', 'Accept': 'application/json'})
        self.assertEqual(400, response.status_int, response.text)
        self.assertIn('The request body could not be read: Bad chunked '
                      'transfer size: zz.', response.json['message'])

    def test_a_chunked_body_past_the_limit_is_413(self):
        self.config(max_request_body_size=16, group='api')
        response = self.post(io.BytesIO(b'{"type": "import", "input": {}}'),
                             **{'Transfer-Encoding': 'chunked'})
        self.assertEqual(413, response.status_int, response.text)


class TestPasteFactories(base.TestCase):

    def test_the_pecan_module_holds_no_paste_factory(self):
        with open(os.path.join(os.path.dirname(pipeline.__file__),
                               '..', '..', 'etc', 'task_api',
                               'api-paste.ini')) as stream:
            paste = stream.read()
        self.assertNotIn('task_api.api.app:', paste)
        self.assertIn('task_api.api.pipeline:app_factory', paste)
        self.assertEqual([], [name for name in vars(app)
                              if name.endswith('factory')])


class TestTheCommandLogsNoRequest(base.TestCase):

    def test_the_command_does_not_log_requests(self):
        # NOTE: the server pipeline of api-paste.ini does
        # (task_api.tests.functional.api.test_request_log_filter).
        modules = imported_modules('import task_api.cmd.api')
        self.assertNotIn('task_api.api.middleware.request_log', modules)


class TestRequestLogMasksOnce(base.TestCase):
    """The log formatter masks a request's line; nothing masks it before."""

    def test_a_line_is_masked_once(self):
        calls = []
        mask = masking._mask_string

        def counting(text):
            calls.append(text)
            return mask(text)

        self.useFixture(fixtures.MonkeyPatch(
            'task_api.common.masking._mask_string', counting))
        stream = self.useFixture(fixtures.StringStream('log')).stream
        handler = logging.StreamHandler(stream)
        handler.setFormatter(masking.MaskingFormatter(
            logging.Formatter('%(message)s')))
        logger = logging.getLogger(request_log.__name__)
        logger.addHandler(handler)
        self.addCleanup(logger.removeHandler, handler)
        self.addCleanup(logger.setLevel, logger.level)
        logger.setLevel(logging.INFO)

        def refuse(environ, start_response):
            start_response('400 Bad Request',
                           [('Content-Type', 'application/json')])
            return [b'{"message": "Cannot read http://u:pw@example.com/"}']

        client = webtest.TestApp(request_log.RequestLogger(refuse))
        client.get('/v2/tasks?marker=http://admin:hunter2@example.com/x',
                   status=400)
        stream.seek(0)
        line = stream.read()
        self.assertIn('"GET /v2/tasks?marker=http://admin:***@example.com/x"'
                      ' status: 400', line)
        self.assertIn('reason: Cannot read http://u:***@example.com/', line)
        self.assertNotIn('hunter2', line)
        self.assertEqual(1, len(calls), calls)
