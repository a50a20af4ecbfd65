"""The task schemas: GET /v2/schemas/task and GET /v2/schemas/tasks.

The documents are those of the Image API; the validation of a new task's
body (task_api.api.validation) and the schema controllers both read them
from here.
"""

from task_api import lifecycle

UUID_PATTERN = ('^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}'
                '-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$')
TASK_TYPES = ('import', 'api_image_import', 'location_import')
#: In the order of the task's life; the statuses of task_api.lifecycle.
TASK_STATUSES = tuple(lifecycle.TRANSITIONS)

# NOTE: the order of properties and of their keys is what clients that
# compare or cache these documents see; keep it.
TASK_PROPERTIES = {
    'id': {
        'description': 'An identifier for the task',
        'pattern': UUID_PATTERN,
        'type': 'string',
    },
    'type': {
        'description': 'The type of task represented by this content',
        'enum': list(TASK_TYPES),
        'type': 'string',
    },
    'status': {
        'description': 'The current status of this task',
        'enum': list(TASK_STATUSES),
        'type': 'string',
    },
    'input': {
        'description': 'The parameters required by task, JSON blob',
        'type': ['null', 'object'],
    },
    'result': {
        'description': 'The result of current task, JSON blob',
        'type': ['null', 'object'],
    },
    'owner': {
        'description': 'An identifier for the owner of this task',
        'type': 'string',
    },
    'message': {
        'description': 'Human-readable informative message only included '
                       'when appropriate (usually on failure)',
        'type': 'string',
    },
    'image_id': {
        'description': 'Image associated with the task',
        'type': 'string',
    },
    'request_id': {
        'description': 'Human-readable informative request-id',
        'type': 'string',
    },
    'user_id': {
        'description': 'User associated with the task',
        'type': 'string',
    },
    'expires_at': {
        'description': 'Datetime when this resource would be subject to '
                       'removal',
        'type': ['null', 'string'],
    },
    'created_at': {
        'description': 'Datetime when this resource was created',
        'type': 'string',
    },
    'updated_at': {
        'description': 'Datetime when this resource was updated',
        'type': 'string',
    },
    'self': {'readOnly': True, 'type': 'string'},
    'schema': {'readOnly': True, 'type': 'string'},
}

_HIDDEN_IN_LISTS = ('input', 'result', 'message')


def task_schema():
    """The document of GET /v2/schemas/task."""
    return {'name': 'task', 'properties': TASK_PROPERTIES}


def task_validation_schema():
    """The schema a created task's body must match: no unknown keys."""
    return {'name': 'task', 'properties': TASK_PROPERTIES,
            'additionalProperties': False}


def tasks_schema():
    """The document of GET /v2/schemas/tasks."""
    item = {'name': 'task', 'properties': {
        key: value for key, value in TASK_PROPERTIES.items()
        if key not in _HIDDEN_IN_LISTS}}
    return {
        'name': 'tasks',
        'properties': {
            'tasks': {'type': 'array', 'items': item},
            'schema': {'type': 'string'},
        },
        'links': [{'rel': 'describedby', 'href': '{schema}'}],
    }
