"""Tests of the filter of the URLs tasks fetch image data from."""

import os
import subprocess
import sys
import textwrap
import urllib.parse

import fixtures
from oslo_config import cfg
import urllib3.util

from task_api.common import import_filter
from task_api.conf import import_filtering
from task_api import exception
from task_api.tests import base
from task_api.tests import scaling

#: Host names of the tests and what they resolve to; every other name
#: resolves to nothing. Literal addresses and localhost are resolved by
#: the system, as they are in service.
NAMES = {
    'images.example.com': ['93.184.215.14', '2606:2800:21f:cb07::1'],
    'rebind.example.com': ['93.184.215.14', '10.0.0.7'],
    'metadata.example.com': ['169.254.169.254'],
    'mapped.example.com': ['::ffff:127.0.0.1'],
    'shared.example.com': ['100.100.100.200'],
    'under_score.example.com': ['93.184.215.14'],
}


def resolver(host):
    if host.rstrip('.') == 'localhost':
        return import_filter.resolve(host)
    return NAMES.get(host.rstrip('.'), [])


#: URLs that pass the default options.
ACCEPTED = [
    'http://8.8.8.8/cirros.qcow2',
    'https://8.8.8.8/cirros.qcow2',
    'HTTP://8.8.8.8:443/cirros.qcow2',
    'http://8.8.8.8:80/a/b/../c?x=1&y=%2F#frag',
    'http://user:p%40ss@8.8.8.8/x',
    'http://[2001:4860:4860::8888]/x',
    'http://[2001:4860:4860::8888]:443/x',
    'http://[::ffff:8.8.8.8]/x',
    'http://[64:ff9b::8.8.8.8]/x',
    'http://images.example.com/cirros.qcow2',
    'http://IMAGES.example.com./cirros.qcow2',
    'http://under_score.example.com/x',
]

