"""Validation of what clients send: list queries and new tasks.

Each check raises task_api.exception.InvalidParameter carrying the message
the Image API gives, so that clients and people see familiar errors; the
checks run in the order the Image API runs them.
"""

import json

import jsonschema
from oslo_config import cfg
from oslo_utils import timeutils
from oslo_utils import uuidutils

from task_api.api.controllers.v2 import schemas
from task_api.common import import_filter
from task_api.db import api as db_api
from task_api import exception

CONF = cfg.CONF

_FILTER_KEYS = tuple(key for key in db_api.TASK_COLUMNS if key != 'deleted')


def _validator(schema):
    # NOTE: jsonschema.validate() checks the schema itself against its
    # meta-schema on every call, most of the cost of a create; the task
    # schema is fixed, so it is checked once. Errors are chosen as
    # jsonschema.validate() chooses them.
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


_TASK_VALIDATOR = _validator(schemas.task_validation_schema())


def _invalid(reason):
    return exception.InvalidParameter(reason=reason)


def last_values(params):
    """A request's query as a dict, one value per parameter.

    A repeated parameter keeps its last value; parameters keep the order of
    their first appearance.
    """
    values = {}
    for key in params.keys():
        if key not in values:
            values[key] = params.getall(key)[-1]
    return values


def _limit(value):
    if value is None:
        return CONF.api.limit_param_default
    try:
        limit = int(value)
    except ValueError:
        raise _invalid('limit param must be an integer')
    if limit < 0:
        raise _invalid('limit param must be positive')
    return min(limit, CONF.api.api_limit_max)


def _filter_value(key, value):
    if '\x00' in value:
        raise _invalid('Invalid %s value: %r' % (key, value))
    if key == 'status' and value and value not in schemas.TASK_STATUSES:
        raise _invalid('Invalid status value: %s' % value)
    if key == 'type' and value and value not in schemas.TASK_TYPES:
        raise _invalid('Invalid type value: %s' % value)
    if key in db_api.TIMESTAMP_COLUMNS:
        try:
            return timeutils.normalize_time(timeutils.parse_isotime(value))
        except ValueError:
            raise _invalid('Invalid %s value: %s' % (key, value))
    return value


def list_query(params):
    """The arguments of DB API task_get_all for a GET /v2/tasks query.

    :param params: the query as returned by :func:`last_values`.
    :returns: a dict with filters, marker, limit, sort_key and sort_dir.
    """
    sort_dir = params.get('sort_dir', 'desc')
    if sort_dir not in ('asc', 'desc'):
        raise _invalid('Invalid sort direction: %s' % sort_dir)
    filters = {key: _filter_value(key, params[key])
               for key in _FILTER_KEYS if key in params}
    limit = _limit(params.get('limit'))
    marker = params.get('marker')
    if marker is not None and not uuidutils.is_uuid_like(marker):
        raise _invalid('Invalid marker format')
    sort_key = params.get('sort_key', 'created_at')
    if sort_key not in db_api.TASK_COLUMNS:
        raise exception.InvalidSortKey()
    return {'filters': filters, 'marker': marker, 'limit': limit,
            'sort_key': sort_key, 'sort_dir': sort_dir}


def _reject_constant(name):
    raise ValueError('%s is not JSON' % name)


def json_body(request):
    """The JSON document of a request body.

    :raises: InvalidParameter without a body, or with one that is not a
        JSON object or array; RequestTooLarge past the configured size.
    """
    chunked = 'chunked' in request.headers.get('Transfer-Encoding', '')
    if not (request.content_length or chunked):
        raise _invalid('Body expected in request.')
    limit = CONF.api.max_request_body_size
    if (request.content_length or 0) > limit:
        raise exception.RequestTooLarge(limit=limit)
    data = request.body
    if len(data) > limit:
        raise exception.RequestTooLarge(limit=limit)
    try:
        body = json.loads(data, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        raise _invalid('Malformed JSON in request body.')
    if not isinstance(body, (dict, list)):
        raise _invalid('Unexpected body type. Expected list/dict.')
    return body


def new_task(body):
    """Check the body of POST /v2/tasks; return its ``type`` and ``input``.

    Keys of the task schema other than type and input are validated, then
    ignored: the server assigns them.
    """
    # NOTE: a JSON array has no keys; it fails like an object without them.
    if not isinstance(body, dict) or 'type' not in body:
        raise _invalid("Task 'type' is required")
    if 'input' not in body:
        raise _invalid("Task 'input' is required")
    error = jsonschema.exceptions.best_match(
        _TASK_VALIDATOR.iter_errors(body))
    if error is not None:
        raise _invalid("Provided object does not match schema 'task': %s"
                       % error)
    task_type, task_input = body['type'], body['input']
    import_filter.check_task_input(task_type, task_input)
    if task_input is None:
        raise _invalid("Task 'input' must be an object for %s tasks"
                       % task_type)
    return task_type, task_input


#: The longest value each string column of a new task may hold.
_COLUMN_LENGTHS = {'owner': 255, 'image_id': 36, 'request_id': 64,
                   'user_id': 64}
_COLUMN_SOURCES = {'owner': 'The project id of the caller',
                   'image_id': "input.image_id",
                   'request_id': 'The request id',
                   'user_id': 'The user id of the caller'}


def check_lengths(values):
    """Refuse a new task whose values do not fit their columns.

    A database would refuse them too, but with an error that is no fault of
    the service's.
    """
    for key, limit in _COLUMN_LENGTHS.items():
        value = values.get(key)
        if value is not None and len(value) > limit:
            raise _invalid('%s is longer than %d characters.'
                           % (_COLUMN_SOURCES[key], limit))
