"""Masking of credentials in what task_api shows and logs."""

import re

# The password of a URL's userinfo: scheme://user:PASSWORD@host
_URL_PASSWORD = re.compile(
    r'(?P<prefix>[A-Za-z][A-Za-z0-9+.\-]*://[^\s/?#@:]*:)[^\s/?#@]*(?=@)')
MASK = '***'


def mask_credentials(value):
    """``value`` with the password of every URL in its strings masked.

    Walks dicts and lists at any depth; storage keeps the original.
    """
    if isinstance(value, str):
        if '://' not in value:
            return value
        return _URL_PASSWORD.sub(r'\g<prefix>' + MASK, value)
    if isinstance(value, dict):
        return {key: mask_credentials(item) for key, item in value.items()}
    if isinstance(value, list):
        return [mask_credentials(item) for item in value]
    return value
