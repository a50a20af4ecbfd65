"""The root of the v2 API, mounted at /v2 by the paste urlmap."""

from task_api.api.controllers import base
from task_api.api.controllers.v2 import images
from task_api.api.controllers.v2 import schemas
from task_api.api.controllers.v2 import tasks


class V2Controller(base.ParentController):
    """Dispatches /v2/<resource> to the resource's controller."""

    _children = {
        'tasks': tasks.TasksController(),
        'schemas': schemas.SchemasController(),
        'images': images.ImagesController(),
    }
