"""Tests of the masking of credentials and of its cost."""

import io
import json
import logging

from task_api.api.views import encoding
from task_api.common import masking
from task_api.tests import base
from task_api.tests import scaling


def nested(depth, leaf):
    """``{"a": [{"a": [... leaf ...]}]}``, ``depth`` containers deep."""
    value = leaf
    for level in range(depth):
        value = {'a': value} if level % 2 else [value]
    return value


def innermost(value):
    while isinstance(value, (dict, list)):
        value = value['a'] if isinstance(value, dict) else value[0]
    return value


class TestUrlUserinfo(base.TestCase):

    def check(self, expected, value):
        self.assertEqual(expected, masking.mask_credentials(value))
        self.assertEqual(expected, masking.mask_log_line(value))

    def test_password_with_at_colon_and_percent_escape(self):
        self.check('http://user:***@host/x',
                   'http://user:p@ss:w@rd@host/x')
        self.check('https://user:***@host/x',
                   'https://user:p%40ss@host/x')
        self.check('swift+https://acct:***@store/o',
                   'swift+https://acct:k:e@y@store/o')

    def test_password_with_spaces(self):
        self.check('http://user:***@host/x',
                   'http://user:pass word here@host/x')

    def test_token_in_the_user_part(self):
        self.check('https://***@host/x',
                   'https://ghp_0123456789abcdef@host/x')

    def test_ipv6_host_and_port_kept(self):
        self.check('http://u:***@[::1]:8080/x', 'http://u:p@[::1]:8080/x')

    def test_every_url_of_a_text(self):
        self.check('from http://a:***@h1/x to https://***@h2/y',
                   'from http://a:1@h1/x to https://tok@h2/y')

    def test_urls_without_userinfo_unchanged(self):
        for value in ('http://h/x', 'http://h:8080/x@y', 'mailto:a@b',
                      'a:b@c', '', 'http://h/x?a=1&b=2#frag',
                      'qcow2', 'https://h/v1/AUTH_x/c/o@1'):
            self.check(value, value)


class TestQueryAndFragment(base.TestCase):

    def check(self, expected, value):
        self.assertEqual(expected, masking.mask_credentials(value))

    def test_every_credential_name(self):
        names = ('token', 'password', 'secret', 'sig', 'signature',
                 'X-Amz-Signature', 'X-Amz-Credential',
                 'X-Amz-Security-Token', 'temp_url_sig', 'access_token',
                 'api_key', 'my_key', 'refresh_token', 'client_secret',
                 'TOKEN', 'Api_Key', 'x-auth-token', 'PassWord')
        for name in names:
            self.check('https://h/o?a=1&%s=***&b=2' % name,
                       'https://h/o?a=1&%s=s3cr3t/+%%2F&b=2' % name)
            self.check('https://h/o#%s=***' % name,
                       'https://h/o#%s=s3cr3t' % name)
            self.check('https://h/o?%s=***#f' % name,
                       'https://h/o?%s=s3cr3t#f' % name)

    def test_other_names_unchanged(self):
        for value in ('https://h/o?design=1&keyboard=2&temp_url_expires=3',
                      'https://h/o?signatures_count=1&key=x',
                      'https://h/o?X-Amz-Algorithm=AWS4-HMAC-SHA256'):
            self.check(value, value)

    def test_sort_key_of_the_tasks_api_unchanged(self):
        # The list parameter names a column, not a key; a name that only
        # ends like it is still a credential.
        self.check('/v2/tasks?sort_key=status&sort_dir=asc',
                   '/v2/tasks?sort_key=status&sort_dir=asc')
        self.check('/v2/tasks?Sort_Key=status', '/v2/tasks?Sort_Key=status')
        self.check('https://h/o?my_sort_key=***', 'https://h/o?my_sort_key=x')
        self.assertEqual({'sort_key': 'id', 'api_key': '***'},
                         masking.mask_credentials(
                             {'sort_key': 'id', 'api_key': 'k'}))

    def test_presigned_s3_url(self):
        self.check(
            'https://b.s3.amazonaws.com/o?X-Amz-Algorithm=AWS4-HMAC-SHA256'
            '&X-Amz-Credential=***&X-Amz-Date=20261202T000000Z'
            '&X-Amz-Expires=3600&X-Amz-Security-Token=***'
            '&X-Amz-SignedHeaders=host&X-Amz-Signature=***',
            'https://b.s3.amazonaws.com/o?X-Amz-Algorithm=AWS4-HMAC-SHA256'
            '&X-Amz-Credential=AKIA%2F20261202%2Fus-east-1%2Fs3'
            '&X-Amz-Date=20261202T000000Z&X-Amz-Expires=3600'
            '&X-Amz-Security-Token=FwoGZX&X-Amz-SignedHeaders=host'
            '&X-Amz-Signature=0123abcd')

    def test_url_password_and_query_together(self):
        self.check('http://u:***@h/x?token=***&n=1',
                   'http://u:p@h/x?token=t&n=1')

    def test_quoted_pairs_in_text(self):
        self.check('{"password": "***", "x": 1, "api_key": "***"}',
                   '{"password": "a b\\"c", "x": 1, "api_key": "k"}')
        self.check("{'token': '***', 'user': 'me'}",
                   "{'token': 'abc', 'user': 'me'}")
        self.check('"secret": ***, "n": 2', '"secret": 12345, "n": 2')


