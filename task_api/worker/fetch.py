"""Fetching the data of an import task from its http or https URL.

The URL was checked against ``[import_filtering_opts]`` when the task was
created; a name may resolve elsewhere by now (DNS rebinding) and a server
may redirect anywhere. So every hop is checked again here, where the
connection is made: the URL's host is resolved once
(:func:`task_api.common.import_filter.check_url`), every address it
resolved to is checked, and the connection goes to one of those addresses
(never to the name, which would be resolved again), with the URL's host in
the ``Host`` header and, for https, in the TLS server name and the
certificate check. As soon as a connection is made, before any request is
sent on it, the address it actually went to is checked again
(:class:`CheckedHTTPConnection`), for http and https alike. For https,
the server's certificate must be issued by an authority of ``[task]
import_ca_file`` (the system's trusted authorities when unset) and be
valid for the URL's host. Redirects are followed here, hop by hop, each checked
the same way, at most :data:`MAX_REDIRECTS` of them. Proxy settings of the
environment are ignored: they would hide where the data comes from.

Messages never quote a URL's user information or the values of
credentials in its query (:mod:`task_api.common.masking`).
"""

import ipaddress
import ssl
import urllib.parse

from oslo_log import log
import urllib3
from urllib3 import connection as urllib3_connection
from urllib3 import exceptions as urllib3_exc
from urllib3.util import make_headers

from task_api.common import import_filter
from task_api.common import masking
from task_api import conf as task_conf

CONF = task_conf.CONF
LOG = log.getLogger(__name__)

#: Redirects followed before a fetch fails.
MAX_REDIRECTS = 5
REDIRECT_STATUSES = frozenset((301, 302, 303, 307, 308))
CHUNK_SIZE = 64 * 1024
USER_AGENT = 'task_api-import'


class FetchFailed(Exception):
    """The data could not be fetched; ``str()`` is one line for the user.

    The message never holds a credential of the URL.
    """


def describe_size(size):
    """``size`` bytes in MiB with one decimal, as progress shows it."""
    return '%.1f MiB' % (size / 1024.0 / 1024.0)


def _masked(url):
    return masking.mask_credentials(url)


def _host_header(scheme, host, port):
    if isinstance(host, ipaddress.IPv6Address):
        text = '[%s]' % host
    else:
        text = str(host)
    if port != import_filter.DEFAULT_PORTS[scheme]:
        text = '%s:%d' % (text, port)
    return text


def _authorization(split):
    """The Basic credentials of a URL's user information, if any."""
    if split.username is None:
        return {}
    user = urllib.parse.unquote(split.username)
    password = urllib.parse.unquote(split.password or '')
    return make_headers(basic_auth='%s:%s' % (user, password))


def check_peer(sock, host, port, address):
    """Check the address a connection for ``host`` actually went to.

    :param sock: the connected socket.
    :param host: the URL's host: a name (str) or an address.
    :param address: the address that was checked and connected to.
    :raises: FetchFailed when the filter refuses the peer address or it
        is not ``address``.
    """
    peer = sock.getpeername()[0]
    name = host if isinstance(host, str) else None
    try:
        import_filter.check_address(peer, port, name)
    except import_filter.Refused as error:
        raise FetchFailed('the connection for %s went to a refused '
                          'address: %s' % (host, error)) from None
    if ipaddress.ip_address(peer.split('%')[0]) != address:
        raise FetchFailed('the connection for %s went to %s instead of '
                          'the checked address %s' % (host, peer, address))


class _PeerChecked:
    """Checks the peer of each new connection before anything is sent.

    :param checked_address: the address the host was checked at.
    :param url_host: the URL's host (a name, or an address).
    """

    def __init__(self, *args, checked_address, url_host, **kwargs):
        super().__init__(*args, **kwargs)
        self.checked_address = checked_address
        self.url_host = url_host

    def connect(self):
        super().connect()
        try:
            check_peer(self.sock, self.url_host, self.port,
                       self.checked_address)
        except FetchFailed:
            self.close()
            raise


class CheckedHTTPConnection(_PeerChecked, urllib3_connection.HTTPConnection):
    """An http connection whose peer address is checked when it connects."""


