"""Checks of the URLs a task names as the source of image data.

Done when the task is created, so that a caller cannot make the service
fetch from an address the service reaches and the caller cannot (its own
loopback, link-local metadata services, private networks) unless the
operator allows it in ``[import_filtering_opts]``.

A URL passes only when it is written so plainly that every parser reads
the same scheme, host and port from it (:func:`parse_url`), its scheme and
port are allowed, and every address its host resolves to is allowed
(:func:`check_address`).

NOTE: a check at create time cannot see what the name will resolve to
when the data is fetched (DNS rebinding), nor where a redirect leads. The
code that fetches must therefore, for the first URL and for every redirect
target, call :func:`check_url`, connect only to an address it returned
(or call :func:`check_address` with the peer address of the connection it
made, and the URL's host), and ignore proxy settings of the environment,
which would hide the address actually connected to.
"""

import collections
import ipaddress
import re
import socket
import urllib.parse

from oslo_log import log as logging

from task_api.common import masking
from task_api import conf as task_conf
from task_api import exception

CONF = task_conf.CONF
LOG = logging.getLogger(__name__)

#: The schemes task_api fetches from, with their default ports.
DEFAULT_PORTS = {'http': 80, 'https': 443}

#: Where each task type carries a URL in its input: the path of keys, and
#: the message of a URL that does not pass (Glance's where Glance has one).
#: NOTE: import is handled by check_import_from, with Glance's messages for
#: a missing or non-http URL.
URL_KEYS = {
    'api_image_import': (('import_req', 'method', 'uri'),
                         'URI for web-download does not pass filtering: %s'),
    'location_import': (('loc_url',),
                        'URI for location_import task does not pass '
                        'filtering: %s'),
}

# RFC 3986: the characters a URL may hold, percent-encodings whole.
_URL = re.compile(r"(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*")
_SCHEME = re.compile(r'[A-Za-z][A-Za-z0-9+.\-]*')
_LABEL = re.compile(r'[a-z0-9_](?:[a-z0-9_\-]{0,61}[a-z0-9_])?')
# NOTE: a host whose last label is a number is read as an IPv4 address by
# URL parsers that follow the WHATWG URL standard (browsers, curl) and by
# inet_aton, which accept 2130706433, 0x7f.1, 017700000001 or 127.1.
_NUMERIC_LABEL = re.compile(r'[0-9]+|0[xX][0-9A-Fa-f]*')
_PORT = re.compile(r'[1-9][0-9]{0,4}')

# IPv6 prefixes whose addresses stand for the IPv4 address in their low 32
# bits: IPv4-mapped, IPv4-compatible (deprecated) and NAT64 (RFC 6052).
_IPV4_MAPPED = ipaddress.ip_network('::ffff:0:0/96')
_IPV4_COMPATIBLE = ipaddress.ip_network('::/96')
_NAT64 = ipaddress.ip_network('64:ff9b::/96')
# Not globally routable whatever the Python version's tables say: NAT64
# local-use (RFC 8215), IPv6 site-local (deprecated, RFC 3879), 6to4 and
# Teredo (tunnels through an IPv4 address).
_NOT_GLOBAL = tuple(ipaddress.ip_network(network) for network in (
    '64:ff9b:1::/48', 'fec0::/10', '2002::/16', '2001::/32'))
_KINDS = (('is_loopback', 'a loopback'), ('is_unspecified', 'the unspecified'),
          ('is_link_local', 'a link-local'), ('is_multicast', 'a multicast'),
          ('is_private', 'a private or special-purpose'),
          ('is_reserved', 'a reserved'))

#: What a URL names to connect to, and the addresses its host resolves to.
Target = collections.namedtuple('Target',
                                'scheme host port addresses')


class Refused(Exception):
    """A URL or address the filter refuses; ``str()`` says why.

    The reason never quotes the URL's user information.
    """


def _invalid(reason):
    return exception.InvalidParameter(reason=reason)


