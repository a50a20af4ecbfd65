"""noauth mode answers loopback peers and allowed web origins only."""

import fixtures

from task_api.api.middleware import auth
from task_api.tests import base
from task_api.tests.unit.api import base as api_base

TASK_ID = '20840546-7c1e-4c1f-9b7e-2f8c0c6d8a11'
ORIGIN = 'https://dashboard.example.com'
PEER_REFUSED = ('The API runs without authentication and answers loopback '
                'addresses only; set [api] allow_noauth_on_public_bind = '
                'true to serve other hosts.')
ORIGIN_REFUSED = ('The API runs without authentication and answers no web '
                  'page of an origin that [cors] allowed_origin does not '
                  'list.')


def forbidden(explanation):
    return {'message': explanation + '<br /><br />\n\n\n',
            'code': '403 Forbidden', 'title': 'Forbidden'}


class NoAuthPeersMixin:
    """Which peers and origins noauth mode answers; ``path`` is a task."""

    def setUp(self):
        super().setUp()
        base.create_test_task()
        self.logger = self.useFixture(fixtures.FakeLogger(name='task_api'))

    def call(self, method='GET', peer='127.0.0.1', headers=None, **kw):
        path = self.prefix + '/tasks'
        if method == 'GET':
            path += '/' + TASK_ID
        return self.app.request(
            path, method=method, environ=dict(self.environ, REMOTE_ADDR=peer),
            headers=dict({'Accept': 'application/json'}, **(headers or {})),
            expect_errors=True, **kw)

    def assertRefused(self, response, explanation):
        self.assertEqual(403, response.status_int)
        self.assertEqual(forbidden(explanation), response.json)

    def test_loopback_peers_are_served(self):
        for peer in ('127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1'):
            response = self.call(peer=peer)
            self.assertEqual(200, response.status_int, peer)
            self.assertEqual(TASK_ID, response.json['id'])

    def test_other_peers_are_refused_and_logged(self):
        for peer in ('192.0.2.2', '10.0.0.1', 'fd00::2', '::ffff:10.0.0.1',
                     '0.0.0.0', '', 'localhost'):
            response = self.call(peer=peer)
            self.assertRefused(response, PEER_REFUSED)
        self.assertIn("noauth mode: refused GET '/v2/tasks/%s' from "
                      "'192.0.2.2'" % TASK_ID, self.logger.output)
        # Refused before anything is done.
        response = self.call('POST', peer='192.0.2.2', body=(
            b'{"type": "import", "input": {}}'))
        self.assertRefused(response, PEER_REFUSED)
        self.assertEqual(1, len(self.dbapi.task_get_all(
            self.admin_context, limit=10)))

    def test_other_peers_when_allowed(self):
        self.config(allow_noauth_on_public_bind=True, group='api')
        for peer in ('192.0.2.2', 'fd00::2'):
            self.assertEqual(200, self.call(peer=peer).status_int)

    def test_web_pages_of_other_origins_are_refused(self):
        for origin in ('https://evil.example.com', 'null',
                       ORIGIN + '.evil.example.com', ''):
            response = self.call('POST', headers={'Origin': origin},
                                 body=b'{"type": "import", "input": {}}')
            self.assertRefused(response, ORIGIN_REFUSED)
        self.assertEqual(1, len(self.dbapi.task_get_all(
            self.admin_context, limit=10)))
        self.assertIn("(Origin 'https://evil.example.com') with 403",
                      self.logger.output)

    def test_web_pages_of_allowed_origins_are_served(self):
        self.config(allowed_origin=[ORIGIN], group='cors')
        self.assertEqual(200, self.call(
            headers={'Origin': ORIGIN}).status_int)
        self.assertRefused(self.call(
            headers={'Origin': 'https://evil.example.com'}), ORIGIN_REFUSED)
        self.config(allowed_origin=['*'], group='cors')
        self.assertEqual(200, self.call(
            headers={'Origin': 'https://evil.example.com'}).status_int)

    def test_an_allowed_public_bind_still_checks_origins(self):
        self.config(allow_noauth_on_public_bind=True, group='api')
        self.assertRefused(self.call(
            peer='192.0.2.2', headers={'Origin': 'https://a.example'}),
            ORIGIN_REFUSED)


class TestNoAuthPeers(NoAuthPeersMixin, api_base.ApiTestCase):
    """The noauth filter in front of the application."""


class TestIsLoopback(base.TestCase):

    def test_addresses(self):
        for address in ('127.0.0.1', '127.255.255.254', '::1',
                        '::ffff:127.0.0.1', '::1%lo'):
            self.assertTrue(auth.is_loopback(address), address)
        for address in ('192.0.2.2', '0.0.0.0', '::', '::ffff:192.0.2.2',
                        '::127.0.0.1', 'fe80::1%eth0', '', None, 'unix',
                        '127.0.0.1.example.com'):
            self.assertFalse(auth.is_loopback(address), address)