class TestStructures(base.TestCase):

    def test_urls_nested_in_objects_and_arrays(self):
        value = {'a': 'http://u:p@h/x',
                 'b': [{'c': 'swift+https://acct:key@store/o'},
                       ['https://h/o?sig=1', 7, None, True]],
                 'd': {'e': {'f': 'http://tok@h/'}}, 'g': 1.5}
        self.assertEqual(
            {'a': 'http://u:***@h/x',
             'b': [{'c': 'swift+https://acct:***@store/o'},
                   ['https://h/o?sig=***', 7, None, True]],
             'd': {'e': {'f': 'http://***@h/'}}, 'g': 1.5},
            masking.mask_credentials(value))

    def test_whole_values_under_credential_keys(self):
        value = {'password': 'pass word', 'Token': {'id': 'x'},
                 'nested': [{'secret': ['a', 'b'], 'api_key': 12,
                             'X-Amz-Signature': 'ab', 'sig': 'c',
                             'db_password': 'p', 'name': 'n'}],
                 'token_empty': None, 'keyboard': 'qwerty'}
        self.assertEqual(
            {'password': '***', 'Token': '***',
             'nested': [{'secret': '***', 'api_key': '***',
                         'X-Amz-Signature': '***', 'sig': '***',
                         'db_password': '***', 'name': 'n'}],
             'token_empty': None, 'keyboard': 'qwerty'},
            masking.mask_credentials(value))

    def test_storage_value_unchanged(self):
        value = {'password': 'p', 'u': ['http://u:p@h/']}
        masking.mask_credentials(value)
        self.assertEqual({'password': 'p', 'u': ['http://u:p@h/']}, value)

    def test_scalars_and_other_types_returned(self):
        for value in (None, 7, 1.5, True, ('http://u:p@h/',)):
            self.assertIs(value, masking.mask_credentials(value))

    def test_nesting_without_recursion(self):
        value = nested(100000, 'http://u:p@h/')
        masked = masking.mask_credentials(value)
        self.assertEqual('http://u:***@h/', innermost(masked))


