"""POST /v2/tasks with the URLs a task fetches image data from."""

import json
import os

import fixtures
import sqlalchemy as sa

from task_api.common import masking
from task_api import conf
from task_api.db.sqlalchemy import api as sqla_api
from task_api.tests.unit.api import base as api_base

PROJECT = 'aaaaaaaa-1111-4111-8111-aaaaaaaaaaaa'
CALLER = {'X-Roles': 'admin', 'X-Project-Id': PROJECT, 'X-User-Id': 'u-1',
          'Accept': 'application/json'}
LEGACY = 'URI for legacy import task does not pass filtering: '
WEB_DOWNLOAD = 'URI for web-download does not pass filtering: '
LOCATION = 'URI for location_import task does not pass filtering: '

#: URLs refused by the default options.
REFUSED = [
    'http://127.0.0.1:80\\@8.8.8.8/x',
    'http://8.8.8.8\\@127.0.0.1/x',
    'http://127.0.0.1\t.8.8.8.8/x',
    'http://a@b@8.8.8.8/x',
    'http://127.0.0.1#@8.8.8.8/x',
    'http://8.8.8.8:/x',
    'http://\uff11\uff12\uff17.0.0.1/x',
    'http://2130706433/x',
    'http://0x7f.1/x',
    'http://017700000001/x',
    'http://127.1/x',
    'http://localhost/x',
    'http://100.64.0.1/x',
    'http://100.100.100.200/latest/meta-data/',
    'http://198.18.0.1/x',
    'http://240.0.0.1/x',
    'http://255.255.255.255/x',
    'http://224.0.0.251/x',
    'http://[ff02::1]/x',
    'http://[fd00:ec2::254]/x',
    'http://[fe80::a9fe:a9fe]/x',
    'http://[::ffff:169.254.169.254]/x',
    'http://[::169.254.169.254]/x',
    'http://[2002:a9fe:a9fe::1]/x',
    'http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/x',
    'http://[64:ff9b::169.254.169.254]/x',
    'http://[64:ff9b:1::a9fe:a9fe]/x',
    'http://joe:secret@127.0.0.1/x',
]


class ImportUrlsMixin:
    """The URL of every task type that carries one; mixed in per app."""

    def post(self, body, status):
        response = self.app.post(self.prefix + '/tasks',
                                 json.dumps(body).encode('utf-8'),
                                 headers=CALLER, expect_errors=True)
        self.assertEqual(status, response.status_int, response.text[:1000])
        return response

    def inputs(self):
        with sqla_api.get_engine().connect() as connection:
            return [json.loads(row[0]) for row in connection.execute(
                sa.text('SELECT input FROM task_info')).all()]

    def assertRefused(self, body, message):
        stored = self.inputs()
        response = self.post(body, 400)
        self.assertEqual('application/json', response.content_type)
        self.assertEqual({'message': message + '<br /><br />\n\n\n',
                          'code': '400 Bad Request', 'title': 'Bad Request'},
                         response.json)
        self.assertEqual(stored, self.inputs())
        return response

    def test_refused_urls_of_every_task_type(self):
        for uri in REFUSED:
            # NOTE: a refused URL is echoed with its credentials masked.
            shown = masking.mask_credentials(uri)
            self.assertRefused({'type': 'import', 'input': {
                'import_from': uri, 'import_from_format': 'qcow2',
                'image_properties': {}}}, LEGACY + shown)
            self.assertRefused({'type': 'api_image_import', 'input': {
                'image_id': 'i', 'import_req': {'method': {
                    'name': 'web-download', 'uri': uri}}}},
                WEB_DOWNLOAD + shown)
            self.assertRefused({'type': 'location_import', 'input': {
                'image_id': 'i', 'loc_url': uri, 'validation_data': {}}},
                LOCATION + shown)

    def test_refused_url_is_echoed_without_its_password(self):
        response = self.assertRefused({'type': 'import', 'input': {
            'import_from': 'http://joe:secret@127.0.0.1/x'}},
            LEGACY + 'http://joe:***@127.0.0.1/x')
        self.assertNotIn('secret', response.text)

    def test_public_urls_are_stored(self):
        inputs = [
            ('import', {'import_from': 'http://8.8.8.8/x',
                        'import_from_format': 'qcow2',
                        'image_properties': {}}),
            ('import', {'import_from': 'https://u:pw@[2001:4860:4860::8888]'
                                       ':443/x?sig=1#f'}),
            ('api_image_import', {'image_id': 'i', 'import_req': {
                'method': {'name': 'web-download',
                           'uri': 'http://[::ffff:8.8.8.8]/x'}}}),
            ('api_image_import', {'image_id': 'i', 'import_req': {
                'method': {'name': 'glance-direct'}}}),
            ('location_import', {'image_id': 'i',
                                 'loc_url': 'https://8.8.4.4/x',
                                 'validation_data': {}}),
            ('location_import', {'image_id': 'i'}),
        ]
        for task_type, task_input in inputs:
            self.post({'type': task_type, 'input': task_input}, 201)
        self.assertEqual(sorted([task_input for _, task_input in inputs],
                                key=json.dumps),
                         sorted(self.inputs(), key=json.dumps))

    def load_config(self, text):
        path = os.path.join(self.useFixture(fixtures.TempDir()).path,
                            'task_api.conf')
        with open(path, 'w') as stream:
            stream.write(text)
        conf.CONF(['--config-file', path], project='task_api',
                  default_config_files=[], default_config_dirs=[])

    def test_glance_bracketed_options_from_a_config_file(self):
        self.load_config('[import_filtering_opts]\n'
                         'allowed_hosts = [127.0.0.1,images.internal]\n'
                         'allowed_ports = [80,8080]\n'
                         'allowed_schemes = [http]\n')
        self.post({'type': 'import', 'input': {
            'import_from': 'http://127.0.0.1:8080/x'}}, 201)
        self.post({'type': 'location_import', 'input': {
            'loc_url': 'http://127.0.0.1/x'}}, 201)
        for uri in ('http://8.8.8.8/x', 'https://127.0.0.1:80/x',
                    'http://127.0.0.1:8443/x', 'http://10.0.0.1/x'):
            self.assertRefused({'type': 'location_import', 'input': {
                'loc_url': uri}}, LOCATION + uri)
        self.assertEqual([{'import_from': 'http://127.0.0.1:8080/x'},
                          {'loc_url': 'http://127.0.0.1/x'}], self.inputs())

    def test_plain_options_from_a_config_file(self):
        self.load_config('[import_filtering_opts]\n'
                         'allowed_hosts = 127.0.0.1\n'
                         'allowed_ports = 8080\n')
        self.post({'type': 'import', 'input': {
            'import_from': 'http://127.0.0.1:8080/x'}}, 201)
        self.assertRefused({'type': 'import', 'input': {
            'import_from': 'http://127.0.0.1/x'}},
            LEGACY + 'http://127.0.0.1/x')


class TestImportUrls(ImportUrlsMixin, api_base.ApiTestCase):
    pass