#: URLs refused by the default options, with the reason that is logged.
REFUSED = [
    # Addresses that are not globally routable.
    ('http://127.0.0.1/x', '127.0.0.1 is a loopback address'),
    ('http://127.8.9.10/x', '127.8.9.10 is a loopback address'),
    ('http://localhost/x', '127.0.0.1 is a loopback address'),
    ('http://[::1]/x', '::1 is a loopback address'),
    ('http://0.0.0.0/x', '0.0.0.0 is the unspecified address'),
    ('http://[::]/x', ':: is the unspecified address'),
    ('http://10.1.2.3/x', '10.1.2.3 is a private or special-purpose '
     'address'),
    ('http://172.16.0.1/x', '172.16.0.1 is a private or special-purpose '
     'address'),
    ('http://192.168.0.1/x', '192.168.0.1 is a private or special-purpose '
     'address'),
    ('http://169.254.169.254/latest', '169.254.169.254 is a link-local '
     'address'),
    ('http://100.64.0.1/x', '100.64.0.1 is not a globally routable '
     'address'),
    ('http://100.127.255.254/x', '100.127.255.254 is not a globally '
     'routable address'),
    ('http://198.18.0.1/x', '198.18.0.1 is a private or special-purpose '
     'address'),
    ('http://198.19.255.1/x', '198.19.255.1 is a private or '
     'special-purpose address'),
    ('http://240.0.0.1/x', '240.0.0.1 is a private or special-purpose '
     'address'),
    ('http://255.255.255.255/x', '255.255.255.255 is a private or '
     'special-purpose address'),
    ('http://224.0.0.1/x', '224.0.0.1 is a multicast address'),
    ('http://239.255.255.250/x', '239.255.255.250 is a multicast address'),
    ('http://192.0.2.1/x', '192.0.2.1 is a private or special-purpose '
     'address'),
    ('http://198.51.100.1/x', '198.51.100.1 is a private or '
     'special-purpose address'),
    ('http://203.0.113.1/x', '203.0.113.1 is a private or special-purpose '
     'address'),
    ('http://[fc00::1]/x', 'fc00::1 is a private or special-purpose '
     'address'),
    ('http://[fd12:3456::1]/x', 'fd12:3456::1 is a private or '
     'special-purpose address'),
    ('http://[fe80::1]/x', 'fe80::1 is a link-local address'),
    ('http://[fec0::1]/x', 'fec0::1 is not a globally routable address'),
    ('http://[ff02::1]/x', 'ff02::1 is a multicast address'),
    ('http://[ff0e::1]/x', 'ff0e::1 is a multicast address'),
    ('http://[2001:db8::1]/x', '2001:db8::1 is a private or '
     'special-purpose address'),
    ('http://[4000::1]/x', '4000::1 is a reserved address'),
    # IPv6 forms of a refused IPv4 address.
    ('http://[::ffff:127.0.0.1]/x', '127.0.0.1 is a loopback address, '
     'embedded in ::ffff:7f00:1'),
    ('http://[::ffff:a9fe:a9fe]/x', '169.254.169.254 is a link-local '
     'address, embedded in ::ffff:a9fe:a9fe'),
    ('http://[::127.0.0.1]/x', '127.0.0.1 is a loopback address, '
     'embedded in ::7f00:1'),
    ('http://[::10.0.0.1]/x', '10.0.0.1 is a private or special-purpose '
     'address, embedded in ::a00:1'),
    ('http://[2002:7f00:1::1]/x', '127.0.0.1 is a loopback address, '
     'embedded in 2002:7f00:1::1'),
    ('http://[2002:a9fe:a9fe::]/x', '169.254.169.254 is a link-local '
     'address, embedded in 2002:a9fe:a9fe::'),
    ('http://[2002:808:808::1]/x', '2002:808:808::1 is a private or '
     'special-purpose address'),
    ('http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/x', '127.0.0.1 is a '
     'loopback address, embedded in 2001:0:4136:e378:8000:63bf:80ff:fffe'),
    ('http://[2001:0:4136:e378:8000:63bf:f7f7:f7f7]/x',
     '2001:0:4136:e378:8000:63bf:f7f7:f7f7 is a private or special-purpose '
     'address'),
    ('http://[64:ff9b::127.0.0.1]/x', '127.0.0.1 is a loopback address, '
     'embedded in 64:ff9b::7f00:1'),
    ('http://[64:ff9b::a9fe:a9fe]/x', '169.254.169.254 is a link-local '
     'address, embedded in 64:ff9b::a9fe:a9fe'),
    ('http://[64:ff9b:1::808:808]/x', '64:ff9b:1::808:808 is a private or '
     'special-purpose address'),
    # Other spellings of IPv4 addresses.
    ('http://2130706433/x', 'an IPv4 address not written as four decimal '
     'numbers'),
    ('http://0x7f.1/x', 'an IPv4 address not written as four decimal '
     'numbers'),
    ('http://0x7f000001/x', 'an IPv4 address not written as four decimal '
     'numbers'),
    ('http://017700000001/x', 'an IPv4 address not written as four '
     'decimal numbers'),
    ('http://0177.0.0.1/x', 'an IPv4 address not written as four decimal '
     'numbers'),
    ('http://127.1/x', 'an IPv4 address not written as four decimal '
     'numbers'),
    ('http://127.0.1/x', 'an IPv4 address not written as four decimal '
     'numbers'),
    ('http://010.8.8.8/x', 'an IPv4 address not written as four decimal '
     'numbers'),
    ('http://8.8.8.8./x', 'an IPv4 address not written as four decimal '
     'numbers'),
    ('http://images.example.com.0x10/x', 'an IPv4 address not written as '
     'four decimal numbers'),
    ('http://256.1.1.1/x', 'an IPv4 address not written as four decimal '
     'numbers'),
    # URLs that parsers read differently.
    ('http://127.0.0.1:80\\@8.8.8.8/', 'a URL with a backslash'),
    ('http://8.8.8.8\\@127.0.0.1/', 'a URL with a backslash'),
    ('http://127.0.0.1\\.images.example.com/', 'a URL with a backslash'),
    ('http://8.8.8.8/x y', 'a URL with whitespace or a control character '
     '(U+0020)'),
    ('http://127.0.0.1\t.8.8.8.8/', 'a URL with whitespace or a control '
     'character (U+0009)'),
    ('http://8.8.8.8\n@127.0.0.1/', 'a URL with whitespace or a control '
     'character (U+000A)'),
    ('\x00http://8.8.8.8/', 'a URL with whitespace or a control character '
     '(U+0000)'),
    (' http://8.8.8.8/', 'a URL with whitespace or a control character '
     '(U+0020)'),
    ('http://8.8.8.8/\x7f', 'a URL with whitespace or a control character '
     '(U+007F)'),
    ('http://8.8.8.8/\u2028', 'a URL with whitespace or a control '
     'character (U+2028)'),
    ('http://exa\u0301mple.com/', 'a URL with a non-ASCII character '
     '(U+0301); write host names in their ASCII (xn--) form and '
     'percent-encode the rest'),
    ('http://\uff11\uff12\uff17.0.0.1/', 'a URL with a non-ASCII character '
     '(U+FF11); write host names in their ASCII (xn--) form and '
     'percent-encode the rest'),
    ('http://8.8.8.8\uff03@127.0.0.1/', 'a URL with a non-ASCII character '
     '(U+FF03); write host names in their ASCII (xn--) form and '
     'percent-encode the rest'),
    ('http://8.8.8.8/%zz', 'a URL with a malformed percent-encoding'),
    ('http://8.8.8.8/"x"', "a URL with a character a URL may not hold "
     "unencoded ('\"')"),
    ('http://a@b@8.8.8.8/x', "a URL with an '@' that does not end its "
     "user information (write it %40)"),
    ('http://8.8.8.8@127.0.0.1/x', '127.0.0.1 is a loopback address'),
    ('http://8.8.8.8:80@127.0.0.1:80/x', '127.0.0.1 is a loopback '
     'address'),
    ('http://127.0.0.1?@8.8.8.8/', "a URL with an '@' that does not end "
     "its user information (write it %40)"),
    ('http://127.0.0.1#@8.8.8.8/', "a URL with an '@' that does not end "
     "its user information (write it %40)"),
    ('http://127.0.0.1/@8.8.8.8/', "a URL with an '@' that does not end "
     "its user information (write it %40)"),
    ('http://8.8.8.8/x#a#b', "a URL with more than one '#'"),
    ('http://8.8.8.8/[x]', "a URL with '[' or ']' outside its host"),
    ('http://[::1]@8.8.8.8/x', "a URL with '[' or ']' outside its host"),
    ('http://[fe80::1%25eth0]/x', 'a malformed IPv6 literal'),
    ('http://[v1.fe80::1]/x', 'a malformed IPv6 literal'),
    ('http://[8.8.8.8]/x', 'a malformed IPv6 literal'),
    ('http://[::1/x', 'a malformed IPv6 literal'),
    ('http://8.8.8.8:/x', 'a URL with an empty or malformed port'),
    ('http://8.8.8.8:080/x', 'a URL with an empty or malformed port'),
    ('http://8.8.8.8:0/x', 'a URL with an empty or malformed port'),
    ('http://8.8.8.8:+80/x', 'a URL with an empty or malformed port'),
    ('http://8.8.8.8:65536/x', 'a URL with an empty or malformed port'),
    ('http://8.8.8.8:99999/x', 'a URL with an empty or malformed port'),
    ('http://8.8.8.8:8%30/x', 'a URL with an empty or malformed port'),
    ('http://8.8.8.8:80:80/x', 'a host that is neither a DNS name nor an '
     'IP address'),
    ('http://%38.8.8.8/x', 'a host that is neither a DNS name nor an IP '
     'address'),
    ('http://a..example.com/x', 'a host that is neither a DNS name nor an '
     'IP address'),
    ("http://a!b.example.com/x", 'a host that is neither a DNS name nor '
     'an IP address'),
    ('http://-a.example.com/x', 'a host that is neither a DNS name nor an '
     'IP address'),
    ('http:///x', 'a URL without a host'),
    ('http://:80/x', 'a URL without a host'),
    ('http://user@/x', 'a URL without a host'),
    ('http:8.8.8.8/x', 'a URL without a scheme and an authority'),
    ('http:/8.8.8.8/x', 'a URL without a scheme and an authority'),
    ('//8.8.8.8/x', 'a URL without a scheme and an authority'),
    # Schemes, ports and names.
    ('ftp://8.8.8.8/x', 'task_api fetches http and https URLs only'),
    ('file://8.8.8.8/etc/passwd', 'task_api fetches http and https URLs '
     'only'),
    ('http://8.8.8.8:8080/x', 'port 8080 is not allowed'),
    ('https://8.8.8.8:22/x', 'port 22 is not allowed'),
    ('http://rebind.example.com/x', '10.0.0.7 is a private or '
     'special-purpose address'),
    ('http://metadata.example.com/x', '169.254.169.254 is a link-local '
     'address'),
    ('http://mapped.example.com/x', '127.0.0.1 is a loopback address, '
     'embedded in ::ffff:7f00:1'),
    ('http://shared.example.com/x', '100.100.100.200 is not a globally '
     'routable address'),
    ('http://no-such-host.invalid/x', 'no-such-host.invalid does not '
     'resolve to IP addresses'),
]


