"""Import tasks whose import_from is an https URL.

A test certificate authority, made when the test runs (with
cryptography), issues the certificate of an https server in the test
process for images.test and 127.0.0.1. A worker runs the import: with
the authority in ``[task] import_ca_file`` the image is imported; without
it, or from a name the certificate is not for, the task fails saying why
in one line. The address each connection went to is checked as soon as
it is made, https included.
"""

import datetime
import ipaddress
import os
import ssl

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import serialization
from cryptography import x509
from cryptography.x509 import oid
import fixtures
from oslo_utils import uuidutils

from task_api.db import migration
from task_api.db.sqlalchemy import api as sqla_api
from task_api.tests import base
from task_api.tests.functional.api import base as api_base
from task_api.tests.functional import test_import
from task_api.tests.functional import test_worker
from task_api.tests.unit.api import base as unit_api_base
from task_api.worker import fetch
from task_api.worker import runner

NAME = 'images.test'
TRUSTED_HERE = '(certificate authorities trusted: those of [task] ' \
               'import_ca_file)'
TRUSTED_BY_SYSTEM = '(certificate authorities trusted: those of the ' \
                    'system, as [task] import_ca_file is unset)'


def _name(common_name):
    return x509.Name([x509.NameAttribute(oid.NameOID.COMMON_NAME,
                                         common_name)])


def _builder(subject, issuer, public_key):
    now = datetime.datetime.now(datetime.timezone.utc)
    return (x509.CertificateBuilder()
            .subject_name(subject).issuer_name(issuer)
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(
                public_key), critical=False))


