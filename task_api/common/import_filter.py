"""Checks of the URL an import task reads its image from.

Done when the task is created, so that a caller cannot make the service
fetch from an address it can reach and the caller cannot (the service's own
loopback, link-local metadata services, private networks) unless the
operator allows it in ``[import_filtering_opts]``.
"""

import ipaddress
import socket
import urllib.parse

from oslo_config import cfg

from task_api.common import masking
from task_api import exception

CONF = cfg.CONF

_DEFAULT_PORTS = {'http': 80, 'https': 443}


def _invalid(reason):
    return exception.InvalidParameter(reason=reason)


def _resolve(host):
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError, ValueError):
        return []
    return sorted({info[4][0].split('%')[0] for info in infos})


def _is_internal(address):
    address = ipaddress.ip_address(address)
    if getattr(address, 'ipv4_mapped', None):
        address = address.ipv4_mapped
    return (address.is_loopback or address.is_link_local
            or address.is_private or address.is_unspecified
            or address.is_multicast or address.is_reserved)


def _allowed(value, allowed, disallowed):
    if allowed:
        return value in allowed
    return value not in disallowed


def passes_filtering(uri):
    """Whether ``uri`` may be fetched under ``[import_filtering_opts]``."""
    opts = CONF.import_filtering_opts
    try:
        parsed = urllib.parse.urlsplit(uri)
        port = parsed.port
    except ValueError:
        return False
    scheme = parsed.scheme.lower()
    host = (parsed.hostname or '').rstrip('.')
    if not host:
        return False
    if not _allowed(scheme, opts.allowed_schemes, opts.disallowed_schemes):
        return False
    port = port or _DEFAULT_PORTS.get(scheme)
    if not _allowed(port, opts.allowed_ports, opts.disallowed_ports):
        return False
    addresses = _resolve(host)
    if not addresses:
        return False
    if opts.allowed_hosts:
        return host in opts.allowed_hosts or any(
            address in opts.allowed_hosts for address in addresses)
    if host in opts.disallowed_hosts or any(
            address in opts.disallowed_hosts for address in addresses):
        return False
    return not any(_is_internal(address) for address in addresses)


def check_import_from(import_from):
    """Refuse an ``input.import_from`` that an import may not read.

    :raises: task_api.exception.InvalidParameter with the message the
        Image API gives for each case.
    """
    if not import_from:
        raise _invalid('Invalid location: None')
    if not isinstance(import_from, str):
        raise _invalid('Invalid location: %s' % import_from)
    scheme = import_from.split(':', 1)[0].lower() if ':' in import_from \
        else ''
    if scheme in ('file', 'filesystem'):
        raise _invalid('File based imports are not allowed. Please use a '
                       'non-local source of image data.')
    if scheme not in _DEFAULT_PORTS:
        raise _invalid('The given uri is not valid. Please specify a valid '
                       "uri from the following list of supported uri "
                       "['http']")
    if not passes_filtering(import_from):
        # NOTE: the URL is echoed with its password masked.
        raise _invalid('URI for legacy import task does not pass '
                       'filtering: %s'
                       % masking.mask_credentials(import_from))
