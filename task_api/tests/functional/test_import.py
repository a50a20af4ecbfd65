"""The import task type end to end, on every backend.

A real HTTP server in the test process serves the images; a worker
(task_api.worker.runner) claims the task and runs the flow installed for
``import``; the image lands in glance_store's filesystem store under the
test's state_path. Host names resolve through a resolver the test gives
the flow (the ``resolver`` parameter of ImportFlow), never through DNS.
"""

import datetime
import hashlib
import http.server
import logging
import os
import signal
import struct
import subprocess
import sys
import threading
import time

import fixtures
from oslo_utils import timeutils
from oslo_utils import uuidutils
import sqlalchemy as sa
import stevedore
from stevedore import extension

from task_api.cmd import manage
from task_api.common import import_filter
from task_api import context as task_context
from task_api.db import api as db_api
from task_api.db import migration
from task_api.db.sqlalchemy import api as sqla_api
from task_api.db.sqlalchemy import models
from task_api.tests import base
from task_api.tests.functional.api import base as api_base
from task_api.tests.functional import test_worker
from task_api.tests.unit.api import base as unit_api_base
from task_api.worker import flows
from task_api.worker import import_flow
from task_api.worker import runner

MiB = 1024 * 1024
RAW = b'task_api test disk image\n' * (3 * MiB // 25)
SECRET = b'internal data that no import may read\n'
FAILED = 'Image import failed: '
FETCH = FAILED + 'could not fetch import_from: '


def qcow2_image(backing_file=None, virtual_size=64 * MiB):
    """A qcow2 (version 3) image: its header, then zeros.

    With ``backing_file``, the header names it (written after the header),
    as ``qemu-img create -b`` does.
    """
    name = backing_file.encode() if backing_file else b''
    header = struct.pack(
        '>4sIQIIQIIQQIIQQQQII',
        b'QFI\xfb', 3,                      # magic, version
        512 if name else 0, len(name),      # backing file offset, size
        16, virtual_size,                   # cluster bits, virtual size
        0, 0, 0x30000, 0x10000, 1,          # crypt, L1 size and offset,
                                            # refcount table and clusters
        0, 0,                               # snapshots
        0, 0, 0,                            # incompatible, compatible and
                                            # autoclear features
        4, 104)                             # refcount order, header length
    image = header.ljust(512, b'\0') + name
    return image.ljust(256 * 1024, b'\0')


class Handler(http.server.BaseHTTPRequestHandler):
    """Answers each path with the route the test gave it."""

    protocol_version = 'HTTP/1.1'

    def do_GET(self):
        self.server.requests.append((self.path, self.headers))
        route = self.server.routes.get(self.path)
        if route is None:
            self.send_response(404)
            self.send_header('Content-Length', '0')
            self.end_headers()
            return
        try:
            route(self)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args):
        pass


def body(data, length=None):
    def route(handler):
        handler.send_response(200)
        handler.send_header('Content-Length',
                            str(len(data) if length is None else length))
        handler.end_headers()
        handler.wfile.write(data)
    return route


def redirect(location, status=302):
    def route(handler):
        handler.send_response(status)
        handler.send_header('Location', location)
        handler.send_header('Content-Length', '0')
        handler.end_headers()
    return route


def stream(chunk, count, delay=0.0, length=None, sent=None):
    """``count`` chunks, ``delay`` seconds apart, then the connection ends.

    Without ``length``, no Content-Length: the data ends with the
    connection. ``sent`` (a list) gets the number of bytes written.
    """
    def route(handler):
        handler.send_response(200)
        if length is not None:
            handler.send_header('Content-Length', str(length))
        handler.send_header('Connection', 'close')
        handler.end_headers()
        for _ in range(count):
            handler.wfile.write(chunk)
            handler.wfile.flush()
            if sent is not None:
                sent.append(len(chunk))
            time.sleep(delay)
        handler.close_connection = True
    return route