class TestCA(fixtures.Fixture):
    """A certificate authority and a server certificate it issued.

    :ivar ca_file: the authority's certificate (PEM).
    :ivar server_context: an ssl context serving the server certificate,
        valid for ``names`` and ``addresses``.
    """

    def __init__(self, names, addresses):
        super().__init__()
        self.names = names
        self.addresses = addresses

    def _setUp(self):
        directory = self.useFixture(fixtures.TempDir()).path
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca_name = _name('task_api test CA')
        ca = (_builder(ca_name, ca_name, ca_key.public_key())
              .add_extension(x509.BasicConstraints(ca=True, path_length=0),
                             critical=True)
              .add_extension(x509.KeyUsage(
                  digital_signature=False, content_commitment=False,
                  key_encipherment=False, data_encipherment=False,
                  key_agreement=False, key_cert_sign=True, crl_sign=True,
                  encipher_only=False, decipher_only=False), critical=True)
              .sign(ca_key, hashes.SHA256()))
        key = ec.generate_private_key(ec.SECP256R1())
        server = (_builder(_name(self.names[0]), ca_name, key.public_key())
                  .add_extension(x509.SubjectAlternativeName(
                      [x509.DNSName(name) for name in self.names] +
                      [x509.IPAddress(ipaddress.ip_address(address))
                       for address in self.addresses]), critical=False)
                  .add_extension(x509.BasicConstraints(ca=False,
                                                       path_length=None),
                                 critical=True)
                  .add_extension(x509.ExtendedKeyUsage(
                      [oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
                  .add_extension(
                      x509.AuthorityKeyIdentifier.from_issuer_public_key(
                          ca_key.public_key()), critical=False)
                  .sign(ca_key, hashes.SHA256()))
        self.ca_file = os.path.join(directory, 'ca.pem')
        cert_file = os.path.join(directory, 'server.pem')
        key_file = os.path.join(directory, 'server.key')
        with open(self.ca_file, 'wb') as stream:
            stream.write(ca.public_bytes(serialization.Encoding.PEM))
        with open(cert_file, 'wb') as stream:
            stream.write(server.public_bytes(serialization.Encoding.PEM))
        with open(key_file, 'wb') as stream:
            stream.write(key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption()))
        self.server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.server_context.load_cert_chain(cert_file, key_file)


class ImportTLSTests:

    def setUp(self):
        super().setUp()
        test_import.use_import_setup(self, [NAME, 'other.test', '127.0.0.1'])
        self.ca = self.useFixture(TestCA([NAME], ['127.0.0.1']))
        self.tls = self.useFixture(test_import.Server(
            tls=self.ca.server_context))
        self.config(allowed_ports=[self.tls.port],
                    group='import_filtering_opts')
        self.tls.routes['/disk.raw'] = test_import.body(test_import.RAW)
        self.resolver = test_import.Resolver({NAME: ['127.0.0.1'],
                                              'other.test': ['127.0.0.1']})

    def post(self, import_from):
        """Create an import task through the API, as glance task-create."""
        response = self.app.post_json('/v2/tasks', {
            'type': 'import', 'input': {
                'import_from': import_from, 'import_from_format': 'raw',
                'image_properties': {'name': 'tls', 'disk_format': 'raw',
                                     'container_format': 'bare'}}},
            headers=unit_api_base.ADMIN)
        self.assertEqual(201, response.status_int)
        return response.json['id']

    def create(self, import_from):
        """Create an import task through the DB API.

        Its host names resolve through the test's resolver only, which
        the API does not use.
        """
        return base.create_test_task(
            id=uuidutils.generate_uuid(), input={
                'import_from': import_from, 'import_from_format': 'raw',
                'image_properties': {'name': 'tls'}})['id']

    def run_task(self, task_id):
        worker = runner.Worker(worker_id='w1',
                               registry=test_import.registry(self.resolver))
        self.assertEqual(1, worker.run_once())
        return self.get('/tasks/%s' % task_id, status=200).json

    def stored(self):
        images = os.path.join(self.state_path, 'images')
        return sorted(os.listdir(images)) if os.path.isdir(images) else []

    def assert_failure(self, body, message):
        self.assertEqual(('failure', test_import.FETCH + message, None),
                         (body['status'], body['message'], body['result']))
        self.assertEqual([], self.stored())
        self.assertEqual([], self.tls.requests)

    def test_import_with_the_ca_file_succeeds(self):
        self.config(import_ca_file=self.ca.ca_file, group='task')
        task_id = self.post(self.tls.url('/disk.raw'))

        body = self.run_task(task_id)

        self.assertEqual(('success', ''), (body['status'], body['message']))
        image_id = body['result']['image_id']
        self.assertEqual([image_id], self.stored())
        with open(os.path.join(self.state_path, 'images', image_id),
                  'rb') as stream:
            self.assertEqual(test_import.RAW, stream.read())
        self.assertEqual(len(test_import.RAW), body['result']['size'])
        self.assertEqual(['/disk.raw'],
                         [path for path, _ in self.tls.requests])

    def test_import_from_a_name_with_the_ca_file_succeeds(self):
        # The connection goes to the address the name resolved to; the
        # certificate is checked against the name.
        self.config(import_ca_file=self.ca.ca_file, group='task')
        task_id = self.create(self.tls.url('/disk.raw', host=NAME))

        body = self.run_task(task_id)

        self.assertEqual(('success', ''), (body['status'], body['message']))
        self.assertEqual('%s:%d' % (NAME, self.tls.port),
                         self.tls.requests[0][1]['Host'])

    def test_without_the_ca_file_the_certificate_is_not_verified(self):
        task_id = self.post(self.tls.url('/disk.raw',
                                         userinfo='user:s3cret@'))

        body = self.run_task(task_id)

        self.assert_failure(
            body, 'the TLS certificate of 127.0.0.1:%d could not be '
            'verified: unable to get local issuer certificate %s'
            % (self.tls.port, TRUSTED_BY_SYSTEM))

    def test_certificate_for_another_name_fails(self):
        self.config(import_ca_file=self.ca.ca_file, group='task')
        task_id = self.create(self.tls.url('/disk.raw', host='other.test'))

        body = self.run_task(task_id)

        self.assert_failure(
            body, "the TLS certificate of other.test:%d could not be "
            "verified: Hostname mismatch, certificate is not valid for "
            "'other.test' %s" % (self.tls.port, TRUSTED_HERE))

    def test_unreadable_ca_file_fails(self):
        self.config(import_ca_file=os.path.join(self.state_path, 'none.pem'),
                    group='task')
        task_id = self.post(self.tls.url('/disk.raw'))

        body = self.run_task(task_id)

        self.assert_failure(
            body, 'the certificate authorities of [task] import_ca_file '
            'could not be read (FileNotFoundError)')

    def test_peer_of_an_https_connection_is_checked_before_the_request(self):
        # The check is made as soon as the connection is established (for
        # https: after the handshake), before any request is sent on it;
        # not on the response, which no longer holds the connection when
        # the server answers "Connection: close".
        # A connection made to another address than the one checked:
        connection = fetch.CheckedHTTPSConnection(
            '127.0.0.1', self.tls.port,
            checked_address=ipaddress.ip_address('127.0.0.2'),
            url_host=NAME, server_hostname=NAME, cert_reqs='CERT_REQUIRED',
            ca_certs=self.ca.ca_file)
        error = self.assertRaises(fetch.FetchFailed, connection.connect)
        self.assertEqual('the connection for images.test went to 127.0.0.1 '
                         'instead of the checked address 127.0.0.2',
                         str(error))
        self.assertIsNone(connection.sock)
        # A connection to an address the filter refuses:
        self.config(allowed_hosts=['127.0.0.2'],
                    group='import_filtering_opts')
        connection = fetch.CheckedHTTPSConnection(
            '127.0.0.1', self.tls.port,
            checked_address=ipaddress.ip_address('127.0.0.1'),
            url_host=ipaddress.ip_address('127.0.0.1'),
            cert_reqs='CERT_REQUIRED', ca_certs=self.ca.ca_file)
        error = self.assertRaises(fetch.FetchFailed, connection.connect)
        self.assertEqual('the connection for 127.0.0.1 went to a refused '
                         'address: 127.0.0.1 is not in allowed_hosts',
                         str(error))
        self.assertEqual([], self.tls.requests)


class TestImportTLSSQLite(ImportTLSTests, api_base.PipelineTestCase):
    """With the tasks in a SQLite file, read while the worker writes."""

    def setUp(self):
        super().setUp()
        test_worker.use_sqlite_file(self, os.path.join(self.state_path,
                                                       'task_api.sqlite'))
        migration.upgrade(engine=sqla_api.get_engine())
