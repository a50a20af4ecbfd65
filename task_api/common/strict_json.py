"""JSON as RFC 8259 defines it: no NaN, no Infinity, finite numbers only.

Python's json module reads and writes NaN and Infinity, and reads ``1e999``
as an infinite float; browsers' and Go's parsers refuse all of them.
"""

import json
import math


class NonFiniteNumber(ValueError):
    """A JSON number too large for a double, such as 1e999."""


def _refuse_constant(name):
    raise ValueError('%s is not JSON' % name)


def _finite_float(text):
    number = float(text)
    if not math.isfinite(number):
        raise NonFiniteNumber('%.40s is out of the range of JSON numbers'
                              % text)
    return number


# NOTE: built once, as json's own default decoder and encoder are: json's
# loads and dumps build a new one on every call given an option.
_DECODER = json.JSONDecoder(parse_constant=_refuse_constant,
                            parse_float=_finite_float)
_ENCODER = json.JSONEncoder(allow_nan=False)


def loads(text):
    """Decode a JSON document whose numbers are all finite.

    :param text: a str; bytes are decoded as ``json.loads`` decodes them.
    :raises: NonFiniteNumber for a number too large for a double;
        ValueError for text that is not JSON, NaN and Infinity included;
        RecursionError for a document nested past Python's recursion
        limit.
    """
    if isinstance(text, str) and not text.startswith('\ufeff'):
        return _DECODER.decode(text)
    return json.loads(text, parse_constant=_refuse_constant,
                      parse_float=_finite_float)


def dumps(value):
    """Encode ``value`` as ASCII JSON.

    :raises: ValueError for NaN or an infinite float.
    """
    return _ENCODER.encode(value)