def _describe_bad_character(uri):
    end = _URL.match(uri).end()
    char = uri[end]
    if char == '%':
        return 'a malformed percent-encoding'
    if char == '\\':
        return 'a backslash'
    if char.isspace() or not char.isprintable():
        return 'whitespace or a control character (U+%04X)' % ord(char)
    if not char.isascii():
        return 'a non-ASCII character (U+%04X); write host names in ' \
               'their ASCII (xn--) form and percent-encode the rest' \
               % ord(char)
    return 'a character a URL may not hold unencoded (%r)' % char


def _check_host(host):
    """The host of a URL: a name in lower case, or an ipaddress object."""
    if host.startswith('['):
        try:
            # NOTE: ipaddress takes a zone (%25eth0), which URL parsers
            # handle each in its own way.
            if not host.endswith(']') or '%' in host:
                raise ValueError(host)
            return ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            raise Refused('a malformed IPv6 literal')
    host = host.lower()
    labels = (host[:-1] if host.endswith('.') else host).split('.')
    if len(host) > 254 or not all(_LABEL.fullmatch(label)
                                  for label in labels):
        raise Refused('a host that is neither a DNS name nor an IP address')
    if _NUMERIC_LABEL.fullmatch(labels[-1]):
        try:
            address = ipaddress.IPv4Address(host)
        except ValueError:
            address = None
        if address is None or str(address) != host:
            raise Refused('an IPv4 address not written as four decimal '
                          'numbers')
        return address
    return host


def _split_authority(authority):
    """userinfo (or None), host, port (digits or None) of an authority."""
    userinfo, at, hostport = authority.rpartition('@')
    if '[' in userinfo or ']' in userinfo:
        raise Refused("a URL with '[' or ']' outside its host")
    host, colon, port = hostport.rpartition(':')
    if not colon or (':' in host and not host.endswith(']')):
        host, port = hostport, None
    elif not (_PORT.fullmatch(port) and int(port) <= 65535):
        raise Refused('a URL with an empty or malformed port')
    if not host:
        raise Refused('a URL without a host')
    return (userinfo if at else None), host, port


def _unquote(value):
    return urllib.parse.unquote(value) if value else None


def _urllib_parts(uri):
    split = urllib.parse.urlsplit(uri)
    userinfo, at, _ = split.netloc.rpartition('@')
    return (split.scheme.lower(), _unquote(userinfo) if at else None,
            split.hostname, split.port, _unquote(split.query),
            _unquote(split.fragment))


def _urllib3_parts(uri):
    # NOTE: imported at the first URL checked, not with the API: urllib3
    # costs every worker about 4 MiB, and only creates name URLs.
    from urllib3.util import url as urllib3_url

    url = urllib3_url.parse_url(uri)
    host = url.host.lower() if url.host else None
    if host and host.startswith('['):
        host = host[1:-1]
    return (url.scheme, _unquote(url.auth), host, url.port,
            _unquote(url.query), _unquote(url.fragment))


def parse_url(uri):
    """Read the scheme, host and port of ``uri`` as every parser reads them.

    Only RFC 3986 URLs with an authority pass: no whitespace, control,
    non-ASCII or backslash characters, no ``@`` but the one ending the
    user information, at most one ``#``, a
    port of decimal digits, a host that is a DNS name, a dotted-decimal
    IPv4 address or a bracketed IPv6 address without a zone; and
    urllib.parse and urllib3 (the parser of requests) must read the same
    user information, host, port, query and fragment from it.

    :returns: (scheme, host, port): the scheme in lower case; a host name
        in lower case or an IP address as an ipaddress object; the port,
        or None when the URL names none.
    :raises: Refused
    """
    if not isinstance(uri, str):
        raise Refused('not a string')
    if not _URL.fullmatch(uri):
        raise Refused('a URL with %s' % _describe_bad_character(uri))
    if uri.count('#') > 1:
        raise Refused("a URL with more than one '#'")
    scheme, _, rest = uri.partition(':')
    if not _SCHEME.fullmatch(scheme) or not rest.startswith('//'):
        raise Refused('a URL without a scheme and an authority')
    rest = rest[2:]
    end = min([rest.find(delimiter) for delimiter in '/?#'
               if delimiter in rest] or [len(rest)])
    authority, remainder = rest[:end], rest[end:]
    if '[' in remainder or ']' in remainder:
        raise Refused("a URL with '[' or ']' outside its host")
    # NOTE: parsers that look for the last '@' of a URL, or do not stop
    # the authority at '?' or '#', would read another host from it.
    if '@' in remainder or authority.count('@') > 1:
        raise Refused("a URL with an '@' that does not end its user "
                      "information (write it %40)")
    userinfo, host, port = _split_authority(authority)
    checked_host = _check_host(host)
    port = int(port) if port else None
    before_fragment, _, fragment = remainder.partition('#')
    query = before_fragment.partition('?')[2]
    mine = (scheme.lower(), _unquote(userinfo) if userinfo is not None
            else None, host.lower().strip('[]'), port, _unquote(query),
            _unquote(fragment))
    try:
        agree = mine == _urllib_parts(uri) == _urllib3_parts(uri)
    except ValueError:
        # NOTE: urllib3's LocationParseError is a ValueError.
        agree = False
    if not agree:
        raise Refused('a URL that URL parsers read differently')
    return mine[0], checked_host, port