def reason(uri, resolve=resolver):
    """Why ``uri`` is refused, or None when it passes."""
    try:
        import_filter.check_url(uri, resolve)
    except import_filter.Refused as error:
        return str(error)
    return None


class TestDefaultFiltering(base.TestCase):
    """Which URLs pass the default [import_filtering_opts]."""

    def test_urls(self):
        failures = []
        for uri in ACCEPTED:
            if reason(uri) is not None:
                failures.append((uri, reason(uri), 'accepted'))
        for uri, expected in REFUSED:
            if reason(uri) != expected:
                failures.append((uri, reason(uri), expected))
        self.assertEqual([], failures)

    def test_accepted_urls_are_read_alike_by_every_parser(self):
        for uri in ACCEPTED:
            split = urllib.parse.urlsplit(uri)
            url = urllib3.util.parse_url(uri)
            for scheme, host, port in (
                    (split.scheme.lower(), split.hostname, split.port),
                    (url.scheme, url.host.strip('[]').lower(), url.port)):
                host = import_filter._as_address(host) or host
                self.assertEqual((scheme, host, port),
                                 import_filter.parse_url(uri), uri)

    def test_backslash_url_that_python_reads_as_public(self):
        uri = 'http://127.0.0.1:80\\@8.8.8.8/'
        # The disagreement the filter guards against.
        self.assertEqual('8.8.8.8', urllib.parse.urlsplit(uri).hostname)
        self.assertEqual('127.0.0.1', urllib3.util.parse_url(uri).host)
        self.assertFalse(import_filter.passes_filtering(uri))

    def test_target_names_what_to_connect_to(self):
        target = import_filter.check_url(
            'https://u:p@Images.Example.Com:443/x', resolver)
        self.assertEqual(('https', 'images.example.com', 443),
                         target[:3])
        self.assertEqual(['93.184.215.14', '2606:2800:21f:cb07::1'],
                         [str(address) for address in target.addresses])

    def test_refusal_is_logged_without_the_password(self):
        logger = self.useFixture(fixtures.FakeLogger(
            name='task_api.common.import_filter'))
        self.assertFalse(import_filter.passes_filtering(
            'http://joe:secret@127.0.0.1/x'))
        self.assertEqual('A task URL does not pass filtering: 127.0.0.1 is '
                         'a loopback address\n', logger.output)

    def test_parsing_is_linear(self):
        # NOTE: each shape at 128 Ki and 2 Mi repetitions; a parser that
        # rescans the URL for each part costs the square of its length.
        shapes = {
            'many path segments': lambda n: 'http://8.8.8.8/' + 'a/' * n,
            'many host labels': lambda n: 'http://' + 'a.' * n + 'com/',
            'many escapes': lambda n: 'http://8.8.8.8/' + '%41' * n + '%',
            'many colons': lambda n: 'http://' + ':' * n,
            'many at signs': lambda n: 'http://8.8.8.8/?' + '@' * n,
            'many brackets': lambda n: 'http://' + '[' * n,
        }
        for name, make in shapes.items():
            scaling.assert_linear(
                self, lambda uri: import_filter.passes_filtering(
                    uri, resolver), make, 128 * 1024, name)


