"""Start-up checks shared by task-api and the WSGI module, in process."""

import os

import fixtures
import webtest

from task_api.api import keystone_check
from task_api.api.middleware import request_log
from task_api.api import pipeline
from task_api.common import service
from task_api import exception
from task_api.tests import base
from task_api.tests import keystone


class TestCheckOptions(base.TestCase):

    def write(self, text):
        path = os.path.join(self.useFixture(fixtures.TempDir()).path,
                            'task_api.conf')
        with open(path, 'w') as stream:
            stream.write(text)
        service.CONF(['--config-file', path], project='task_api')
        return path

    def test_valid_configuration_passes(self):
        self.write('[api]\nbind_port = 8080\n[task]\ntask_time_to_live = 2\n')
        service.check_options()

    def test_invalid_value_names_option_and_file(self):
        path = self.write('[api]\nlimit_param_default = 0\n')
        error = self.assertRaises(exception.ConfigInvalid,
                                  service.check_options)
        self.assertEqual(
            'Invalid configuration: [api] limit_param_default: invalid '
            'value (Should be greater than or equal to 1) in %s' % path,
            str(error))

    def test_invalid_value_of_a_library_option(self):
        path = self.write('[database]\nmax_pool_size = lots\n')
        error = self.assertRaises(exception.ConfigInvalid,
                                  service.check_options)
        self.assertIn('[database] max_pool_size: invalid value', str(error))
        self.assertTrue(str(error).endswith(' in %s' % path))


class TestKeystoneCheck(base.TestCase):

    def setUp(self):
        super().setUp()
        self.config(auth_mode='keystone', group='api')

    def configure(self, **overrides):
        self.useFixture(keystone.KeystoneAuthtoken(**overrides))

    def test_complete_configuration_passes(self):
        self.configure()
        keystone_check.check()

    def test_missing_credentials_are_named(self):
        self.configure(username=None, password=None)
        error = self.assertRaises(exception.ConfigInvalid,
                                  keystone_check.check)
        self.assertEqual(
            'Invalid configuration: [api] auth_mode is keystone but '
            '[keystone_authtoken] does not set username, password: no '
            'request could be authenticated', str(error))

    def test_user_id_needs_no_domain(self):
        self.configure(username=None, user_domain_id=None, user_id='abc')
        keystone_check.check()

    def test_project_id_needs_no_domain(self):
        self.configure(project_name=None, project_domain_id=None,
                       project_id='abc')
        keystone_check.check()

    def test_nothing_set_names_what_is_needed(self):
        error = self.assertRaises(exception.ConfigInvalid,
                                  keystone_check.check)
        self.assertIn('[keystone_authtoken] does not set auth_type, '
                      'auth_url, username, password, project_name:',
                      str(error))
        # The global configuration gained no required option: it parses
        # again as before.
        keystone_check.CONF([], project='task_api', default_config_files=[],
                            default_config_dirs=[])

    def test_options_in_a_file(self):
        path = os.path.join(self.useFixture(fixtures.TempDir()).path,
                            'task_api.conf')
        with open(path, 'w') as stream:
            stream.write('[keystone_authtoken]\n' + ''.join(
                '%s = %s\n' % item for item in keystone.COMPLETE.items()
                if item[0] != 'password'))
        keystone_check.CONF(['--config-file', path], project='task_api')
        error = self.assertRaises(exception.ConfigInvalid,
                                  keystone_check.check)
        self.assertIn('does not set password:', str(error))

    def test_paste_loading_refuses_too(self):
        self.configure(auth_url=None)
        error = self.assertRaises(exception.ConfigInvalid, pipeline.load_app)
        self.assertIn('does not set auth_url', str(error))


class TestReason(base.TestCase):

    def test_json_bodies(self):
        self.assertEqual('Bad sort key.', request_log.reason(
            b'{"message": "Bad sort key.", "code": "400 Bad Request"}',
            'application/json'))
        self.assertEqual('Bad sort key.', request_log.reason(
            b'{"error": {"code": 400, "message": "Bad<br /><br />sort '
            b'key."}}', 'application/json; charset=UTF-8'))

    def test_plain_and_html_bodies(self):
        self.assertEqual('Bad sort key.', request_log.reason(
            b'400 Bad Request\n\nBad sort key.\n\n   ', 'text/plain'))
        self.assertEqual('400 Bad Request Bad sort key.', request_log.reason(
            b'<html><body><h1>400 Bad Request</h1>Bad sort key.</body>'
            b'</html>', 'text/html'))

    def test_headers_hide_credentials(self):
        self.assertEqual(
            ['Content-Type: application/json', 'Authorization: ***',
             'User-Agent: curl', 'X-Auth-Token: ***'],
            request_log.request_headers({
                'HTTP_X_AUTH_TOKEN': 'gAAAAAtoken',
                'HTTP_AUTHORIZATION': 'Basic abc',
                'HTTP_USER_AGENT': 'curl',
                'CONTENT_TYPE': 'application/json',
                'PATH_INFO': '/v2/tasks'}))


class TestRequestLogger(base.TestCase):

    def test_an_app_that_raises_before_answering_gets_a_500(self):
        def broken(environ, start_response):
            raise KeyError('token')

        app = webtest.TestApp(request_log.RequestLogger(broken))
        response = app.get('/v2/tasks', status=500)
        self.assertEqual({'message': 'The server failed to answer the '
                                     'request.',
                          'code': '500 Internal Server Error',
                          'title': 'Internal Server Error'}, response.json)
        self.assertEqual('application/json', response.content_type)

    def test_an_answer_that_breaks_off_is_not_hidden(self):
        def breaks(environ, start_response):
            start_response('200 OK', [('Content-Type', 'text/plain')])
            yield b'half'
            raise KeyError('later')

        app = webtest.TestApp(request_log.RequestLogger(breaks))
        self.assertRaises(KeyError, app.get, '/v2/tasks')