def _as_address(host):
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def resolve(host):
    """Every address ``host`` resolves to (none when it does not)."""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError, ValueError):
        return []
    return sorted({info[4][0].split('%')[0] for info in infos})


def _translated_ipv4(address):
    """The IPv4 address an IPv6 address stands for, or None.

    IPv4-mapped, IPv4-compatible and NAT64 addresses reach the IPv4
    address in their low 32 bits, and are judged as that address.
    """
    if address.version != 6 or address.is_loopback or address.is_unspecified:
        return None
    if address in _IPV4_MAPPED or address in _IPV4_COMPATIBLE or \
            address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xffffffff)
    return None


def _embedded_ipv4(address):
    """The IPv4 addresses an address carries: none for an IPv4 one.

    6to4 and Teredo addresses carry IPv4 addresses their packets go
    through; they must pass, and so must the IPv6 address itself.
    """
    translated = _translated_ipv4(address)
    if translated is not None:
        return [translated]
    if address.version != 6:
        return []
    return [address.sixtofour] if address.sixtofour else list(
        address.teredo or ())


def _refusal(address):
    """Why ``address`` is not a globally routable unicast address, or None.

    :param address: an ipaddress.IPv4Address or IPv6Address.
    """
    for inner in _embedded_ipv4(address):
        why = _refusal(inner)
        if why:
            return '%s, embedded in %s' % (why, address)
    if _translated_ipv4(address) is not None:
        return None
    for attribute, kind in _KINDS:
        if getattr(address, attribute):
            return '%s is %s address' % (address, kind)
    if not address.is_global or any(address in network
                                    for network in _NOT_GLOBAL):
        return '%s is not a globally routable address' % address
    return None


def _hosts(values):
    """The host names and the IP addresses of a host list option."""
    names, addresses = set(), set()
    for value in values:
        address = _as_address(value)
        if address is None:
            names.add(value.lower().rstrip('.'))
        else:
            addresses.add(address)
    return names, addresses


def _allowed(value, allowed, disallowed):
    if allowed:
        return value in allowed
    return value not in disallowed


def check_address(address, port, host=None):
    """Refuse a connection to ``address``:``port`` the options forbid.

    Called for every address a URL's host resolves to when a task is
    created; the code that fetches calls it again with the peer address of
    the connection it made.

    :param address: an IP address, as a string or an ipaddress object.
    :param port: the port, an int.
    :param host: the host name of the URL, if it names one: a name listed
        in allowed_hosts or disallowed_hosts applies to its addresses.
    :raises: Refused
    """
    opts = CONF.import_filtering_opts
    if not _allowed(port, opts.allowed_ports, opts.disallowed_ports):
        raise Refused('port %s is not allowed' % port)
    if isinstance(address, str):
        address = _as_address(address.split('%')[0])
        if address is None:
            raise Refused('not an IP address')
    if host is not None:
        host = host.rstrip('.')
    if opts.allowed_hosts:
        names, addresses = _hosts(opts.allowed_hosts)
        if host in names or address in addresses or (
                address.version == 6 and address.ipv4_mapped in addresses):
            return
        raise Refused('%s is not in allowed_hosts' % (host or address))
    names, addresses = _hosts(opts.disallowed_hosts)
    if host in names or address in addresses or \
            set(_embedded_ipv4(address)) & addresses:
        raise Refused('%s is in disallowed_hosts' % (host or address))
    why = _refusal(address)
    if why:
        raise Refused(why)