class TestOptions(base.TestCase):
    """What each option of [import_filtering_opts] lets pass."""

    def test_allowed_hosts(self):
        self.config(allowed_hosts=['127.0.0.1', 'Metadata.Example.Com.',
                                   '::1', '10.0.0.7'],
                    allowed_ports=[80, 8080], group='import_filtering_opts')
        self.assertIsNone(reason('http://127.0.0.1:8080/x'))
        self.assertIsNone(reason('http://[::ffff:127.0.0.1]/x'))
        self.assertIsNone(reason('http://[::1]/x'))
        self.assertIsNone(reason('http://metadata.example.com/x'))
        # Both addresses of localhost are listed.
        self.assertIsNone(reason('http://localhost/x'))
        self.assertEqual('8.8.8.8 is not in allowed_hosts',
                         reason('http://8.8.8.8/x'))
        self.assertEqual('images.example.com is not in allowed_hosts',
                         reason('http://images.example.com/x'))
        # Every address of a name that is not listed must be.
        self.assertEqual('rebind.example.com is not in allowed_hosts',
                         reason('http://rebind.example.com/x'))
        self.assertEqual('port 443 is not allowed',
                         reason('https://127.0.0.1/x'))
        # Parsers must agree whatever the options.
        self.assertEqual('a URL with a backslash',
                         reason('http://127.0.0.1:80\\@8.8.8.8/'))

    def test_disallowed_hosts(self):
        self.config(disallowed_hosts=['8.8.4.4', 'images.example.com'],
                    group='import_filtering_opts')
        self.assertIsNone(reason('http://8.8.8.8/x'))
        self.assertEqual('8.8.4.4 is in disallowed_hosts',
                         reason('http://8.8.4.4/x'))
        self.assertEqual('::ffff:808:404 is in disallowed_hosts',
                         reason('http://[::ffff:8.8.4.4]/x'))
        self.assertEqual('64:ff9b::808:404 is in disallowed_hosts',
                         reason('http://[64:ff9b::8.8.4.4]/x'))
        self.assertEqual('images.example.com is in disallowed_hosts',
                         reason('http://images.example.com./x'))
        self.assertEqual('127.0.0.1 is a loopback address',
                         reason('http://127.0.0.1/x'))

    def test_ports(self):
        self.config(allowed_ports=[], disallowed_ports=[80],
                    group='import_filtering_opts')
        self.assertIsNone(reason('http://8.8.8.8:8080/x'))
        self.assertIsNone(reason('https://8.8.8.8/x'))
        self.assertEqual('port 80 is not allowed', reason('http://8.8.8.8/'))
        self.assertEqual('port 80 is not allowed',
                         reason('https://8.8.8.8:80/'))

    def test_schemes(self):
        self.config(allowed_schemes=['HTTPS'], group='import_filtering_opts')
        self.assertIsNone(reason('https://8.8.8.8/x'))
        self.assertEqual('scheme http is not allowed',
                         reason('http://8.8.8.8/x'))
        self.config(allowed_schemes=[], disallowed_schemes=['https'],
                    group='import_filtering_opts')
        self.assertIsNone(reason('http://8.8.8.8/x'))
        self.assertEqual('scheme https is not allowed',
                         reason('https://8.8.8.8/x'))
        self.config(allowed_schemes=['ftp'], group='import_filtering_opts')
        self.assertEqual('task_api fetches http and https URLs only',
                         reason('ftp://8.8.8.8/x'))