class CheckedHTTPSConnection(_PeerChecked,
                             urllib3_connection.HTTPSConnection):
    """An https connection whose peer address is checked when it connects.

    Checked once the TLS handshake is done, before the request is sent.
    """


class _HTTPPool(urllib3.HTTPConnectionPool):
    ConnectionCls = CheckedHTTPConnection


class _HTTPSPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = CheckedHTTPSConnection


def _pool(target, address):
    timeout = urllib3.Timeout(connect=CONF.task.import_connect_timeout,
                              read=CONF.task.import_read_timeout)
    checks = {'checked_address': address, 'url_host': target.host}
    if target.scheme == 'http':
        return _HTTPPool(str(address), target.port, timeout=timeout,
                         retries=False, maxsize=1, **checks)
    # NOTE: the connection goes to the address; the certificate must
    # still be valid for the name the URL gives, which is also the server
    # name sent in the TLS handshake (for an address, valid for the
    # address). The TLS library checks the name.
    name = None if not isinstance(target.host, str) else target.host
    return _HTTPSPool(
        str(address), target.port, timeout=timeout, retries=False,
        maxsize=1, cert_reqs='CERT_REQUIRED',
        ca_certs=CONF.task.import_ca_file, server_hostname=name, **checks)


def _tls_message(error, where):
    """One line saying why the TLS connection to ``where`` failed."""
    reason = error.args[0] if error.args else None
    if isinstance(reason, ssl.SSLCertVerificationError):
        detail = (reason.verify_message or reason.reason or
                  'certificate verify failed').rstrip('.')
        trusted = ('[task] import_ca_file' if CONF.task.import_ca_file
                   else 'the system, as [task] import_ca_file is unset')
        return 'the TLS certificate of %s could not be verified: %s ' \
               '(certificate authorities trusted: those of %s)' % (
                   where, detail, trusted)
    if isinstance(reason, OSError) and not isinstance(reason, ssl.SSLError):
        # NOTE: the authorities' file is read when connecting.
        LOG.error('[task] import_ca_file %s could not be read: %s',
                  CONF.task.import_ca_file, reason)
        return 'the certificate authorities of [task] import_ca_file ' \
               'could not be read (%s)' % type(reason).__name__
    return 'the https connection to %s failed (TLS: the server\'s ' \
           'certificate or handshake was refused)' % where


def _error_message(error, where):
    """One line saying why a request to ``where`` failed, no URL in it."""
    if isinstance(error, urllib3_exc.ConnectTimeoutError):
        return 'connecting to %s timed out after %s seconds ([task] ' \
               'import_connect_timeout)' % (
                   where, CONF.task.import_connect_timeout)
    if isinstance(error, urllib3_exc.ReadTimeoutError):
        return '%s sent nothing for %s seconds ([task] ' \
               'import_read_timeout)' % (where, CONF.task.import_read_timeout)
    if isinstance(error, urllib3_exc.NewConnectionError):
        return 'could not connect to %s' % where
    if isinstance(error, urllib3_exc.SSLError):
        return _tls_message(error, where)
    return 'the connection to %s broke (%s)' % (
        where, type(error).__name__)


