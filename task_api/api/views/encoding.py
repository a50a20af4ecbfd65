"""JSON bodies that can be written for every row the database holds."""

import json

_CLOSE = {True: '}', False: ']'}
# NOTE: built once: json.dumps builds a new encoder on every call given an
# option.
_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False)


def _scalar(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        try:
            return json.dumps(value, ensure_ascii=False, allow_nan=False)
        except ValueError:
            # NOTE: NaN and infinities are not JSON; no client parses them.
            return 'null'
    return json.dumps(str(value), ensure_ascii=False)


def _dumps_iteratively(value):
    """``json.dumps`` without recursion, NaN written as ``null``."""
    parts = []
    # NOTE: each entry is [iterator, is_dict, first]; the stack replaces
    # the recursion that a document thousands of levels deep exhausts.
    stack = []

    def start(item):
        if isinstance(item, dict):
            parts.append('{')
            stack.append([iter(item.items()), True, True])
        elif isinstance(item, (list, tuple)):
            parts.append('[')
            stack.append([iter(item), False, True])
        else:
            parts.append(_scalar(item))

    start(value)
    while stack:
        top = stack[-1]
        item = next(top[0], top)
        if item is top:
            parts.append(_CLOSE[top[1]])
            stack.pop()
            continue
        if not top[2]:
            parts.append(', ')
        top[2] = False
        if top[1]:
            key, item = item
            parts.append(json.dumps(key if isinstance(key, str) else
                                    str(key), ensure_ascii=False))
            parts.append(': ')
        start(item)
    return ''.join(parts)


def encode(body):
    """The UTF-8 JSON document of ``body``; it never raises.

    Whatever a stored task holds is written as valid JSON: a lone
    surrogate as its ``\\uXXXX`` escape, nesting of any depth, and NaN or
    infinities (which JSON cannot express) as ``null``.
    """
    try:
        text = _ENCODER.encode(body)
    except (ValueError, TypeError, RecursionError):
        text = _dumps_iteratively(body)
    # NOTE: only a lone surrogate cannot be encoded in UTF-8, and it can
    # only stand inside a JSON string, where backslashreplace writes
    # exactly its JSON escape.
    return text.encode('utf-8', 'backslashreplace')
