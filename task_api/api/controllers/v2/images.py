"""The tasks of an image: GET /v2/images/{image_id}/tasks (API v2.12)."""

import pecan

from task_api.api.controllers import base
from task_api.api import responses
from task_api.api.views import tasks as tasks_view
from task_api import conf
from task_api import exception
from task_api.policies import images as image_policies
from task_api import policy


def _may_get_image_of(context, task):
    """Whether ``get_image`` lets the caller see ``task``, by its owner."""
    target = {'project_id': task['owner'], 'owner': task['owner']}
    return policy.allows(image_policies.GET_IMAGE, context, target)


class ImageTasksController(base.RestController):
    """The newest live tasks that name one image, newest first."""

    _collection_methods = {'GET': 'get_all'}

    def __init__(self, image_id):
        super().__init__()
        self.image_id = image_id

    # NOTE: the Image API governs this call by get_image, not by
    # tasks_api_access. The target of get_image is the caller's own project
    # first (a denial is Glance's 404 for an image the caller may not see);
    # then, when the database holds Glance's images, the image itself, which
    # must exist and be visible to the caller; then the owner of each task
    # the database lets the caller see (its project's; an administrator's,
    # all).
    @base.expose
    @base.authorized_by(image_policies.GET_IMAGE,
                        resource_rule=image_policies.GET_IMAGE, hidden=True)
    def get_all(self):
        context = pecan.request.context
        image = pecan.request.dbapi.image_get(context, self.image_id)
        if image is not None and not policy.allows(
                image_policies.GET_IMAGE, context, {
                    'project_id': image['owner'], 'owner': image['owner'],
                    'member_id': image['member_id'],
                    'visibility': image['visibility']}):
            raise exception.ImageNotFound()
        tasks = pecan.request.dbapi.tasks_get_by_image(
            context, self.image_id, conf.CONF.api.api_limit_max)
        return responses.json(
            {'tasks': [tasks_view.raw(task) for task in tasks
                       if _may_get_image_of(context, task)]})


class ImagesController(base.RestController):
    """/v2/images/{image_id}/tasks; task_api serves no other image URL."""

    _item_children = {'tasks': ImageTasksController}
