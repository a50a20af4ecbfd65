"""Validation of what clients send: list queries and new tasks.

Each check raises task_api.exception.InvalidParameter carrying the message
the Image API gives, so that clients and people see familiar errors; the
checks run in the order the Image API runs them.
"""

import re

import jsonschema
from oslo_utils import timeutils
from oslo_utils import uuidutils

from task_api.api.middleware import body
from task_api.api.schemas import tasks as schemas
from task_api.common import import_filter
from task_api.common import strict_json
from task_api import conf as task_conf
from task_api.db import api as db_api
from task_api import exception

CONF = task_conf.CONF

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
        except (ValueError, OverflowError):
            # NOTE: an offset can move a valid time out of the years a
            # datetime holds (9999-12-31T23:59:59-01:00).
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


#: The charsets a body may declare: it is read as UTF-8, of which ASCII is
#: a part.
_UTF8_CHARSETS = frozenset(['utf-8', 'utf8', 'us-ascii', 'ascii'])

_SURROGATE = re.compile('[\ud800-\udfff]')


def _check_charset(request):
    charset = None
    for param in request.headers.get('Content-Type', '').split(';')[1:]:
        name, _sep, value = param.partition('=')
        if name.strip().lower() == 'charset':
            charset = value.strip().strip('"').lower()
    if charset is not None and charset not in _UTF8_CHARSETS:
        raise _invalid('The request body must be UTF-8; the charset its '
                       'Content-Type names is not supported.')


def _read_body(request, limit):
    """The request body; BodyTooLarge past ``limit`` bytes.

    The body limit middleware bounds the stream of the paste pipeline;
    an application built without it (a test's, a host service's) is
    bounded here the same way.
    """
    # NOTE: read from the server's stream: WebOb would copy a chunked body
    # whole, and calls a short read of a slow client a disconnection.
    stream = request.body_file_raw
    if not isinstance(stream, body.BoundedInput):
        stream = body.BoundedInput(stream, limit, request.content_length)
    return b''.join(iter(stream.read, b''))


def _check_string(text):
    if not text.isascii() and _SURROGATE.search(text):
        raise _invalid('The request body holds a lone surrogate (an '
                       'unpaired \\ud800-\\udfff escape), which is not a '
                       'character.')


def _check_document(document):
    """Refuse JSON nested past [api] max_json_depth or holding surrogates."""
    limit = CONF.api.max_json_depth
    nodes = [(document, 1)]
    while nodes:
        node, depth = nodes.pop()
        if depth > limit:
            raise _too_deep(limit)
        if isinstance(node, dict):
            for key in node:
                _check_string(key)
            children = node.values()
        else:
            children = node
        for child in children:
            if isinstance(child, str):
                _check_string(child)
            elif isinstance(child, (dict, list)):
                nodes.append((child, depth + 1))


def _too_deep(limit):
    return _invalid('The JSON document in the request body is nested '
                    'deeper than %d levels of arrays and objects.' % limit)


def json_body(request):
    """The JSON document of a request body.

    The body is read as UTF-8 whatever its Content-Type says, and never
    more than ``[api] max_request_body_size`` bytes of it.

    :raises: InvalidParameter without a body, or with one that is not a
        JSON object or array of finite numbers and Unicode strings, nested
        at most ``[api] max_json_depth`` deep; RequestTooLarge past the
        configured size.
    """
    chunked = 'chunked' in request.headers.get('Transfer-Encoding', '')
    if not (request.content_length or chunked):
        raise _invalid('Body expected in request.')
    limit = CONF.api.max_request_body_size
    if (request.content_length or 0) > limit:
        raise exception.RequestTooLarge(limit=limit)
    _check_charset(request)
    data = _read_body(request, limit)
    try:
        document = strict_json.loads(data.decode('utf-8'))
    except strict_json.NonFiniteNumber:
        raise _invalid('A number in the request body is too large: '
                       'numbers must be finite doubles (1e999 is not).')
    except RecursionError:
        raise _too_deep(CONF.api.max_json_depth)
    except ValueError:
        raise _invalid('Malformed JSON in request body.')
    if not isinstance(document, (dict, list)):
        raise _invalid('Unexpected body type. Expected list/dict.')
    _check_document(document)
    return document


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


def check_columns(values):
    """Refuse a new task whose values its columns cannot hold.

    A value longer than its column, a NUL character (PostgreSQL stores none
    in text) or an input whose stored JSON passes
    ``task_api.db.api.JSON_MAX_BYTES`` would be refused by some database,
    with an error that is no fault of the service's; the same limits apply
    on every backend.
    """
    for key, limit in _COLUMN_LENGTHS.items():
        value = values.get(key)
        if value is None:
            continue
        if len(value) > limit:
            raise _invalid('%s is longer than %d characters.'
                           % (_COLUMN_SOURCES[key], limit))
        if '\x00' in value:
            raise _invalid('%s holds a NUL character.'
                           % _COLUMN_SOURCES[key])
    size = len(db_api.encode_json(values['input']))
    if size > db_api.JSON_MAX_BYTES:
        raise _invalid('The task input takes %d bytes once stored as JSON; '
                       'at most %d are allowed.'
                       % (size, db_api.JSON_MAX_BYTES))