def start_worker_process(test, config_file, log_path):
    """Start task-api-worker with ``config_file``; stopped at cleanup.

    Its output goes to ``log_path``. The cleanup sends SIGTERM, so that
    the worker closes its database sessions, then SIGKILL if it has not
    ended 30 seconds later.
    """
    log = open(log_path, 'ab')
    test.addCleanup(log.close)
    process = subprocess.Popen(
        [os.path.join(os.path.dirname(sys.executable), 'task-api-worker'),
         '--config-file', config_file],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def stop():
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
    test.addCleanup(stop)
    return process


class Server(fixtures.Fixture):
    """A threaded HTTP server on ``address``, port chosen by the system.

    With ``tls`` (a server-side ssl.SSLContext), it serves https.
    """

    def __init__(self, address='127.0.0.1', tls=None):
        super().__init__()
        self.address = address
        self.tls = tls

    def _setUp(self):
        self.httpd = http.server.ThreadingHTTPServer((self.address, 0),
                                                     Handler)
        self.httpd.daemon_threads = True
        if self.tls is not None:
            # NOTE: the handshake happens in the request's thread.
            self.httpd.socket = self.tls.wrap_socket(
                self.httpd.socket, server_side=True,
                do_handshake_on_connect=False)
        self.httpd.routes = {}
        self.httpd.requests = []
        self.port = self.httpd.server_address[1]
        thread = threading.Thread(target=self.httpd.serve_forever,
                                  daemon=True)
        thread.start()
        self.addCleanup(thread.join, 10)
        self.addCleanup(self.httpd.server_close)
        self.addCleanup(self.httpd.shutdown)

    @property
    def routes(self):
        return self.httpd.routes

    @property
    def requests(self):
        return self.httpd.requests

    def url(self, path, host=None, userinfo=''):
        return '%s://%s%s:%d%s' % ('http' if self.tls is None else 'https',
                                   userinfo, host or self.address,
                                   self.port, path)


class Resolver:
    """Answers each lookup of a name with the next of its addresses.

    The last address of a name answers every lookup after the others.
    """

    def __init__(self, answers):
        self.answers = {name: list(addresses)
                        for name, addresses in answers.items()}
        self.lookups = []

    def __call__(self, host):
        self.lookups.append(host)
        addresses = self.answers.get(host)
        if not addresses:
            return []
        return [addresses.pop(0) if len(addresses) > 1 else addresses[0]]


def registry(resolver=None):
    """The task types a worker has: import, with the test's resolver."""
    manager = stevedore.ExtensionManager.make_test_instance(
        [extension.Extension('import', None, import_flow.ImportFlow,
                             import_flow.ImportFlow(resolver))],
        namespace=flows.NAMESPACE)
    return flows.FlowRegistry(manager)


def use_import_setup(test, allowed_hosts):
    """Give ``test`` a state_path, an image server and a filter for it.

    Sets ``test.state_path`` and ``test.server``; taskflow's log is
    captured at INFO.
    """
    test.useFixture(fixtures.FakeLogger(name='taskflow', level=logging.INFO))
    test.state_path = test.useFixture(fixtures.TempDir()).path
    test.config(state_path=test.state_path)
    test.config(import_read_timeout=10, import_connect_timeout=5,
                group='task')
    test.server = test.useFixture(Server())
    test.config(allowed_hosts=allowed_hosts, allowed_ports=[test.server.port],
                group='import_filtering_opts')


class ImportTests:
    """Import tasks run by a worker, seen through the API and the store."""

    MAX_SIZE = 4 * MiB

    def setUp(self):
        super().setUp()
        use_import_setup(self, ['127.0.0.1', 'images.test'])
        self.config(max_import_size=self.MAX_SIZE, group='task')
        self.resolver = Resolver({'images.test': ['127.0.0.1']})

    def worker(self, resolver=None):
        return runner.Worker(worker_id='w1',
                             registry=registry(resolver or self.resolver))

    def post(self, import_from, disk_format='raw', properties=None):
        """Create an import task through the API, as glance task-create."""
        response = self.app.post_json(
            '/v2/tasks', {'type': 'import', 'input': {
                'import_from': import_from,
                'import_from_format': disk_format,
                'image_properties': properties or {'name': 'test',
                                                   'disk_format': disk_format,
                                                   'container_format': 'bare'},
            }}, headers=unit_api_base.ADMIN)
        self.assertEqual(201, response.status_int)
        return response.json['id']

    def create(self, import_from, disk_format='raw'):
        """Create an import task through the DB API (no create check)."""
        return base.create_test_task(id=uuidutils.generate_uuid(), input={
            'import_from': import_from, 'import_from_format': disk_format,
            'image_properties': {'name': 'test'}})['id']

    def run_task(self, task_id, resolver=None):
        self.assertEqual(1, self.worker(resolver).run_once())
        return self.get('/tasks/%s' % task_id, status=200).json

    def stored_files(self):
        images = os.path.join(self.state_path, 'images')
        return sorted(os.listdir(images)) if os.path.isdir(images) else []

    def work_files(self):
        work = os.path.join(self.state_path, 'import')
        return sorted(os.listdir(work)) if os.path.isdir(work) else []

    def assert_success(self, body, data, disk_format, virtual_size):
        self.assertEqual(('success', ''), (body['status'], body['message']))
        result = body['result']
        image_id = result['image_id']
        self.assertTrue(uuidutils.is_uuid_like(image_id))
        path = os.path.join(self.state_path, 'images', image_id)
        self.assertEqual({
            'image_id': image_id,
            'checksum': hashlib.md5(data).hexdigest(),
            'size': len(data),
            'os_hash_algo': 'sha512',
            'os_hash_value': hashlib.sha512(data).hexdigest(),
            'disk_format': disk_format,
            'virtual_size': virtual_size,
            'location': 'file://' + path,
        }, result)
        with open(path, 'rb') as stored:
            self.assertEqual(data, stored.read())
        self.assertEqual([image_id], self.stored_files())
        self.assertEqual([], self.work_files())

    def assert_failure(self, body, message):
        self.assertEqual(('failure', message, None),
                         (body['status'], body['message'], body['result']))
        self.assertEqual([], self.stored_files())
        self.assertEqual([], self.work_files())

    def test_raw_image_is_imported(self):
        self.server.routes['/disk.raw'] = body(RAW)
        task_id = self.post(self.server.url('/disk.raw'))

        body_ = self.run_task(task_id)

        self.assert_success(body_, RAW, 'raw', len(RAW))

    def test_imported_task_expires_then_is_purged(self):
        # create -> run -> expire -> purge, as an operator's cron runs
        # "task-api-manage db purge" (its purge function, in this process,
        # so that it sees the clock the test moves).
        self.server.routes['/disk.raw'] = body(RAW)
        task_id = self.post(self.server.url('/disk.raw'))
        done = self.run_task(task_id)
        self.assertEqual('success', done['status'])
        finished = timeutils.parse_isotime(done['updated_at'])
        self.assertEqual(finished + datetime.timedelta(hours=48),
                         timeutils.parse_isotime(done['expires_at']))
        listed = self.get('/tasks', status=200).json['tasks']
        self.assertEqual([task_id], [task['id'] for task in listed])
        # Nothing is purged before the task expires.
        self.assertEqual(0, manage.purge_tasks(manage.purge_cutoff(0), 10))

        later = finished.replace(tzinfo=None) + datetime.timedelta(hours=49)
        timeutils.set_time_override(later)
        self.addCleanup(timeutils.clear_time_override)
        self.assertEqual([], self.get('/tasks', status=200).json['tasks'])
        self.assertEqual(1, manage.purge_tasks(manage.purge_cutoff(0), 10))

        engine = sqla_api.get_engine()
        with engine.connect() as connection:
            left = [connection.execute(
                sa.select(sa.func.count()).select_from(model.__table__)
                .where(model.__table__.c[column] == task_id)).scalar()
                for model, column in ((models.Task, 'id'),
                                      (models.TaskInfo, 'task_id'),
                                      (models.Claim, 'task_id'))]
        self.assertEqual([0, 0, 0], left)
        self.get('/tasks/%s' % task_id, status=404)
        # The image stays: purging a task removes its record, not what
        # the task made.
        self.assertEqual([done['result']['image_id']], self.stored_files())

    def test_qcow2_image_through_a_name_and_a_redirect(self):
        image = qcow2_image()
        self.server.routes['/old.qcow2'] = redirect(
            self.server.url('/disk.qcow2', host='images.test'), status=301)
        self.server.routes['/disk.qcow2'] = body(image)
        task_id = self.create(self.server.url('/old.qcow2',
                                              host='images.test'), 'qcow2')

        body_ = self.run_task(task_id)

        self.assert_success(body_, image, 'qcow2', 64 * MiB)
        self.assertEqual(
            ['/old.qcow2', '/disk.qcow2'],
            [path for path, _ in self.server.requests])
        # NOTE: the connection went to the address; the Host header names
        # the URL's host, as the server expects.
        self.assertEqual('images.test:%d' % self.server.port,
                         self.server.requests[-1][1]['Host'])

    def test_redirect_to_loopback_fails(self):
        # NOTE: public.test stands for a public server (listed by name in
        # allowed_hosts; it listens on 127.0.0.2); it redirects to
        # 127.0.0.1, where a server holds data no import may read.
        public = self.useFixture(Server('127.0.0.2'))
        self.config(allowed_hosts=['public.test'], allowed_ports=[],
                    group='import_filtering_opts')
        resolver = Resolver({'public.test': ['127.0.0.2']})
        secret_url = self.server.url('/secret')
        public.routes['/disk.raw'] = redirect(secret_url)
        self.server.routes['/secret'] = body(SECRET)
        task_id = self.create('http://public.test:%d/disk.raw'
                              % public.port)

        body_ = self.run_task(task_id, resolver)

        self.assert_failure(
            body_, FETCH + '%s does not pass '
            '[import_filtering_opts]: 127.0.0.1 is not in allowed_hosts'
            % secret_url)
        self.assertEqual(['/disk.raw'],
                         [path for path, _ in public.requests])
        self.assertEqual([], self.server.requests)

    def test_redirect_to_a_refused_port_fails(self):
        self.server.routes['/disk.raw'] = redirect(
            'http://127.0.0.1:22/disk.raw')
        task_id = self.post(self.server.url('/disk.raw'))

        body_ = self.run_task(task_id)

        self.assert_failure(
            body_, FETCH + 'http://127.0.0.1:22/disk.raw does not pass '
            '[import_filtering_opts]: port 22 is not allowed')

    def test_more_than_five_redirects_fail(self):
        self.server.routes['/loop'] = redirect('/loop', status=307)
        task_id = self.post(self.server.url('/loop'))

        body_ = self.run_task(task_id)

        self.assert_failure(
            body_, FETCH + '%s redirects more than 5 times'
            % self.server.url('/loop'))
        self.assertEqual(6, len(self.server.requests))

    def test_name_resolving_elsewhere_at_fetch_time_fails(self):
        # NOTE: allowed by address: rebind.test resolves to the allowed
        # 127.0.0.2 when the task is created, then to 127.0.0.1 (DNS
        # rebinding), where a server holds data no import may read.
        self.server.routes['/disk.raw'] = body(SECRET)
        self.config(allowed_hosts=['127.0.0.2'], allowed_ports=[],
                    group='import_filtering_opts')
        resolver = Resolver({'rebind.test': ['127.0.0.2', '127.0.0.1']})
        url = 'http://rebind.test:%d/disk.raw' % self.server.port
        # The check the API makes when the task is created: it passes.
        import_filter.check_url(url, resolver)
        task_id = self.create(url)

        body_ = self.run_task(task_id, resolver)

        self.assert_failure(
            body_, FETCH + '%s does not pass '
            '[import_filtering_opts]: rebind.test is not in allowed_hosts '
            '(rebind.test resolved to 127.0.0.1)' % url)
        self.assertEqual([], self.server.requests)
        self.assertEqual(['rebind.test', 'rebind.test'], resolver.lookups)

    def test_fetch_connects_to_the_address_it_checked(self):
        # One lookup per hop: a name that would resolve elsewhere on a
        # second lookup is connected to at the address that was checked.
        public = self.useFixture(Server('127.0.0.2'))
        self.server.routes['/disk.raw'] = body(SECRET)
        self.config(allowed_hosts=['127.0.0.2'], allowed_ports=[],
                    group='import_filtering_opts')
        resolver = Resolver({'rebind.test': ['127.0.0.2', '127.0.0.1']})
        # NOTE: a port both servers listen on cannot be had; the public
        # server's is used, which 127.0.0.1 does not serve.
        public.routes['/disk.raw'] = body(RAW)
        task_id = self.create('http://rebind.test:%d/disk.raw'
                              % public.port)

        body_ = self.run_task(task_id, resolver)

        self.assert_success(body_, RAW, 'raw', len(RAW))
        self.assertEqual(['rebind.test'], resolver.lookups)
        self.assertEqual('rebind.test:%d' % public.port,
                         public.requests[0][1]['Host'])

    def test_source_announcing_more_than_max_import_size_fails(self):
        sent = []
        self.server.routes['/big.raw'] = stream(
            b'\0' * 65536, 10, length=10 * 1024 ** 3, sent=sent)
        task_id = self.post(self.server.url('/big.raw'))

        body_ = self.run_task(task_id)

        self.assert_failure(
            body_, FETCH + '%s holds 10737418240 bytes, '
            'more than [task] max_import_size (%d bytes)'
            % (self.server.url('/big.raw'), self.MAX_SIZE))

    def test_source_sending_more_than_max_import_size_fails(self):
        sent = []
        # NOTE: 1 GiB on offer, no Content-Length; the server stops when
        # the worker closes the connection.
        self.server.routes['/endless.raw'] = stream(
            b'\0' * 65536, 16384, sent=sent)
        task_id = self.post(self.server.url('/endless.raw'))

        body_ = self.run_task(task_id)

        self.assert_failure(
            body_, FETCH + '%s sent more than [task] '
            'max_import_size (%d bytes)'
            % (self.server.url('/endless.raw'), self.MAX_SIZE))
        # The fetch stopped at the cap: what the server could write
        # before the connection closed is the cap plus the sockets'
        # buffers, far below what it offered.
        time.sleep(0.5)
        self.assertLess(sum(sent), 64 * MiB)

    def test_qcow2_with_a_backing_file_fails(self):
        self.server.routes['/backed.qcow2'] = body(
            qcow2_image(backing_file='/etc/task_api/task_api.conf'))
        task_id = self.post(self.server.url('/backed.qcow2'), 'qcow2')

        body_ = self.run_task(task_id)

        self.assert_failure(
            body_, 'Image import failed: the qcow2 image of import_from fails '
            'the safety checks (backing_file: Image has a backing file)')

    def test_data_of_another_format_fails(self):
        self.server.routes['/disk.qcow2'] = body(qcow2_image())
        task_id = self.post(self.server.url('/disk.qcow2'), 'raw')

        body_ = self.run_task(task_id)

        self.assert_failure(
            body_, FAILED + 'the data of import_from is a qcow2 image, '
            'not raw as import_from_format says')

    def test_missing_input_fails_with_glances_message(self):
        task_id = base.create_test_task(
            id=uuidutils.generate_uuid(),
            input={'import_from': self.server.url('/disk.raw'),
                   'import_from_format': 'raw'})['id']

        body_ = self.run_task(task_id)

        self.assert_failure(
            body_, "Input does not contain 'image_properties' field")
        self.assertEqual([], self.server.requests)

    def test_password_of_import_from_is_masked_in_message_and_logs(self):
        logger = self.useFixture(fixtures.FakeLogger(level=logging.DEBUG))
        self.useFixture(fixtures.FakeLogger(name='taskflow',
                                            level=logging.DEBUG))
        url = self.server.url('/private/disk.raw',
                              userinfo='alice:Pa55-w0rd-x@')
        task_id = self.post(url)

        body_ = self.run_task(task_id)

        self.assert_failure(
            body_, FETCH + 'http://alice:***@127.0.0.1:'
            '%d/private/disk.raw answered HTTP 404 Not Found'
            % self.server.port)
        # The password was sent, as Basic credentials, to the server only.
        self.assertEqual('Basic YWxpY2U6UGE1NS13MHJkLXg=',
                         self.server.requests[0][1]['Authorization'])
        self.assertIn('alice:***@', logger.output)
        self.assertNotIn('Pa55-w0rd-x', logger.output)
        self.assertNotIn('YWxpY2U6UGE1NS13MHJkLXg', logger.output)

    def test_progress_is_in_the_message_at_most_once_a_second(self):
        chunk = b'\1' * (256 * 1024)
        self.server.routes['/slow.raw'] = stream(chunk, 6, delay=0.5,
                                                 length=6 * len(chunk))
        task_id = self.post(self.server.url('/slow.raw'))
        worker = self.worker()
        thread = threading.Thread(target=worker.run_once)
        seen = []
        thread.start()
        while thread.is_alive():
            task = self.dbapi.task_get(self.admin_context, task_id)
            if task['message'] and (not seen or
                                    seen[-1][1] != task['message']):
                seen.append((task['updated_at'], task['message']))
            time.sleep(0.02)
        thread.join()

        self.assertTrue(seen)
        for _, message in seen:
            self.assertRegex(message,
                             r'^Fetched \d+\.\d MiB of 1\.5 MiB$')
        # NOTE: updated_at is when each message was written (whole
        # seconds on MariaDB, where two writes a second apart still fall
        # in different seconds), whenever the test saw it.
        times = [at for at, _ in seen]
        for earlier, later in zip(times, times[1:]):
            self.assertGreaterEqual(later - earlier,
                                    datetime.timedelta(seconds=0.99), seen)
        body_ = self.get('/tasks/%s' % task_id, status=200).json
        self.assertEqual('success', body_['status'])
        self.assertEqual('', body_['message'])


class TestImportSQLite(ImportTests, api_base.PipelineTestCase):
    """Imports with the tasks in a SQLite file, as the quick start keeps them.

    A file, not the in-memory database of other tests: the test reads the
    task while the worker writes it, from another thread.
    """

    def setUp(self):
        super().setUp()
        test_worker.use_sqlite_file(self, os.path.join(self.state_path,
                                                       'task_api.sqlite'))
        migration.upgrade(engine=sqla_api.get_engine())


class TestImportPostgreSQL(ImportTests, api_base.PostgreSQLPipelineTestCase):
    """Imports with the tasks on PostgreSQL."""


class TestImportMySQL(ImportTests, api_base.MySQLPipelineTestCase):
    """Imports with the tasks on MySQL/MariaDB."""


class TestImportInWorkerProcess(base.TestCase):
    """task-api-worker runs an import with the configuration of a file."""

    def setUp(self):
        super().setUp()
        self.directory = self.useFixture(fixtures.TempDir()).path
        url = test_worker.use_sqlite_file(
            self, os.path.join(self.directory, 'task_api.sqlite'))
        migration.upgrade(engine=sqla_api.get_engine())
        self.server = self.useFixture(Server())
        self.store_dir = os.path.join(self.directory, 'store')
        self.config_file = os.path.join(self.directory, 'task_api.conf')
        with open(self.config_file, 'w') as stream:
            # NOTE: [import_filtering_opts] written as in glance-api.conf.
            stream.write(
                '[DEFAULT]\nstate_path = %s\n'
                '[database]\nconnection = %s\n'
                '[worker]\npoll_interval = 0.1\n'
                '[import_filtering_opts]\nallowed_hosts = [127.0.0.1]\n'
                'allowed_ports = [%d]\n'
                '[glance_store]\nfilesystem_store_datadir = %s\n'
                % (self.directory, url, self.server.port, self.store_dir))
        self.log_path = os.path.join(self.directory, 'worker.log')
        self.dbapi = db_api.get_instance()
        self.admin_context = task_context.get_admin_context()

    def start_worker(self):
        return start_worker_process(self, self.config_file, self.log_path)

    def wait_for_end(self, task_id, timeout=120):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            task = self.dbapi.task_get(self.admin_context, task_id)
            if task['status'] in ('success', 'failure'):
                return task
            time.sleep(0.2)
        with open(self.log_path) as stream:
            self.fail('the import never ended; worker log:\n'
                      + stream.read())

    def test_import_lands_in_the_configured_store(self):
        image = qcow2_image()
        self.server.routes['/disk.qcow2'] = body(image)
        task_id = base.create_test_task(id=uuidutils.generate_uuid(), input={
            'import_from': self.server.url('/disk.qcow2'),
            'import_from_format': 'qcow2',
            'image_properties': {'name': 'cirros'}})['id']

        self.start_worker()
        task = self.wait_for_end(task_id)

        self.assertEqual(('success', ''), (task['status'], task['message']),
                         task['message'])
        image_id = task['result']['image_id']
        path = os.path.join(self.store_dir, image_id)
        self.assertEqual('file://' + path, task['result']['location'])
        self.assertEqual(hashlib.sha512(image).hexdigest(),
                         task['result']['os_hash_value'])
        with open(path, 'rb') as stored:
            self.assertEqual(image, stored.read())
        with open(self.log_path) as stream:
            log = stream.read()
        self.assertIn('Task types with an installed flow: import', log)
        # No error line about store drivers that are not installed.
        self.assertNotIn('Could not load', log)
