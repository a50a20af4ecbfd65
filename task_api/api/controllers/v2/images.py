"""The tasks of an image: GET /v2/images/{image_id}/tasks (API v2.12)."""

import pecan
import webob.exc

from task_api.api.controllers import base
from task_api.api.controllers.v2 import tasks as tasks_controller
from task_api.api.views import tasks as tasks_view
from task_api import conf


class ImageTasksController(base.RestController):
    """The newest live tasks that name one image, newest first."""

    _collection_methods = {'GET': 'get_all'}

    def __init__(self, image_id):
        super().__init__()
        self.image_id = image_id

    @pecan.expose('json')
    def get_all(self):
        # NOTE: the Image API governs this call by the image's visibility,
        # not by tasks_api_access; task_api keeps no images, so a caller
        # sees the tasks of its own project (an administrator, all).
        context = pecan.request.context
        tasks = pecan.request.dbapi.tasks_get_by_image(
            context, self.image_id, conf.CONF.api.api_limit_max)
        return tasks_controller.json_response(
            {'tasks': [tasks_view.raw(task) for task in tasks]})


class ImagesController(base.RestController):
    """/v2/images/{image_id}/tasks; task_api serves no other image URL."""

    @pecan.expose()
    def _route(self, args, request=None):
        if (len(args) == 2 and args[1] == 'tasks'
                and base.may_be_id(args[0])):
            return ImageTasksController(args[0])._route([], request)
        raise webob.exc.HTTPNotFound()