class TestCheckAddress(base.TestCase):
    """The check of the address a fetch actually connects to."""

    def test_default_options(self):
        import_filter.check_address('8.8.8.8', 80)
        import_filter.check_address('2001:4860:4860::8888', 443,
                                    'images.example.com')
        for address, port, expected in (
                ('127.0.0.1', 80, '127.0.0.1 is a loopback address'),
                ('fe80::1%eth0', 80, 'fe80::1 is a link-local address'),
                ('::ffff:10.0.0.1', 80, '10.0.0.1 is a private or '
                 'special-purpose address, embedded in ::ffff:a00:1'),
                ('8.8.8.8', 8080, 'port 8080 is not allowed'),
                ('localhost', 80, 'not an IP address')):
            error = self.assertRaises(import_filter.Refused,
                                      import_filter.check_address,
                                      address, port)
            self.assertEqual(expected, str(error))

    def test_allowed_host_name_covers_its_addresses(self):
        self.config(allowed_hosts=['mirror.example.com'],
                    group='import_filtering_opts')
        import_filter.check_address('10.0.0.5', 80, 'mirror.example.com.')
        error = self.assertRaises(import_filter.Refused,
                                  import_filter.check_address, '10.0.0.5',
                                  80, 'other.example.com')
        self.assertEqual('other.example.com is not in allowed_hosts',
                         str(error))


