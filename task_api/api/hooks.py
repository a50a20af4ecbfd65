"""Pecan hooks: the request context, the DB API, policy and errors."""

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

    The context middleware of the paste pipeline makes it, from an
    identity the authentication middleware in front of it confirmed.
    Without that middleware nothing vouches for the identity headers a
    client sends, so the request is refused with 401: an application built
    without it fails closed.
    """

    def before(self, state):
        ctx = state.request.environ.get(auth.ENV_CONTEXT)
        if ctx is None:
            LOG.error('Refused %(method)s %(path)s with 401: the request '
                      'did not pass the context middleware; its filter is '
                      'missing from the paste pipeline (api-paste.ini).',
                      {'method': state.request.method,
                       'path': _path(state.request.environ)})
            raise webob.exc.HTTPUnauthorized()
        state.request.context = ctx


class DBHook(hooks.PecanHook):
    """Expose the DB API as ``request.dbapi``."""

    def __init__(self, dbapi=None):
        self.dbapi = dbapi

    def before(self, state):
        if self.dbapi is None:
            self.dbapi = db_api.get_instance()
        state.request.dbapi = self.dbapi


class PolicyHook(hooks.PecanHook):
    """Enforce the policy rules the handler of a request declares.

    Each handler names its rules where it is declared (see
    ``controllers.base.authorized_by``); they are checked here, before the
    handler runs and before the request body is read. A handler that
    declares nothing is refused, so a route cannot be served unchecked.
    """

    def before(self, state):
        authorization = getattr(state.controller, 'authorization', None)
        if authorization is None:
            LOG.error('Refused %(method)s %(path)s with 403: its handler '
                      '%(handler)s declares no policy rule.',
                      {'method': state.request.method,
                       'path': _path(state.request.environ),
                       'handler': getattr(state.controller, '__qualname__',
                                          state.controller)})
            raise webob.exc.HTTPForbidden()
        authorization.enforce(state.request.context)


class ErrorHook(hooks.PecanHook):
    """Answer every failure with a WebOb HTTP error, never a traceback.

    Errors are answered through ``errors.http_error``; a server-side one is
    logged with the request id, an unexpected exception with its traceback.
    """

    def on_error(self, state, e):
        error = errors.http_error(e)
        if error.code < 500:
            return error
        ctx = getattr(state.request, 'context', None)
        values = {'method': state.request.method,
                  'path': _path(state.request.environ),
                  'request_id': getattr(ctx, 'request_id', None),
                  'error': e}
        if isinstance(e, (webob.exc.HTTPException,
                          exception.TaskApiException)):
            LOG.warning('%(method)s %(path)s [%(request_id)s]: %(error)s',
                        values)
        else:
            LOG.exception('Unexpected error in %(method)s %(path)s '
                          '[%(request_id)s]', values)
        return error


def _path(environ):
    # NOTE: the raw path, which may not decode as UTF-8.
    return environ.get('SCRIPT_NAME', '') + environ.get('PATH_INFO', '')
