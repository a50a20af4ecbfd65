"""Malformed requests on the wire, against a real task-api server.

What the server's HTTP parser hands the application (a chunked body, a
body shorter than its Content-Length, a bare CR inside a header value) is
sent byte for byte on a socket, as WebTest cannot.
"""

import json
import select
import socket
import time

from task_api.tests import base
from task_api.tests.functional import server

TASK = json.dumps({'type': 'location_import', 'input': {}}).encode()
ADMIN = (b'X-Roles: admin\r\nX-Project-Id: p1\r\nX-User-Id: u1\r\n')


def parse_response(data):
    """(status, [(name, value)], body) of a raw HTTP/1.1 response."""
    head, _sep, body = data.partition(b'\r\n\r\n')
    lines = head.split(b'\r\n')
    status = int(lines[0].split(b' ')[1])
    headers = [tuple(part.strip() for part in line.split(b':', 1))
               for line in lines[1:]]
    return status, headers, body


def read_response(sock):
    """The bytes of one response, up to its end or the connection's."""
    data = b''
    while True:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            break
        if not chunk:
            break
        data += chunk
        head, sep, body = data.partition(b'\r\n\r\n')
        if sep and b'content-length:' in head.lower():
            length = int(head.lower().split(b'content-length:')[1]
                         .split(b'\r\n')[0])
            if len(body) >= length:
                break
    return data


def connect(test, port):
    sock = socket.create_connection(('127.0.0.1', port), timeout=30)
    test.addCleanup(sock.close)
    return sock


def exchange(test, port, raw, shutdown=False):
    """Send raw bytes; return the parsed response."""
    sock = connect(test, port)
    sock.sendall(raw)
    if shutdown:
        sock.shutdown(socket.SHUT_WR)
    return parse_response(read_response(sock))


def send_until_answered(test, port, head, piece, total):
    """Send ``head``, then ``piece`` after ``piece`` until an answer.

    At most ``total`` bytes of pieces are sent; returns (bytes of the
    pieces sent, parsed response).
    """
    sock = connect(test, port)
    sock.sendall(head)
    sent = 0
    while sent < total:
        readable, _w, _x = select.select([sock], [], [], 0)
        if readable:
            break
        try:
            sock.sendall(piece)
        except (BrokenPipeError, ConnectionResetError):
            break
        sent += len(piece)
    return sent, parse_response(read_response(sock))


def send_endless_chunked(test, port, path, headers=b'',
                         total=50 * 1024 * 1024):
    """POST up to ``total`` bytes in 64 KiB chunks until an answer.

    Returns (bytes sent, parsed response).
    """
    return send_until_answered(
        test, port, b'POST ' + path + b' HTTP/1.1\r\nHost: t\r\n' + headers
        + b'Content-Type: application/json\r\n'
        b'Transfer-Encoding: chunked\r\n\r\n',
        b'%x\r\n%s\r\n' % (65536, b' ' * 65536), total)


