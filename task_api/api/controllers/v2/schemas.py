"""The JSON schemas of tasks: /v2/schemas/task and /v2/schemas/tasks."""

import json

import pecan
import webob

from task_api.api.controllers import base

UUID_PATTERN = ('^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}'
                '-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$')
TASK_TYPES = ('import', 'api_image_import', 'location_import')
TASK_STATUSES = ('pending', 'processing', 'success', 'failure')

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


def image_schema():
    """A minimal image schema document, for the glance CLI's discovery.

    Without a ``--os-image-api-version`` the glance CLI downloads the image
    schema (or one of two metadata-definition schemas) after the versions
    document, and falls back to the v1 API, which has no task commands,
    when none answers. task_api serves no images; this document names the
    two properties every image has.
    """
    return {
        'name': 'image',
        'properties': {
            'id': {
                'description': 'An identifier for the image',
                'pattern': UUID_PATTERN,
                'type': 'string',
            },
            'name': {
                'description': 'Descriptive name for the image',
                'maxLength': 255,
                'type': ['null', 'string'],
            },
        },
        'additionalProperties': {'type': 'string'},
    }


class _SchemaController(base.RestController):
    """One schema document; only GET."""

    _collection_methods = {'GET': 'get_all'}
    _body = None

    @pecan.expose('json')
    @base.no_policy('The schemas are public documents; the Image API '
                    'checks no rule for them, only authentication.')
    def get_all(self):
        return webob.Response(body=self._body, status=200, headerlist=[
            ('Content-Type', 'application/json')])


class TaskSchemaController(_SchemaController):
    _body = json.dumps(task_schema()).encode('utf-8')


class TasksSchemaController(_SchemaController):
    _body = json.dumps(tasks_schema()).encode('utf-8')


class ImageSchemaController(_SchemaController):
    _body = json.dumps(image_schema()).encode('utf-8')


class SchemasController(base.ParentController):
    """/v2/schemas/<name>."""

    _children = {
        'task': TaskSchemaController(),
        'tasks': TasksSchemaController(),
        'image': ImageSchemaController(),
    }
