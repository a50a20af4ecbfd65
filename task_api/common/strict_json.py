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


def loads(text):
    """Decode a JSON document whose numbers are all finite.

    :raises: NonFiniteNumber for a number too large for a double;
        ValueError for text that is not JSON, NaN and Infinity included;
        RecursionError for a document nested past Python's recursion
        limit.
    """
    return json.loads(text, parse_constant=_refuse_constant,
                      parse_float=_finite_float)


def dumps(value):
    """Encode ``value`` as ASCII JSON.

    :raises: ValueError for NaN or an infinite float.
    """
    return json.dumps(value, allow_nan=False)
