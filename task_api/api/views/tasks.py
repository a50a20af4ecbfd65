"""The JSON representation of tasks.

Only the keys listed here reach a client, whatever the storage returns.
"""

import datetime
import urllib.parse

from task_api.common import masking

SCHEMA_TASK = '/v2/schemas/task'
SCHEMA_TASKS = '/v2/schemas/tasks'
COLLECTION = '/v2/tasks'
_ISO_FORMAT = '%Y-%m-%dT%H:%M:%SZ'
_RAW_FORMAT = '%Y-%m-%dT%H:%M:%S.%f'
_RAW_TIMESTAMPS = ('expires_at', 'created_at', 'updated_at', 'deleted_at')
_RAW_KEYS = ('id', 'type', 'status', 'owner', 'expires_at', 'created_at',
             'updated_at', 'deleted_at', 'deleted', 'image_id', 'request_id',
             'user_id', 'input', 'result', 'message')
_OPTIONAL_KEYS = ('image_id', 'request_id', 'user_id')
_EPOCH = datetime.datetime(1970, 1, 1)


def isotime(value):
    """``YYYY-MM-DDTHH:MM:SSZ`` of a naive UTC datetime."""
    if value.tzinfo is not None:
        return value.strftime(_ISO_FORMAT)
    # NOTE: isoformat, not strftime: the same text for years 1000 to
    # 9999, at a third of the cost (three times a show).
    return value.isoformat('T', 'seconds') + 'Z'


def _datetime(value):
    """``value`` if it is a datetime, else None.

    A column may be NULL in a database written by another program, and
    MariaDB's driver returns a zero date ('0000-00-00 00:00:00') as a
    string.
    """
    return value if isinstance(value, datetime.datetime) else None


def _timestamps(task):
    """``created_at`` and ``updated_at`` as the schema promises: strings.

    When one is unknown the other stands in, and the epoch when both are.
    """
    updated = _datetime(task['updated_at'])
    created = _datetime(task['created_at']) or updated or _EPOCH
    return isotime(created), isotime(updated or created)


def _expiry(body, task):
    expires_at = _datetime(task['expires_at'])
    if expires_at is not None:
        body['expires_at'] = isotime(expires_at)


def _message(value):
    """The task's message: always a string, its credentials masked."""
    return masking.mask_credentials(value) if value else ''


def task_self(task_id):
    return '/v2/tasks/%s' % task_id


def show(task):
    """The full representation of one task, as show and create answer.

    Credentials in ``input``, ``result`` and ``message`` are masked.
    """
    created_at, updated_at = _timestamps(task)
    body = {
        'id': task['id'],
        'input': masking.mask_credentials(task['input']),
        'type': task['type'],
        'status': task['status'],
        'owner': task['owner'],
        'message': _message(task['message']),
        'result': masking.mask_credentials(task['result']),
        'created_at': created_at,
        'updated_at': updated_at,
        'self': task_self(task['id']),
        'schema': SCHEMA_TASK,
    }
    for key in _OPTIONAL_KEYS:
        if task[key]:
            body[key] = task[key]
    _expiry(body, task)
    return body


def stub(task):
    """The representation of a task in a list: no payload."""
    created_at, updated_at = _timestamps(task)
    body = {
        'id': task['id'],
        'type': task['type'],
        'status': task['status'],
        'owner': task['owner'],
        'created_at': created_at,
        'updated_at': updated_at,
        'self': task_self(task['id']),
        'schema': SCHEMA_TASK,
    }
    _expiry(body, task)
    return body


def index(tasks, params, limit):
    """The body of GET /v2/tasks.

    :param tasks: the page of tasks.
    :param params: the request's query, one value per parameter; it is
        echoed in the links, unknown parameters included.
    :param limit: the effective page size; a full page links to the next.
    """
    params = dict(params)
    params.pop('marker', None)
    query = urllib.parse.urlencode(params)
    body = {
        'tasks': [stub(task) for task in tasks],
        'first': COLLECTION + ('?' + query if query else ''),
        'schema': SCHEMA_TASKS,
    }
    if tasks and len(tasks) == limit:
        params['marker'] = tasks[-1]['id']
        body['next'] = COLLECTION + '?' + urllib.parse.urlencode(params)
    return body


def raw(task):
    """A task as GET /v2/images/{image_id}/tasks lists it.

    Every column, nulls included, with microsecond timestamps without a
    zone, as the Image API has always answered this call; credentials
    in ``input``, ``result`` and ``message`` are masked.
    """
    body = {key: task[key] for key in _RAW_KEYS}
    for key in _RAW_TIMESTAMPS:
        if isinstance(body[key], datetime.datetime):
            body[key] = body[key].strftime(_RAW_FORMAT)
    body['deleted'] = bool(body['deleted'])
    for key in ('input', 'result', 'message'):
        body[key] = masking.mask_credentials(body[key])
    return body
