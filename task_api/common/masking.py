"""Masking of credentials in what task_api shows and logs.

Every function here is linear in the size of its input: the regular
expressions are built so that no character is examined more than a
bounded number of times, and structures are walked without recursion.
"""

import functools
import logging
import re

from oslo_utils import strutils

MASK = '***'

# NOTE: the userinfo of a URL: everything between "scheme://" and the last
# "@" of the authority, which ends at "/", "?", "#", a quote, an angle
# bracket or a control character. A password may hold "@", ":", spaces or
# percent escapes; a lone user part may be a token, so it is masked too.
# The pattern begins with the literal "://" so that the search skips to
# it, and it never looks back further than one character: the authority
# of each URL is scanned once.
_URL_USERINFO = re.compile(
    r'(?P<p>://(?<=[A-Za-z0-9+.\-]://)(?:[^:/?#@"\'<>\s]*:)?)'
    r'[^/?#"\'<>\x00-\x1f\x7f]*@')

# NOTE: the names whose values are credentials, whole (sig, signature,
# ...), contained (token, password, secret, credential) or as a suffix
# (_key, -key, _sig). A name is matched only from its first character (the
# look-behind), and at most 128 characters on each side of the marker,
# which bounds the work at each position.
_NAME = r'[A-Za-z0-9_.\-]'
# NOTE: sort_key, a parameter of the tasks API itself, names a column.
_SECRET_NAME = (
    r'(?!sort_key(?!%(n)s))'
    r'(?:%(n)s{0,128}?(?:token|passw(?:or)?d|secret|credential)%(n)s{0,128}'
    r'|%(n)s{0,128}?[_\-](?:key|sig)'
    r'|sig|signature|x-amz-signature|pwd|apikey|authorization)'
    % {'n': _NAME})
# NOTE: name=value (a query string, a fragment, a command line) and
# "name": value or 'name': value (JSON, Python literals in log lines). A
# quoted value is masked up to its closing quote, spaces included; a bare
# one up to a separator. The possessive quantifiers keep no backtracking
# state.
_KEY_VALUE = re.compile(
    r'(?<![A-Za-z0-9_.\-])(?P<p>(?P<kq>["\'])?'
    # NOTE: a name not followed by a separator is passed over at once.
    r'(?=[A-Za-z0-9_.\-]{1,300}(?(kq)(?P=kq)\s{0,16}[:=]|\s{0,16}=))'
    + _SECRET_NAME +
    r'(?(kq)(?P=kq)\s{0,16}[:=]|\s{0,16}=)\s{0,16}(?:(?P<dq>")|(?P<sq>\'))?)'
    r'(?(dq)[^"\\]*+(?:\\.[^"\\]*+)*+'
    r'|(?(sq)[^\'\\]*+(?:\\.[^\'\\]*+)*+|[^\s&;#"\'<>,]++))',
    re.IGNORECASE | re.ASCII | re.DOTALL)

# NOTE: a secret key of a dict: the same names as _SECRET_NAME.
_SECRET_KEY = re.compile(r'(?:%s)\Z' % _SECRET_NAME,
                         re.IGNORECASE | re.ASCII)
_MAX_KEY_LENGTH = 300

# NOTE: a lower-case text that holds none of these cannot hold a name
# that _SECRET_NAME matches, and is not scanned for one.
_SECRET_MARKERS = ('token', 'passw', 'secret', 'credential', 'key', 'sig',
                   'pwd', 'authorization')

# NOTE: oslo.utils' mask_password is linear too, but it runs a dozen
# regular expressions per credential name it finds (up to half a second
# per megabyte), and it rewrites more than the secret: everything after
# "token=" up to a space, and in a quoted dict that holds "password", the
# text after the last quoted value. It knows forms task_api's scanners do
# not (--password x, <password>x</password>, OpenStack's own key names),
# and log lines are where those appear: it masks log lines only, up to
# this many characters each; a task's data is never rewritten by it.
_OSLO_MAX = 64 * 1024


# NOTE: a task's keys are few and the same from task to task.
@functools.lru_cache(maxsize=1024)
def _is_secret_name(name):
    return len(name) <= _MAX_KEY_LENGTH and _SECRET_KEY.match(name) is not None


def _is_secret_key(key):
    return isinstance(key, str) and _is_secret_name(key)


def _mask_userinfo(match):
    return match[1] + MASK + '@'


def _mask_value(match):
    return match[1] + MASK


def _may_name_secret(text):
    lowered = text.lower()
    return any(marker in lowered for marker in _SECRET_MARKERS)


def _mask_string(text):
    if '://' in text:
        text = _URL_USERINFO.sub(_mask_userinfo, text)
    if ('=' in text or ':' in text) and _may_name_secret(text):
        text = _KEY_VALUE.sub(_mask_value, text)
    return text


def mask_log_line(line):
    """A log line with its credentials masked.

    What :func:`mask_credentials` masks in a string, then, in lines up to
    64 KiB, what ``oslo_utils.strutils.mask_password`` masks.
    """
    line = _mask_string(line)
    if len(line) <= _OSLO_MAX:
        line = strutils.mask_password(line, secret=MASK)
    return line


def mask_credentials(value):
    """``value`` with every credential it holds masked.

    In strings: the userinfo of URLs (``scheme://user:***@host``,
    ``scheme://***@host``), and the values of credential names in query
    strings, fragments, ``name=value`` pairs and quoted ``"name": "value"``
    pairs (JSON, Python literals). Dicts and lists are walked at
    any depth without recursion; their keys are masked as strings are, and
    the whole value of a key that names a credential (``password``,
    ``token``, ``secret``, ``api_key``, ...) becomes ``***``. Other values
    are returned as they are; storage keeps the original.
    """
    if isinstance(value, str):
        return _mask_string(value)
    if not isinstance(value, (dict, list)):
        return value
    masked = {} if isinstance(value, dict) else []
    pending = [(value, masked)]
    while pending:
        source, target = pending.pop()
        is_dict = isinstance(source, dict)
        for key, item in source.items() if is_dict else enumerate(source):
            if is_dict and item is not None and _is_secret_key(key):
                item = MASK
            elif isinstance(item, str):
                item = _mask_string(item)
            elif isinstance(item, (dict, list)):
                copy = {} if isinstance(item, dict) else []
                pending.append((item, copy))
                item = copy
            if is_dict:
                # NOTE: a key is data too, and may be a URL with a
                # password in it.
                if isinstance(key, str):
                    key = _mask_string(key)
                target[key] = item
            else:
                target.append(item)
    return masked


class MaskingFormatter(logging.Formatter):
    """A formatter that masks what another formatter wrote.

    The whole line is masked (message, traceback, error summary), so that
    a database error that quotes a statement's parameters is masked too.
    """

    def __init__(self, formatter=None):
        super().__init__()
        self.formatter = formatter or logging.Formatter()

    def format(self, record):
        return mask_log_line(self.formatter.format(record))


def install_log_masking(logger=None):
    """Mask the lines that every handler of ``logger`` writes.

    :param logger: a ``logging.Logger``; the root logger by default, where
        oslo.log installs its handlers. Calling it again changes nothing.
    """
    logger = logger or logging.getLogger()
    for handler in logger.handlers:
        if not isinstance(handler.formatter, MaskingFormatter):
            handler.setFormatter(MaskingFormatter(handler.formatter))
