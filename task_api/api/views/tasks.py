"""The JSON representation of tasks.

Only the keys listed here reach a client, whatever the storage returns.
"""

import re

SCHEMA_TASK = '/v2/schemas/task'
_ISO_FORMAT = '%Y-%m-%dT%H:%M:%SZ'
_OPTIONAL_KEYS = ('image_id', 'request_id', 'user_id')

# The password of a URL's userinfo: scheme://user:PASSWORD@host
_URL_PASSWORD = re.compile(
    r'(?P<prefix>[A-Za-z][A-Za-z0-9+.\-]*://[^\s/?#@:]*:)[^\s/?#@]*(?=@)')
MASK = '***'


def isotime(value):
    """``YYYY-MM-DDTHH:MM:SSZ`` of a naive UTC datetime."""
    return value.strftime(_ISO_FORMAT)


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


def task_self(task_id):
    return '/v2/tasks/%s' % task_id


def show(task):
    """The full representation of one task, as show and create answer."""
    body = {
        'id': task['id'],
        'input': mask_credentials(task['input']),
        'type': task['type'],
        'status': task['status'],
        'owner': task['owner'],
        'message': task['message'] or '',
        'result': task['result'],
        'created_at': isotime(task['created_at']),
        # NOTE: updated_at may be NULL in a database written by another
        # program; the schema promises a string, and the creation time is
        # the last change known.
        'updated_at': isotime(task['updated_at'] or task['created_at']),
        'self': task_self(task['id']),
        'schema': SCHEMA_TASK,
    }
    for key in _OPTIONAL_KEYS:
        if task[key]:
            body[key] = task[key]
    if task['expires_at'] is not None:
        body['expires_at'] = isotime(task['expires_at'])
    return body
