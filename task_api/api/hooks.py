"""Pecan hooks: the request context, the DB API and error responses."""

from oslo_log import log
from pecan import hooks
import webob.exc

from task_api.api import errors
from task_api.api.middleware import auth
from task_api.db import api as db_api
from task_api import exception

LOG = log.getLogger(__name__)


class JSONHook(hooks.PecanHook):
    """Answer JSON whatever the Accept header asks for, as the Image API does.

    Pecan would otherwise answer 406 to ``Accept: text/html``, which
    glanceclient and curl send as ``*/*`` and browsers as HTML; error
    bodies are still negotiated on Accept by WebOb.
    """

    def on_route(self, state):
        state.request.pecan['content_type'] = 'application/json'


class ContextHook(hooks.PecanHook):
    """Expose the caller's RequestContext as ``request.context``.

    The context middleware of the paste pipeline makes it; an application
    built without the pipeline (unit tests) reads the identity headers.
    """

    def before(self, state):
        environ = state.request.environ
        ctx = environ.get(auth.ENV_CONTEXT)
        if ctx is None:
            ctx = auth.context_from_environ(environ)
        state.request.context = ctx


class DBHook(hooks.PecanHook):
    """Expose the DB API as ``request.dbapi``."""

    def __init__(self, dbapi=None):
        self.dbapi = dbapi

    def before(self, state):
        if self.dbapi is None:
            self.dbapi = db_api.get_instance()
        state.request.dbapi = self.dbapi


class ErrorHook(hooks.PecanHook):
    """Answer every failure with a WebOb HTTP error, never a traceback.

    task_api exceptions map to their HTTP code; anything else is logged
    with the request id and answered with a bare 500.
    """

    def on_error(self, state, e):
        if isinstance(e, webob.exc.HTTPException):
            return None
        if isinstance(e, exception.TaskApiException) and e.code < 500:
            return errors.to_http(e)
        ctx = getattr(state.request, 'context', None)
        request_id = getattr(ctx, 'request_id', None)
        if isinstance(e, exception.TaskApiException):
            LOG.warning('%(method)s %(path)s [%(request_id)s]: %(error)s',
                        {'method': state.request.method,
                         'path': state.request.path,
                         'request_id': request_id, 'error': e})
            return errors.to_http(e)
        LOG.exception('Unexpected error in %(method)s %(path)s '
                      '[%(request_id)s]',
                      {'method': state.request.method,
                       'path': state.request.path,
                       'request_id': request_id})
        return webob.exc.HTTPInternalServerError()
