"""task-api in keystone mode against a fake Keystone, as a process.

keystonemiddleware runs for real and talks HTTP to the identity server of
task_api.tests.functional.fake_keystone.
"""

import json
import subprocess

import fixtures

from task_api.tests import base
from task_api.tests.functional import fake_keystone
from task_api.tests.functional import server

UNAVAILABLE = (b'503 Service Unavailable\n\nThe server is currently '
               b'unavailable. Please try again at a later time.\n\n The '
               b'Keystone service is temporarily unavailable.  ')


class KeystoneTestCase(base.TestCase):

    SERVICE_ROLES = ('service',)

    def setUp(self):
        super().setUp()
        self.keystone = fake_keystone.FakeKeystone(
            service_roles=self.SERVICE_ROLES).start()
        self.addCleanup(self.keystone.stop)

    def start_server(self, **keystone_options):
        return self.useFixture(server.TaskApiServer(
            auth_mode='keystone',
            extra_lines=self.keystone.config_lines(**keystone_options)))

    def list_tasks(self, api, token=None):
        headers = {'Accept': 'text/plain'}
        if token:
            headers['X-Auth-Token'] = token
        return api.request('/v2/tasks', headers=headers)


class TestKeystone(KeystoneTestCase):

    def test_a_valid_token_is_served_and_no_token_is_401(self):
        api = self.start_server()
        token = self.keystone.add_token(['admin'])
        status, headers, body = self.list_tasks(api, token)
        self.assertEqual(200, status, body)
        self.assertEqual([], json.loads(body)['tasks'])
        status, headers, _body = self.list_tasks(api)
        self.assertEqual(401, status)
        self.assertEqual('Keystone uri="%s/v3"' % self.keystone.url,
                         headers['WWW-Authenticate'])
        status, _headers, _body = self.list_tasks(api, 'no-such-token')
        self.assertEqual(401, status)

    def test_malformed_answers_of_keystone_are_503(self):
        api = self.start_server()
        token = self.keystone.add_token(['admin'])
        for name in sorted(fake_keystone.GARBAGE):
            self.keystone.garbage = name
            status, headers, body = self.list_tasks(api, token)
            self.assertEqual(
                (503, UNAVAILABLE), (status, body), name)
            self.assertEqual('5', headers['Retry-After'], name)
        self.keystone.garbage = None
        status, _headers, body = self.list_tasks(api, token)
        self.assertEqual(200, status, body)
        log = api.read_log()
        self.assertNotIn('Traceback', log)
        self.assertIn('The identity service answered the validation of a '
                      'token with something unusable (KeyError', log)

    def test_malformed_answers_to_the_service_login_are_503(self):
        api = self.start_server()
        token = self.keystone.add_token(['admin'])
        self.keystone.garbage_on = 'login'
        for name in sorted(fake_keystone.GARBAGE):
            self.keystone.garbage = name
            status, headers, body = self.list_tasks(api, token)
            self.assertEqual((503, UNAVAILABLE), (status, body), name)
            self.assertEqual('5', headers['Retry-After'], name)
        self.keystone.garbage = None
        self.assertEqual(200, self.list_tasks(api, token)[0])
        self.assertNotIn('Traceback', api.read_log())

    def test_access_rules_of_application_credentials(self):
        # keystonemiddleware checks an application credential's access
        # rules against [keystone_authtoken] service_type.
        allowed = self.keystone.add_token(['member'], access_rules=[
            {'service': 'image', 'method': 'GET', 'path': '/v2/tasks'}])
        other = self.keystone.add_token(['member'], access_rules=[
            {'service': 'image', 'method': 'GET', 'path': '/v2/images'}])
        api = self.start_server()
        self.assertEqual(403, self.list_tasks(api, allowed)[0])
        self.assertEqual(401, self.list_tasks(api, other)[0])


class TestWithoutServiceType(KeystoneTestCase):

    def test_access_rules_need_service_type(self):
        allowed = self.keystone.add_token(['member'], access_rules=[
            {'service': 'image', 'method': 'GET', 'path': '/v2/tasks'}])
        api = self.start_server(service_type=None)
        self.assertEqual(401, self.list_tasks(api, allowed)[0])


class TestServiceUserWithoutServiceRole(KeystoneTestCase):
    """Keystone validates tokens only for a service user or an admin."""

    SERVICE_ROLES = ('member',)

    def test_every_request_is_503(self):
        api = self.start_server()
        token = self.keystone.add_token(['admin'])
        status, _headers, body = self.list_tasks(api, token)
        self.assertEqual((503, UNAVAILABLE), (status, body))


class TestIncompleteKeystoneConfiguration(KeystoneTestCase):
    """task-api refuses, on one line, to start without what it needs."""

    def refused(self, **keystone_options):
        """Start task-api; return the one line it exits 1 with."""
        tmp = self.useFixture(fixtures.TempDir()).path
        config = '%s/task_api.conf' % tmp
        lines = ['[DEFAULT]', 'state_path = %s/state' % tmp,
                 '[api]', 'bind_port = 0', 'auth_mode = keystone']
        lines += self.keystone.config_lines(**keystone_options)
        with open(config, 'w') as stream:
            stream.write('\n'.join(lines) + '\n')
        process = server.run_server(['--config-file', config],
                                    stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT, text=True)
        output, _ = process.communicate(timeout=60)
        self.assertEqual(1, process.returncode, output)
        self.assertNotIn('Traceback', output)
        errors = [line for line in output.splitlines() if 'ERROR' in line]
        self.assertEqual(1, len(errors), output)
        return errors[0]

    def assertRefused(self, expected, **keystone_options):
        self.assertIn('Invalid configuration: [api] auth_mode is keystone '
                      'but [keystone_authtoken] does not set %s: no request '
                      'could be authenticated' % expected,
                      self.refused(**keystone_options))

    def test_no_keystone_authtoken_section(self):
        everything = dict.fromkeys([
            'www_authenticate_uri', 'auth_url', 'auth_type', 'username',
            'password', 'user_domain_id', 'project_name',
            'project_domain_id', 'service_type'])
        self.assertRefused('auth_type, auth_url, username, password, '
                           'project_name', **everything)

    def test_each_missing_option(self):
        for option, expected in [
                ('auth_type', 'auth_type'),
                ('auth_url', 'auth_url'),
                ('username', 'username'),
                ('password', 'password'),
                ('user_domain_id', 'user_domain_id'),
                ('project_name', 'project_name'),
                ('project_domain_id', 'project_domain_id')]:
            self.assertRefused(expected, **{option: None})

    def test_unknown_auth_type(self):
        self.assertIn('Invalid configuration: [keystone_authtoken] '
                      'auth_type: no auth plugin is called passwd',
                      self.refused(auth_type='passwd'))
