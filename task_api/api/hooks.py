"""Pecan hooks: the request context, the DB API, policy and errors."""

from oslo_log import log
from pecan import hooks
import webob.exc

from task_api.api import errors
from task_api.api.middleware import auth
from task_api.db import api as db_api
from task_api import exception

LOG = log.getLogger(__name__)


class RequestHook(hooks.PecanHook):
    """Prepare each request for its handler: JSON, context, DB API, policy.

    One hook rather than one per concern: Pecan calls every hook at each
    stage of every request (route, before, after), and a show is short
    enough for those calls to count.

    * **JSON whatever the Accept header asks for**, as the Image API
      answers: Pecan would otherwise answer 406 to ``Accept: text/html``,
      which glanceclient and curl send as ``*/*`` and browsers as HTML;
      error bodies are still negotiated on Accept by WebOb.
    * **The caller's RequestContext** as ``request.context``. The context
      middleware of the paste pipeline makes it, from an identity the
      authentication middleware in front of it confirmed. Without that
      middleware nothing vouches for the identity headers a client sends,
      so the request is refused with 401: an application built without it
      fails closed.
    * **The DB API** as ``request.dbapi``.
    * **The policy rules the handler declares** (see
      ``controllers.base.authorized_by``), checked before the handler runs
      and before the request body is read. A handler that declares
      nothing is refused, so a route cannot be served unchecked.

    :param dbapi: the DB API; the configured one when None.
    """

    def __init__(self, dbapi=None):
        self.dbapi = dbapi

    def on_route(self, state):
        state.request.pecan['content_type'] = 'application/json'

    def before(self, state):
        request = state.request
        ctx = request.environ.get(auth.ENV_CONTEXT)
        if ctx is None:
            LOG.error('Refused %(method)s %(path)s with 401: the request '
                      'did not pass the context middleware; its filter is '
                      'missing from the paste pipeline (api-paste.ini).',
                      {'method': request.method,
                       'path': _path(request.environ)})
            raise webob.exc.HTTPUnauthorized()
        request.context = ctx
        if self.dbapi is None:
            self.dbapi = db_api.get_instance()
        request.dbapi = self.dbapi
        authorization = getattr(state.controller, 'authorization', None)
        if authorization is None:
            LOG.error('Refused %(method)s %(path)s with 403: its handler '
                      '%(handler)s declares no policy rule.',
                      {'method': request.method,
                       'path': _path(request.environ),
                       'handler': getattr(state.controller, '__qualname__',
                                          state.controller)})
            raise webob.exc.HTTPForbidden()
        authorization.enforce(ctx)


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