class Fetcher:
    """Opens import URLs with the checks described in this module.

    :param resolver: the function that resolves a host name to its
        addresses (strings); the system's resolver when None. A test or a
        deployment with a resolver of its own passes it here.
    """

    def __init__(self, resolver=None):
        self.resolver = resolver

    def _check(self, url):
        # NOTE: the host is resolved once; the addresses checked are those
        # connected to.
        answers = {}

        def resolve_once(host):
            if host not in answers:
                answers[host] = (self.resolver or import_filter.resolve)(host)
            return answers[host]

        try:
            return import_filter.check_url(url, resolve_once)
        except import_filter.Refused as error:
            resolved = ''.join(' (%s resolved to %s)' % (
                host, ', '.join(addresses)) for host, addresses in
                answers.items() if addresses)
            raise FetchFailed(
                '%s does not pass [import_filtering_opts]: %s%s'
                % (_masked(url), error, resolved)) from None

    def _request(self, url):
        """One GET of ``url`` after its checks; no redirect followed."""
        target = self._check(url)
        split = urllib.parse.urlsplit(url)
        path = split.path or '/'
        if split.query:
            path += '?' + split.query
        where = _host_header(target.scheme, target.host, target.port)
        headers = {'Host': where, 'User-Agent': USER_AGENT, 'Accept': '*/*',
                   'Accept-Encoding': 'identity'}
        headers.update(_authorization(split))
        error = None
        for address in target.addresses:
            pool = _pool(target, address)
            try:
                response = pool.urlopen(
                    'GET', path, headers=headers, redirect=False,
                    retries=False, preload_content=False,
                    decode_content=False, assert_same_host=False,
                    release_conn=False)
            except urllib3_exc.HTTPError as request_error:
                # NOTE: the next address of the name may answer; a name
                # resolving to several addresses is tried in order.
                error = request_error
                pool.close()
                continue
            except FetchFailed:
                # NOTE: the peer check of the connection refused it.
                pool.close()
                raise
            return response, pool
        raise FetchFailed(_error_message(error, where))

    def open(self, url):
        """Open ``url``, following redirects.

        :returns: (response, pool, the URL that answered).

        The caller reads the response and closes it and the pool.
        :raises: FetchFailed
        """
        for _ in range(MAX_REDIRECTS + 1):
            response, pool = self._request(url)
            if response.status not in REDIRECT_STATUSES:
                break
            location = response.headers.get('Location')
            response.close()
            pool.close()
            if not location:
                raise FetchFailed('%s answered %d without a Location'
                                  % (_masked(url), response.status))
            new_url = urllib.parse.urljoin(url, location)
            LOG.info('Import source %s redirects to %s', _masked(url),
                     _masked(new_url))
            url = new_url
        else:
            raise FetchFailed('%s redirects more than %d times'
                              % (_masked(url), MAX_REDIRECTS))
        if response.status != 200:
            reason = response.reason or ''
            response.close()
            pool.close()
            raise FetchFailed('%s answered HTTP %d %s'
                              % (_masked(url), response.status,
                                 reason.strip()))
        return response, pool, url

    def download(self, url, max_size=None):
        """Open ``url`` for reading; return a :class:`Download`.

        :param max_size: most bytes read; ``[task] max_import_size`` when
            None.
        :raises: FetchFailed, also when the source announces more than
            ``max_size`` bytes.
        """
        response, pool, url = self.open(url)
        try:
            return Download(response, pool, url,
                            max_size or CONF.task.max_import_size)
        except Exception:
            response.close()
            pool.close()
            raise


class Download:
    """The data of an opened URL: iterate for its chunks, then close.

    :ivar total: the size the source announced (Content-Length), or None.
    :ivar size: the bytes read so far.
    """

    def __init__(self, response, pool, url, max_size):
        self._response = response
        self._pool = pool
        self.url = url
        self.max_size = max_size
        self.size = 0
        self.total = _content_length(response)
        if self.total is not None and self.total > max_size:
            raise FetchFailed(
                '%s holds %d bytes, more than [task] max_import_size '
                '(%d bytes)' % (_masked(url), self.total, max_size))

    def __iter__(self):
        try:
            for chunk in self._response.stream(CHUNK_SIZE,
                                               decode_content=False):
                self.size += len(chunk)
                if self.size > self.max_size:
                    raise FetchFailed(
                        '%s sent more than [task] max_import_size '
                        '(%d bytes)' % (_masked(self.url), self.max_size))
                yield chunk
        except urllib3_exc.HTTPError as error:
            scheme, host, port = import_filter.parse_url(self.url)
            port = port or import_filter.DEFAULT_PORTS[scheme]
            raise FetchFailed(_error_message(
                error, _host_header(scheme, host, port))) from None
        if self.total is not None and self.size != self.total:
            raise FetchFailed('%s announced %d bytes but sent %d'
                              % (_masked(self.url), self.total, self.size))

    def close(self):
        self._response.close()
        self._pool.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


def _content_length(response):
    value = response.headers.get('Content-Length')
    if value is None:
        return None
    value = value.strip()
    if not value.isdigit():
        raise FetchFailed('the source sent an invalid Content-Length')
    return int(value)
