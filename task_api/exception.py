"""Domain exceptions of task_api, each carrying the HTTP code it maps to."""


class TaskApiException(Exception):
    """Base class of task_api errors.

    Subclasses set ``_msg_fmt`` with named placeholders filled from the
    keyword arguments, and ``code``, the HTTP status the API answers with.
    """

    _msg_fmt = 'An unknown error occurred.'
    code = 500
    headers = {}

    def __init__(self, message=None, **kwargs):
        self.kwargs = kwargs
        if message is None:
            message = self._msg_fmt % kwargs
        self.message = message
        super().__init__(message)


class NotFound(TaskApiException):
    _msg_fmt = 'The resource could not be found.'
    code = 404


class ImageNotFound(NotFound):
    """An image that does not exist or that the caller may not see."""


class TaskNotFound(NotFound):
    _msg_fmt = 'Could not find task %(task_id)s'


class Conflict(TaskApiException):
    _msg_fmt = 'The request conflicts with the state of the resource.'
    code = 409


class TaskStatusConflict(Conflict):
    _msg_fmt = ('Task %(task_id)s is %(status)s, no longer '
                '%(expected)s.')


class TaskNotCancellable(Conflict):
    _msg_fmt = ('Task %(task_id)s is %(status)s and cannot be cancelled: '
                '%(reason)s')


class TaskCancelled(TaskApiException):
    """Raised in a worker when a caller cancelled the task it runs."""

    _msg_fmt = '%(message)s'


class InvalidTaskStatusTransition(Conflict):
    _msg_fmt = ('Task %(task_id)s cannot go from %(current)s to '
                '%(new)s.')


class Forbidden(TaskApiException):
    _msg_fmt = 'You are not authorized to complete %(action)s action.'
    code = 403


class Invalid(TaskApiException):
    _msg_fmt = 'The request is invalid.'
    code = 400


class MarkerNotFound(Invalid):
    _msg_fmt = 'Task with the given id %(task_id)s was not found'


class InvalidSortKey(Invalid):
    _msg_fmt = 'Sort key supplied was not valid.'


class InvalidParameter(Invalid):
    """A query parameter or body value the API refuses, with its message."""

    _msg_fmt = '%(reason)s'


class InvalidRequestId(Invalid):
    _msg_fmt = ('X-Openstack-Request-Id is longer than %(limit)d '
                'characters, counting the req- prefix.')


class RequestTooLarge(TaskApiException):
    _msg_fmt = 'The request body is larger than %(limit)d bytes.'
    code = 413


class DatabaseUnavailable(TaskApiException):
    _msg_fmt = ('The task database is unavailable at the moment; '
                'try again later.')
    code = 503
    headers = {'Retry-After': '5'}


class ConfigInvalid(TaskApiException):
    _msg_fmt = 'Invalid configuration: %(reason)s'


class InsecureBind(ConfigInvalid):
    _msg_fmt = ('Refusing to serve in noauth mode on %(host)s, which is not '
                'a loopback address: anyone reaching it would be an '
                'administrator. Bind to 127.0.0.1 or set [api] '
                'allow_noauth_on_public_bind = true.')


class InvalidColumnValue(Invalid):
    _msg_fmt = ('The database cannot hold a value of the request: it is '
                'too long for its column or holds a character the database '
                'does not accept.')


class DatabaseNotMigrated(TaskApiException):
    _msg_fmt = ('The task database has no tables; run task-api-manage db '
                'sync.')
    code = 503