class TestCheckTaskInput(base.TestCase):
    """Which key of which task type carries the URL that is checked."""

    def assertRefused(self, message, task_type, task_input):
        error = self.assertRaises(exception.InvalidParameter,
                                  import_filter.check_task_input, task_type,
                                  task_input, resolver)
        self.assertEqual(message, str(error))

    def test_import(self):
        import_filter.check_task_input(
            'import', {'import_from': 'http://images.example.com/x'},
            resolver)
        for task_input in (None, {}, {'import_from': ''},
                           {'import_from': None}):
            self.assertRefused('Invalid location: None', 'import',
                               task_input)
        self.assertRefused('Invalid location: 5', 'import',
                           {'import_from': 5})
        self.assertRefused('URI for legacy import task does not pass '
                           'filtering: http://joe:***@127.0.0.1/x',
                           'import', {'import_from':
                                      'http://joe:pw@127.0.0.1/x'})

    def test_api_image_import(self):
        uri = 'http://images.example.com/x'
        for task_input in (
                {'image_id': 'x'}, {'import_req': None},
                {'import_req': 'x'}, {'import_req': {'method': None}},
                {'import_req': {'method': {'name': 'glance-direct'}}},
                {'import_req': {'method': {'name': 'web-download',
                                           'uri': uri}}}):
            import_filter.check_task_input('api_image_import', task_input,
                                           resolver)
        for uri, shown in (('http://169.254.169.254/latest',
                            'http://169.254.169.254/latest'),
                           ('http://u:pw@[::1]/x', 'http://u:***@[::1]/x'),
                           (['http://8.8.8.8/'], "['http://8.8.8.8/']"),
                           ({}, '{}'), (5, '5'), ('', '')):
            self.assertRefused('URI for web-download does not pass '
                               'filtering: ' + shown, 'api_image_import',
                               {'image_id': 'x', 'import_req': {'method': {
                                   'name': 'web-download', 'uri': uri}}})

    def test_location_import(self):
        for task_input in ({}, {'loc_url': None},
                           {'loc_url': 'https://images.example.com/x'}):
            import_filter.check_task_input('location_import', task_input,
                                           resolver)
        self.assertRefused('URI for location_import task does not pass '
                           'filtering: http://0x7f.1/x', 'location_import',
                           {'image_id': 'x', 'loc_url': 'http://0x7f.1/x',
                            'validation_data': {}})
        self.assertRefused('URI for location_import task does not pass '
                           'filtering: rbd://fsid/pool/image/snap',
                           'location_import',
                           {'loc_url': 'rbd://fsid/pool/image/snap'})


