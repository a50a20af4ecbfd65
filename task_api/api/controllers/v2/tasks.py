"""The tasks resource: /v2/tasks and /v2/tasks/{task_id}."""

import hashlib
import string

import pecan
import webob.exc

from task_api.api.controllers import base
from task_api.api import responses
from task_api.api import validation
from task_api.api.views import encoding
from task_api.api.views import tasks as tasks_view
from task_api import exception
from task_api import lifecycle
from task_api.policies import tasks as task_policies
from task_api import policy


class _DeleteNotAllowed(webob.exc.HTTPMethodNotAllowed):
    """The 405 of DELETE, whose every body is the bare explanation."""

    explanation = ('This operation is currently not permitted on tasks. '
                   'They are deleted automatically once their expires_at '
                   'time has passed.')
    body_template_obj = string.Template('${explanation}')
    plain_template_obj = string.Template('${body}')


def _etag(data):
    return hashlib.blake2b(data, digest_size=16).hexdigest()


#: The message a cancelled task ends with.
CANCELLED = 'Cancelled by user %(user)s of project %(project)s'


class TaskCancelController(base.RestController):
    """/v2/tasks/{task_id}/actions/cancel: POST cancels the task.

    A body, if any, is not read: the action takes no parameters, as
    ironic's and nova's actions without arguments.
    """

    _collection_methods = {'POST': 'post'}

    def __init__(self, task_id):
        self.task_id = task_id

    @base.expose
    @base.authorized_by(task_policies.TASKS_API_ACCESS,
                        task_policies.MODIFY_TASK,
                        resource_rule=task_policies.GET_TASK)
    def post(self):
        """POST /v2/tasks/{task_id}/actions/cancel: 202, no body.

        A pending task ends ``failure`` at once; a processing one ends
        ``failure`` once its worker stops and reverts. Both say who
        cancelled them; a task that already ended answers 409.
        """
        context = pecan.request.context
        TasksController._get_task(context, self.task_id)
        lifecycle.cancel(pecan.request.dbapi, context, self.task_id,
                         CANCELLED % {'user': context.user_id,
                                      'project': context.project_id})
        return responses.empty(202)


class TaskActionsController(base.ParentController):
    """/v2/tasks/{task_id}/actions: the actions on one task."""

    def __init__(self, task_id):
        self._children = {'cancel': TaskCancelController(task_id)}


class TasksController(base.RestController):
    """List, create and show tasks."""

    _collection_methods = {'GET': 'get_all', 'POST': 'post'}
    _item_methods = {'GET': 'show', 'DELETE': 'delete'}
    _item_children = {'actions': TaskActionsController}

    @base.expose
    @base.authorized_by(task_policies.TASKS_API_ACCESS,
                        task_policies.GET_TASKS)
    def get_all(self):
        """GET /v2/tasks: one page of the tasks the caller may see."""
        context = pecan.request.context
        try:
            params = validation.last_values(pecan.request.GET)
        except UnicodeDecodeError:
            raise exception.InvalidParameter(
                reason='The query string is not valid UTF-8.')
        query = validation.list_query(params)
        tasks = pecan.request.dbapi.task_get_all(context, **query)
        return responses.json(tasks_view.index(tasks, params, query['limit']))

    @base.expose
    @base.authorized_by(task_policies.TASKS_API_ACCESS,
                        task_policies.ADD_TASK)
    def post(self):
        """POST /v2/tasks: create a pending task; 201 with its Location."""
        context = pecan.request.context
        task_type, task_input = validation.new_task(
            validation.json_body(pecan.request))
        if not context.project_id:
            raise exception.InvalidParameter(
                reason='A task belongs to a project, and the caller has '
                       'none: use a project-scoped token.')
        image_id = (task_input or {}).get('image_id')
        values = {
            'type': task_type,
            'status': 'pending',
            'owner': context.project_id,
            'user_id': context.user_id,
            'request_id': context.client_request_id,
            'image_id': image_id if isinstance(image_id, str) else None,
            'input': task_input,
            'result': None,
            'message': '',
        }
        validation.check_columns(values)
        task = pecan.request.dbapi.task_create(context, values)
        location = '%s/tasks/%s' % (pecan.request.application_url,
                                    task['id'])
        return responses.json(tasks_view.show(task), status=201,
                              headers=[('Location', location)])

    @staticmethod
    def _get_task(context, task_id):
        if not base.may_be_id(task_id):
            raise exception.TaskNotFound(task_id=task_id)
        task = pecan.request.dbapi.task_get(context, task_id)
        try:
            policy.authorize(task_policies.GET_TASK, context,
                             policy.task_target(task['owner'],
                                                task['user_id']))
        except exception.Forbidden:
            # NOTE: only the owning project learns that the task exists.
            if task['owner'] != context.project_id:
                raise exception.TaskNotFound(task_id=task_id)
            raise
        return task

    @base.expose
    @base.authorized_by(task_policies.TASKS_API_ACCESS,
                        resource_rule=task_policies.GET_TASK)
    def show(self, task_id):
        """GET /v2/tasks/{task_id}: one task, with an ETag.

        A matching ``If-None-Match`` is answered 304 without a body, so
        that clients polling a task pay almost nothing while it runs.
        """
        context = pecan.request.context
        task = self._get_task(context, task_id)
        data = encoding.encode(tasks_view.show(task))
        tag = _etag(data)
        headers = [('ETag', '"%s"' % tag), ('Cache-Control', 'no-cache')]
        if tag in pecan.request.if_none_match:
            return responses.empty(304, headers)
        return responses.json_bytes(data, headers=headers)

    @base.expose
    @base.authorized_by(task_policies.TASKS_API_ACCESS,
                        task_policies.MODIFY_TASK)
    def delete(self, task_id):
        """DELETE /v2/tasks/{task_id}: refused; tasks expire instead."""
        raise _DeleteNotAllowed(headers={'Allow': 'GET'})
