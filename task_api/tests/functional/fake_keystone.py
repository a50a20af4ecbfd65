"""A fake Keystone v3 identity server for tests across processes.

It serves what keystonemiddleware's auth_token asks of Keystone: version
discovery, the service user's password login (``POST /v3/auth/tokens``)
and the validation of a user's token (``GET /v3/auth/tokens``), from a
thread of the test process on a free loopback port. Like Keystone's default
policy, it validates tokens only for a caller holding the ``service`` or
``admin`` role. ``garbage`` makes it answer validations with a malformed
response instead.
"""

import http.server
import json
import threading
import uuid

from keystoneauth1 import fixture

SERVICE_USER = 'task_api'
SERVICE_PASSWORD = 'secret-service-password'

#: Malformed answers to a token validation, by name: (status, headers,
#: body bytes).
GARBAGE = {
    'not-json': (200, {'Content-Type': 'application/json'},
                 b'this is not JSON'),
    'truncated': (200, {'Content-Type': 'application/json'},
                  b'{"token": {"methods": ["password"], "user": {"id'),
    'server-error': (500, {'Content-Type': 'application/json'},
                     b'{"error": {"code": 500, "message": "oops"}}'),
    'html': (200, {'Content-Type': 'text/html'},
             b'<html><body><h1>It works!</h1></body></html>'),
    'wrong-shape': (200, {'Content-Type': 'application/json'},
                    b'{"token": "a string where an object belongs"}'),
    'list': (200, {'Content-Type': 'application/json'}, b'[1, 2, 3]'),
    'empty-token': (200, {'Content-Type': 'application/json'},
                    b'{"token": {}}'),
    'empty': (200, {'Content-Type': 'application/json'}, b''),
    'html-error': (502, {'Content-Type': 'text/html'},
                   b'<html><body>Bad Gateway</body></html>'),
}


def make_token(base_url, roles, user='demo', project='demo-project',
               access_rules=None):
    """A V3 token body naming ``user`` in ``project`` with ``roles``."""
    token = fixture.V3Token(
        user_id=user + '-id', user_name=user, user_domain_id='default',
        project_id=project + '-id', project_name=project,
        project_domain_id='default')
    for role in roles:
        token.add_role(name=role)
    token.add_service('identity').add_standard_endpoints(
        public=base_url + '/v3', internal=base_url + '/v3',
        admin=base_url + '/v3')
    token.add_service('image').add_standard_endpoints(
        public='http://image.example.com', internal='http://image.example.com',
        admin='http://image.example.com')
    if access_rules is not None:
        token['token']['application_credential'] = {
            'id': uuid.uuid4().hex, 'name': 'appcred', 'restricted': True,
            'access_rules': access_rules}
        token['token']['methods'] = ['application_credential']
    return token


class FakeKeystone:
    """The fake identity server; ``start()`` it, ``stop()`` at clean-up."""

    def __init__(self, service_roles=('service',)):
        self.service_roles = list(service_roles)
        self.tokens = {}
        self.service_tokens = {}
        self.garbage = None
        #: which answers are garbage: 'validate', 'login' or 'discovery'
        self.garbage_on = 'validate'
        self.validations = 0
        self._server = None
        self._thread = None

    @property
    def url(self):
        return 'http://127.0.0.1:%d' % self._server.server_address[1]

    def add_token(self, roles, **kwargs):
        """Register a user token; return its id."""
        token_id = uuid.uuid4().hex
        self.tokens[token_id] = make_token(self.url, roles, **kwargs)
        return token_id

    def start(self):
        self._server = http.server.ThreadingHTTPServer(
            ('127.0.0.1', 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(10)
            self._server = None

    def config_lines(self, **overrides):
        """The [keystone_authtoken] section pointing at this server."""
        options = {
            'www_authenticate_uri': self.url + '/v3',
            'auth_url': self.url + '/v3',
            'auth_type': 'password',
            'username': SERVICE_USER,
            'password': SERVICE_PASSWORD,
            'user_domain_id': 'default',
            'project_name': 'service',
            'project_domain_id': 'default',
            'service_type': 'image',
            'http_request_max_retries': '0',
        }
        options.update(overrides)
        return ['[keystone_authtoken]'] + [
            '%s = %s' % (name, value) for name, value in options.items()
            if value is not None]


def _handler(keystone):

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = 'HTTP/1.1'

        def log_message(self, format, *args):
            pass

        def _send(self, status, body, headers=None):
            if not isinstance(body, bytes):
                body = json.dumps(body).encode('utf-8')
            self.send_response(status)
            headers = dict(headers or {})
            headers.setdefault('Content-Type', 'application/json')
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header('Content-Length', str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            path = self.path.rstrip('/')
            if keystone.garbage and keystone.garbage_on == 'discovery' and \
                    path in ('', '/v3'):
                return self._send(*_swap(GARBAGE[keystone.garbage]))
            if path == '':
                self._send(300, fixture.DiscoveryList(
                    href=keystone.url, v2=False))
            elif path == '/v3':
                self._send(200, {'version': fixture.V3Discovery(
                    keystone.url + '/v3')})
            elif path == '/v3/auth/tokens':
                self._validate()
            else:
                self._send(404, {'error': {'code': 404}})

        def _validate(self):
            keystone.validations += 1
            caller = keystone.service_tokens.get(
                self.headers.get('X-Auth-Token'))
            if caller is None:
                return self._send(401, {'error': {'code': 401}})
            roles = {role['name'] for role in caller['token']['roles']}
            if not roles & {'service', 'admin'}:
                return self._send(403, {'error': {'code': 403}})
            if keystone.garbage and keystone.garbage_on == 'validate':
                return self._send(*_swap(GARBAGE[keystone.garbage]))
            token = keystone.tokens.get(self.headers.get('X-Subject-Token'))
            if token is None:
                return self._send(404, {'error': {'code': 404}})
            self._send(200, token, {
                'X-Subject-Token': self.headers['X-Subject-Token']})

        def do_POST(self):
            if self.path.rstrip('/') != '/v3/auth/tokens':
                return self._send(404, {'error': {'code': 404}})
            length = int(self.headers.get('Content-Length') or 0)
            body = json.loads(self.rfile.read(length))
            if keystone.garbage and keystone.garbage_on == 'login':
                return self._send(*_swap(GARBAGE[keystone.garbage]))
            user = body['auth']['identity']['password']['user']
            if (user.get('name') != SERVICE_USER
                    or user.get('password') != SERVICE_PASSWORD):
                return self._send(401, {'error': {'code': 401}})
            token_id = uuid.uuid4().hex
            keystone.service_tokens[token_id] = make_token(
                keystone.url, keystone.service_roles, user=SERVICE_USER,
                project='service')
            self._send(201, keystone.service_tokens[token_id],
                       {'X-Subject-Token': token_id})

    return Handler


def _swap(answer):
    status, headers, body = answer
    return status, body, headers