CONFIG = """
[import_filtering_opts]
allowed_schemes = %s
disallowed_schemes = %s
allowed_hosts = %s
disallowed_hosts = %s
allowed_ports = %s
disallowed_ports = %s
"""


class TestConfigFile(base.TestCase):
    """The options as written in a configuration file."""

    def load(self, *values):
        """The options read from a file with these values, in order."""
        path = os.path.join(self.useFixture(fixtures.TempDir()).path,
                            'task_api.conf')
        with open(path, 'w') as stream:
            stream.write(CONFIG % values)
        conf = cfg.ConfigOpts()
        import_filtering.register_opts(conf)
        conf(['--config-file', path], project='task_api')
        group = conf.import_filtering_opts
        return [getattr(group, opt.name) for opt in import_filtering.opts]

    def test_glance_bracketed_lists(self):
        self.assertEqual(
            [['http', 'https'], ['ftp'], ['127.0.0.1', '::1', 'localhost'],
             [], [80, 443], [8080, 8443]],
            self.load('[http,https]', '[ftp]', '[127.0.0.1, ::1,localhost]',
                      '[]', '[80,443]', ' [ 8080 , 8443 ] '))

    def test_plain_lists(self):
        self.assertEqual(
            [['http', 'https'], [], ['127.0.0.1', 'under_score.example'],
             ['8.8.4.4'], [80, 443], []],
            self.load('http,https', '', '127.0.0.1,under_score.example',
                      '8.8.4.4', '80, 443', ''))

    def test_invalid_values_are_refused_when_read(self):
        for values, name in (
                (('[http', '', '', '', '', ''), 'allowed_schemes'),
                (('http:', '', '', '', '', ''), 'allowed_schemes'),
                (('', '', '[127.0.0.1', '', '', ''), 'allowed_hosts'),
                (('', '', '127.0.0.1]', '', '', ''), 'allowed_hosts'),
                (('', '', '', '10.0.0.0/8', '', ''), 'disallowed_hosts'),
                (('', '', '', 'http://x/', '', ''), 'disallowed_hosts'),
                (('', '', '', '', '[80,http]', ''), 'allowed_ports'),
                (('', '', '', '', '[80', ''), 'allowed_ports'),
                (('', '', '', '', '', '0'), 'disallowed_ports'),
                (('', '', '', '', '', '[65536]'), 'disallowed_ports')):
            error = self.assertRaises(cfg.ConfigFileValueError, self.load,
                                      *values)
            self.assertIn('Value for option %s from ' % name, str(error))


class TestUrlLibraryLoadedOnDemand(base.TestCase):
    """The import filter loads its URL library at the first URL checked.

    (A serving API has it loaded anyway: oslo.policy imports its http rule
    check, and requests with urllib3, when it parses the first rule.)
    """

    def test_the_filter_imports_no_url_library(self):
        # NOTE: a fresh interpreter, as this one has imported urllib3.
        script = textwrap.dedent('''
            import sys
            from task_api.common import import_filter
            from task_api import conf
            conf.register_opts(conf.CONF)
            conf.CONF([], project="task_api", default_config_files=[])
            print("urllib3 loaded:", "urllib3" in sys.modules)
            import_filter.passes_filtering("http://192.0.43.10/x")
            print("urllib3 loaded:", "urllib3" in sys.modules)
            ''')
        output = subprocess.run(
            [sys.executable, '-c', script], check=True,
            capture_output=True, text=True).stdout
        self.assertEqual(
            ['urllib3 loaded: False', 'urllib3 loaded: True'],
            [line for line in output.splitlines()
             if line.startswith('urllib3 loaded:')])