class TestLinearTime(base.TestCase):
    """Adversarial strings cost time linear in their length.

    Each shape is masked at 256 KiB and at 4 MiB (see ``scaling``): a
    pattern that backtracks shows as a cost growing with the square of
    the length.
    """

    SIZE = 256 * 1024

    SHAPES = {
        'many scheme separators': lambda n: 'a://' * (n // 4),
        'long userinfo without @': lambda n: 'http://' + 'u:' * (n // 2),
        'userinfo with spaces': lambda n: 'http://u' + ' ' * n,
        'many colons': lambda n: ':' * n,
        'many at signs': lambda n: 'http://' + '@' * n,
        'letters then a separator': lambda n: 'a' * n + '://',
        'many userinfos': lambda n: 'http://u:p@h ' * (n // 13),
        'many query credentials': lambda n: 'token=x&' * (n // 8),
        'many equal signs': lambda n: '=' * n,
        'long names': lambda n: ('a' * 200 + '_token=x ') * (n // 210),
        'quoted names': lambda n: "'token'" * (n // 7) + ':',
        'unclosed quoted value': lambda n: '"token": "' + '\\' * n,
        'runs of markers': lambda n: (
            ('x' * 128 + 'token' + 'y' * 128 + ' ') * (n // 262) + '='),
        'credential words': lambda n: (
            'password token secret api_key ' * (n // 30)),
    }

    def test_adversarial_strings(self):
        for name, make in self.SHAPES.items():
            for function in (masking.mask_credentials,
                             masking.mask_log_line):
                scaling.assert_linear(self, function, make, self.SIZE,
                                      '%s, %s' % (name, function.__name__))

    def test_many_strings_in_a_structure(self):
        def make(n):
            return {'k%d' % i: 'password=x "token": "y" --password z'
                    for i in range(n // 40)}

        def mask(value):
            masking.mask_log_line(json.dumps(value))
            masking.mask_credentials(value)

        scaling.assert_linear(self, mask, make, 40 * 6250,
                              'a dict of many credential strings')


class TestLogMasking(base.TestCase):

    def setUp(self):
        super().setUp()
        self.stream = io.StringIO()
        self.logger = logging.getLogger('task_api.tests.masking')
        self.logger.propagate = False
        self.logger.setLevel(logging.DEBUG)
        handler = logging.StreamHandler(self.stream)
        handler.setFormatter(logging.Formatter('%(levelname)s %(message)s'))
        self.logger.addHandler(handler)
        self.addCleanup(self.logger.removeHandler, handler)
        masking.install_log_masking(self.logger)

    def test_message_and_arguments_masked(self):
        self.logger.info('fetching %s with %r', 'http://u:p@h/x?sig=s',
                         {'api_key': 'k', 'n': 1})
        self.assertEqual("INFO fetching http://u:***@h/x?sig=*** with "
                         "{'api_key': '***', 'n': 1}\n",
                         self.stream.getvalue())

    def test_oslo_forms(self):
        self.logger.warning('qemu-img convert --password hunter2 x '
                            '<password>p1</password>')
        self.assertEqual('WARNING qemu-img convert --password *** x '
                         '<password>***</password>\n',
                         self.stream.getvalue())

    def test_oslo_rewrites_quoted_pairs_it_knows(self):
        # NOTE: mask_password also drops what follows the last quoted
        # credential it knows; the secrets are gone either way.
        self.logger.info('%r', {'password': 'p1', 'token': 't1', 'n': 1})
        output = self.stream.getvalue()
        self.assertTrue(output.startswith("INFO {'password': '***', "),
                        output)
        self.assertNotIn('p1', output)
        self.assertNotIn('t1', output)

    def test_traceback_masked(self):
        try:
            raise ValueError('[parameters: (\'{"import_from": '
                             '"http://u:hunter2@h/"}\', \'x?token=t1\')]')
        except ValueError:
            self.logger.exception('failed')
        output = self.stream.getvalue()
        self.assertIn('Traceback', output)
        self.assertIn('http://u:***@h/', output)
        self.assertIn('token=***', output)
        self.assertNotIn('hunter2', output)
        self.assertNotIn('t1', output)

    def test_installed_once(self):
        masking.install_log_masking(self.logger)
        formatter = self.logger.handlers[0].formatter
        self.assertIsInstance(formatter, masking.MaskingFormatter)
        self.assertNotIsInstance(formatter.formatter,
                                 masking.MaskingFormatter)


class TestEncode(base.TestCase):

    def test_ordinary_body_as_json_dumps(self):
        body = {'a': ['é', 1, 1.5, None, True], 'b': {}}
        self.assertEqual(json.dumps(body, ensure_ascii=False).encode(),
                         encoding.encode(body))

    def test_lone_surrogates_escaped(self):
        data = encoding.encode({'in\udc80': ['\ud800', 'é\udfff']})
        self.assertEqual(b'{"in\\udc80": ["\\ud800", "\xc3\xa9\\udfff"]}',
                         data)
        self.assertEqual({'in\udc80': ['\ud800', 'é\udfff']},
                         json.loads(data))

    def test_deep_nesting(self):
        depth = 100000
        opens = ['{"a": ' if level % 2 else '['
                 for level in reversed(range(depth))]
        closes = ['}' if level % 2 else ']' for level in range(depth)]
        self.assertEqual(
            ''.join(opens) + '"x\\ud800"' + ''.join(closes),
            encoding.encode(nested(depth, 'x\ud800')).decode('utf-8'))

    def test_non_finite_numbers_are_null(self):
        self.assertEqual(b'{"a": [null, null, null, 1.5]}', encoding.encode(
            {'a': [float('nan'), float('inf'), -float('inf'), 1.5]}))
        self.assertEqual(b'{"a": [null]}', encoding.encode(
            nested(2, float('inf'))))