def check_url(uri, resolver=None):
    """Refuse a URL that ``[import_filtering_opts]`` does not let pass.

    :param resolver: a function returning the addresses (strings) of a
        host name; :func:`resolve` by default.
    :returns: a Target: the scheme, the host (a name or an ipaddress
        object), the port (the scheme's default when the URL names none)
        and the ipaddress objects it resolved to, each of them checked.
    :raises: Refused
    """
    scheme, host, port = parse_url(uri)
    resolver = resolver or resolve
    opts = CONF.import_filtering_opts
    if scheme not in DEFAULT_PORTS:
        raise Refused('task_api fetches http and https URLs only')
    allowed = [value.lower() for value in opts.allowed_schemes]
    disallowed = [value.lower() for value in opts.disallowed_schemes]
    if not _allowed(scheme, allowed, disallowed):
        raise Refused('scheme %s is not allowed' % scheme)
    port = port or DEFAULT_PORTS[scheme]
    if isinstance(host, str):
        addresses = [_as_address(value) for value in resolver(host)]
        if not addresses or None in addresses:
            raise Refused('%s does not resolve to IP addresses' % host)
        name = host
    else:
        addresses, name = [host], None
    for address in addresses:
        check_address(address, port, name)
    return Target(scheme, host, port, addresses)


def passes_filtering(uri, resolver=None):
    """Whether ``uri`` may be fetched under ``[import_filtering_opts]``.

    The reason of a refusal is logged.
    """
    try:
        check_url(uri, resolver)
    except Refused as error:
        LOG.info('A task URL does not pass filtering: %s', error)
        return False
    return True


def check_import_from(import_from, resolver=None):
    """Refuse an ``input.import_from`` that an import may not read.

    :raises: task_api.exception.InvalidParameter with the message the
        Image API gives for each case.
    """
    if not import_from:
        raise _invalid('Invalid location: None')
    if not isinstance(import_from, str):
        raise _invalid('Invalid location: %s'
                       % (masking.mask_credentials(import_from),))
    scheme = import_from.split(':', 1)[0].lower() if ':' in import_from \
        else ''
    if scheme in ('file', 'filesystem'):
        raise _invalid('File based imports are not allowed. Please use a '
                       'non-local source of image data.')
    if scheme not in DEFAULT_PORTS:
        raise _invalid('The given uri is not valid. Please specify a valid '
                       "uri from the following list of supported uri "
                       "['http']")
    if not passes_filtering(import_from, resolver):
        # NOTE: the URL is echoed with its password masked.
        raise _invalid('URI for legacy import task does not pass '
                       'filtering: %s'
                       % masking.mask_credentials(import_from))


def _lookup(task_input, path):
    value = task_input
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def check_task_input(task_type, task_input, resolver=None):
    """Refuse the ``input`` of a new task whose URL may not be fetched.

    Knows where each task type carries a URL: ``import_from`` of
    ``import`` (which must be there), ``import_req.method.uri`` of
    ``api_image_import`` and ``loc_url`` of ``location_import`` (checked
    when present).

    :raises: task_api.exception.InvalidParameter
    """
    if task_type == 'import':
        if not isinstance(task_input, dict):
            task_input = {}
        check_import_from(task_input.get('import_from'), resolver)
        return
    path, message = URL_KEYS.get(task_type, ((), None))
    value = _lookup(task_input, path) if path else None
    if value is not None and not passes_filtering(value, resolver):
        raise _invalid(message % (masking.mask_credentials(value),))
