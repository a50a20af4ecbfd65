"""The schema documents: /v2/schemas/task, /v2/schemas/tasks and image."""

import json

from task_api.api.controllers import base
from task_api.api import responses
from task_api.api.schemas import images as image_schemas
from task_api.api.schemas import tasks as task_schemas


class _SchemaController(base.RestController):
    """One schema document; only GET."""

    _collection_methods = {'GET': 'get_all'}
    _body = None

    @base.expose
    @base.no_policy('The schemas are public documents; the Image API '
                    'checks no rule for them, only authentication.')
    def get_all(self):
        return responses.json_bytes(self._body)


def _document(schema):
    return json.dumps(schema).encode('utf-8')


class TaskSchemaController(_SchemaController):
    _body = _document(task_schemas.task_schema())


class TasksSchemaController(_SchemaController):
    _body = _document(task_schemas.tasks_schema())


class ImageSchemaController(_SchemaController):
    _body = _document(image_schemas.image_schema())


class SchemasController(base.ParentController):
    """/v2/schemas/<name>."""

    _children = {
        'task': TaskSchemaController(),
        'tasks': TasksSchemaController(),
        'image': ImageSchemaController(),
    }