class TestRawRequests(base.TestCase):
    """task-api (cheroot) answers broken requests with a 4xx."""

    LIMIT = 65536

    def setUp(self):
        super().setUp()
        self.server = self.useFixture(server.TaskApiServer(
            max_request_body_size=self.LIMIT))

    def exchange(self, raw, shutdown=False):
        return exchange(self, self.server.port, raw, shutdown)

    def assertNoTask(self):
        status, _headers, body = self.server.request(
            '/v2/tasks', headers={'X-Roles': 'admin'})
        self.assertEqual(200, status)
        self.assertEqual([], json.loads(body)['tasks'])

    def test_chunked_body_past_the_limit_is_cut_off(self):
        started = time.monotonic()
        total = 50 * 1024 * 1024
        sent, (status, headers, body) = send_endless_chunked(
            self, self.server.port, b'/v2/tasks', ADMIN, total)
        self.assertEqual(413, status, body)
        self.assertIn(b'The request body is larger than 65536 bytes.', body)
        self.assertIn(b'x-openstack-request-id', dict(headers))
        # The server stopped reading long before the end of the body.
        self.assertLess(sent, total // 4)
        self.assertLess(time.monotonic() - started, 30)
        self.assertNoTask()

    def test_one_huge_chunk_is_refused_before_it_is_read(self):
        total = 50 * 1024 * 1024
        sent, (status, _headers, body) = send_until_answered(
            self, self.server.port,
            b'POST /v2/tasks HTTP/1.1\r\nHost: t\r\n' + ADMIN
            + b'Transfer-Encoding: chunked\r\n\r\n%x\r\n' % total,
            b' ' * 65536, total)
        self.assertEqual(413, status, body)
        self.assertIn(b'The request body is larger than 65536 bytes.', body)
        self.assertLess(sent, total // 4)
        self.assertNoTask()

    def test_chunked_body_within_the_limit_is_created(self):
        status, _headers, body = self.exchange(
            b'POST /v2/tasks HTTP/1.1\r\nHost: t\r\nConnection: close\r\n'
            + ADMIN + b'Transfer-Encoding: chunked\r\n\r\n'
            + b'%x\r\n%s\r\n0\r\n\r\n' % (len(TASK), TASK))
        self.assertEqual(201, status, body)
        self.assertEqual('location_import', json.loads(body)['type'])

    def test_declared_length_past_the_limit_is_413(self):
        status, _headers, body = self.exchange(
            b'POST /v2/tasks HTTP/1.1\r\nHost: t\r\n' + ADMIN
            + b'Content-Length: %d\r\n\r\n' % (self.LIMIT + 1) + TASK)
        self.assertEqual(413, status, body)
        self.assertIn(b'The request body is larger than 65536 bytes.', body)
        # Far past the limit, the server answers before the application
        # sees the request.
        status, _headers, body = self.exchange(
            b'POST /v2/tasks HTTP/1.1\r\nHost: t\r\n' + ADMIN
            + b'Content-Length: %d\r\n\r\n' % (400 * 1024 * 1024) + TASK)
        self.assertEqual(413, status, body)
        self.assertNoTask()

    def test_invalid_chunk_size_is_400(self):
        status, _headers, body = self.exchange(
            b'POST /v2/tasks HTTP/1.1\r\nHost: t\r\nConnection: close\r\n'
            + ADMIN + b'Transfer-Encoding: chunked\r\n\r\n'
            b'zz\r\n' + TASK + b'\r\n0\r\n\r\n')
        self.assertEqual(400, status, body)
        self.assertIn(b'The request body could not be read: Bad chunked '
                      b"transfer size: b'zz'.", body)
        self.assertNoTask()

    def test_body_shorter_than_its_length_is_400(self):
        status, _headers, body = self.exchange(
            b'POST /v2/tasks HTTP/1.1\r\nHost: t\r\n' + ADMIN
            + b'Content-Length: %d\r\n\r\n' % (len(TASK) + 100) + TASK,
            shutdown=True)
        self.assertEqual(400, status, body)
        self.assertIn(b'The request body could not be read: it ended after '
                      b'%d of the %d bytes its Content-Length declares.'
                      % (len(TASK), len(TASK) + 100), body)
        self.assertNoTask()

    def test_control_characters_in_request_id_are_never_echoed(self):
        for value in (b'abc\rInjected: yes', b'abc\x00def', b'abc\x1bdef',
                      b'abc\x7fdef'):
            with self.subTest(value=value):
                status, headers, body = self.exchange(
                    b'GET /v2/tasks HTTP/1.1\r\nHost: t\r\n'
                    b'Connection: close\r\n' + ADMIN
                    + b'X-Openstack-Request-Id: ' + value + b'\r\n\r\n')
                self.assertEqual(400, status, body)
                self.assertIn(b'X-Openstack-Request-Id may hold only '
                              b'printable ASCII characters.', body)
                names = [name.lower() for name, _value in headers]
                self.assertNotIn(b'injected', names)
                self.assertNotIn(b'x-openstack-request-id', names)
                for _name, header in headers:
                    self.assertFalse(any(c < 0x20 or c == 0x7f
                                         for c in header), header)
