"""What fuzzing found in code that can be tested without a server."""

import json

from task_api.common import masking
from task_api.tests import base
from task_api.tests.unit.api import base as api_base


class TestMaskedKeys(base.TestCase):
    """A credential in an object's key is masked like one in a value."""

    def test_url_with_password_as_a_key(self):
        self.assertEqual(
            {'image_id': 'x', 'http://u:***@h/': 1,
             'nested': [{'sig=*** of https://***@h/o': 'v'}]},
            masking.mask_credentials(
                {'image_id': 'x', 'http://u:hunter2@h/': 1,
                 'nested': [{'sig=s1 of https://tok3n@h/o': 'v'}]}))

    def test_other_keys_unchanged(self):
        value = {'import_from': 'http://h/', 'a:b': {'c=d': [1]}, 5: 'x'}
        self.assertEqual(value, masking.mask_credentials(value))


class TestMaskedKeysOnTheWire(api_base.ApiTestCase):
    """Create's answer, show and the tasks of an image mask keys too."""

    def test_url_with_password_as_a_key(self):
        task_input = {'image_id': 'img-1', 'http://u:hunter2@h/': 1}
        headers = dict(api_base.ADMIN, **{'Content-Type': 'application/json'})
        created = self.app.post('/tasks', json.dumps(
            {'type': 'api_image_import', 'input': task_input}),
            headers=headers)
        masked = {'image_id': 'img-1', 'http://u:***@h/': 1}
        self.assertEqual(masked, created.json['input'])
        shown = self.get('/tasks/' + created.json['id'])
        self.assertEqual(masked, shown.json['input'])
        listed = self.get('/images/img-1/tasks')
        self.assertEqual([masked],
                         [task['input'] for task in listed.json['tasks']])
        for response in (created, shown, listed):
            self.assertNotIn('hunter2', response.text)
        stored = self.dbapi.task_get(self.admin_context, created.json['id'])
        self.assertEqual(task_input, stored['input'])
