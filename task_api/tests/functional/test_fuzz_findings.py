"""What fuzzing the task-api server found, each against a real server.

Requests are sent byte for byte on a socket, several on one persistent
connection where that is what breaks.
"""

import re
import signal
import socket

from task_api.db import migration
from task_api.db.sqlalchemy import api as sqla_api
from task_api.tests import base
from task_api.tests import fixtures as task_fixtures
from task_api.tests.functional import fuzzer
from task_api.tests.functional import server
from task_api.tests.functional import test_raw_requests as raw

NEXT_REQUEST = (b'GET /v2/tasks/smuggled HTTP/1.1\r\nHost: x\r\n'
                b'Accept: application/json\r\n\r\n')


def read_all(sock):
    """Every byte the server sends until it closes the connection."""
    data = b''
    while True:
        try:
            chunk = sock.recv(65536)
        except (ConnectionResetError, socket.timeout):
            break
        if not chunk:
            break
        data += chunk
    return data


def chunk(data):
    return b'%x\r\n%s\r\n' % (len(data), data)


class TestPersistentConnections(base.TestCase):
    """An answer given before the body was read closes the connection.

    Otherwise what is left of the body is read as the next request of
    the connection: the client's own next request is answered ``400
    Malformed Request-Line``, or bytes of a body are served as a request
    the client never made.
    """

    def setUp(self):
        super().setUp()
        self.server = self.useFixture(server.TaskApiServer())

    def send(self, data):
        """Send ``data`` on a new connection; return every answer."""
        sock = raw.connect(self, self.server.port)
        sock.settimeout(10)
        sock.sendall(data)
        return read_all(sock)

    def assertOneAnswer(self, status, data):
        self.assertEqual(1, len(re.findall(rb'HTTP/1\.1 \d{3} ', data)), data)
        code, headers, _body = raw.parse_response(data)
        self.assertEqual(status, code, data)
        self.assertIn((b'Connection', b'close'), headers)
        self.assertNotIn(b'smuggled', data)
        self.assertNotIn(b'Malformed', data)

    def test_unread_chunked_body_of_a_405(self):
        data = self.send(
            b'PUT /v2/tasks HTTP/1.1\r\nHost: x\r\n'
            b'Transfer-Encoding: chunked\r\n\r\n'
            + chunk(NEXT_REQUEST) + b'0\r\n\r\n')
        self.assertOneAnswer(405, data)

    def test_unread_chunked_body_then_the_next_request(self):
        data = self.send(
            b'POST /v2/tasks/x HTTP/1.1\r\nHost: x\r\n'
            b'Transfer-Encoding: chunked\r\n\r\n'
            + chunk(b'hello') + b'0\r\n\r\n' + NEXT_REQUEST)
        self.assertOneAnswer(405, data)

    def test_unread_chunked_body_of_a_refused_request_id(self):
        data = self.send(
            b'POST /v2/tasks HTTP/1.1\r\nHost: x\r\n'
            b'X-Openstack-Request-Id: a\x01b\r\n'
            b'Transfer-Encoding: chunked\r\n\r\n'
            + chunk(NEXT_REQUEST) + b'0\r\n\r\n')
        self.assertOneAnswer(400, data)

    def test_undecodable_chunk(self):
        data = self.send(
            b'POST /v2/tasks HTTP/1.1\r\nHost: x\r\n'
            b'Transfer-Encoding: chunked\r\n\r\n'
            b'zz\r\n' + NEXT_REQUEST)
        self.assertOneAnswer(400, data)

    def test_content_length_and_chunked(self):
        # NOTE: a proxy on the way may frame the body by its
        # Content-Length; the server frames it by its chunks.
        data = self.send(
            b'POST /v2/tasks HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n'
            b'Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n' + NEXT_REQUEST)
        self.assertOneAnswer(400, data)

    def test_read_chunked_body_keeps_the_connection(self):
        body = b'{"type": "api_image_import", "input": {"image_id": "i"}}'
        data = self.send(
            b'POST /v2/tasks HTTP/1.1\r\nHost: x\r\n'
            b'Content-Type: application/json\r\n'
            b'Transfer-Encoding: chunked\r\n\r\n'
            + chunk(body) + b'0\r\n\r\n' + NEXT_REQUEST.replace(
                b'\r\n\r\n', b'\r\nConnection: close\r\n\r\n'))
        self.assertEqual([b'201', b'404'],
                         re.findall(rb'HTTP/1\.1 (\d{3}) ', data))


class FuzzMixin:
    """A seeded run of task_api.tests.functional.fuzzer against task-api.

    Thousands of hostile requests (methods, paths, percent-encodings,
    queries, headers, framings, bodies), then every task they created is
    read back: no answer may be a 5xx other than 503, a dropped or hung
    connection, a traceback, a header with a control character, or the
    wrong answer to the next request of a connection; the log shows no
    traceback.
    """

    REQUESTS = 3000
    SEED = 20261202

    def database_lines(self):
        return []

    def test_hostile_requests(self):
        api = self.useFixture(server.TaskApiServer(
            extra_lines=self.database_lines()))
        findings, statuses, task_ids, image_ids = fuzzer.run(
            api.url, self.REQUESTS, self.SEED, timeout=30)
        swept, _reads = fuzzer.sweep(api.url, task_ids, image_ids,
                                     timeout=30)
        found = findings + swept
        self.assertEqual((0, []), (len(found), [
            repr(finding)[:2000] for finding in found[:10]]))
        # NOTE: the run reached the handlers, not only the filters.
        self.assertGreater(len(task_ids), 20, statuses)
        self.assertGreater(statuses.get(200, 0), 100, statuses)
        self.assertNotIn('Traceback', api.read_log())


class TestFuzzSQLite(FuzzMixin, base.TestCase):
    """task-api on its embedded SQLite database."""


class FuzzDatabaseMixin(FuzzMixin):

    def database_lines(self):
        engine = sqla_api.get_engine()
        migration.upgrade(engine=engine)
        url = engine.url
        return ['[database]', 'connection = %s'
                % url.render_as_string(hide_password=False)]


class TestFuzzPostgreSQL(FuzzDatabaseMixin, base.DbTestCase):
    FIXTURE = task_fixtures.EmptyPostgreSQLDatabase


class TestFuzzMySQL(FuzzDatabaseMixin, base.DbTestCase):
    FIXTURE = task_fixtures.EmptyMySQLDatabase


class TestBurstOfClients(base.TestCase):
    """Clients that connect at once all get an answer.

    With cheroot's default listen backlog of 5, the handshake of the
    clients past it was dropped while the server was busy, and under load
    some of them were reset.
    """

    CLIENTS = 64

    def test_clients_connecting_while_the_server_is_busy(self):
        api = self.useFixture(server.TaskApiServer())
        # NOTE: a stopped server accepts nothing: every connection waits in
        # the listen queue, as it does behind busy threads.
        api.process.send_signal(signal.SIGSTOP)
        socks = []
        try:
            for _ in range(self.CLIENTS):
                sock = socket.socket()
                self.addCleanup(sock.close)
                sock.settimeout(0.5)
                sock.connect(('127.0.0.1', api.port))
                sock.sendall(b'GET /v2/schemas/task HTTP/1.1\r\nHost: x\r\n'
                             b'Connection: close\r\n\r\n')
                socks.append(sock)
        finally:
            api.process.send_signal(signal.SIGCONT)
        statuses = []
        for sock in socks:
            sock.settimeout(30)
            statuses.append(raw.parse_response(read_all(sock))[0])
        self.assertEqual([200] * self.CLIENTS, statuses)
