"""Identity of API callers: the request context, and the noauth mode."""

import webob.exc

from task_api.api.middleware import base
from task_api import context
from task_api import policy

ENV_CONTEXT = 'task_api.context'
_IDENTITY_HEADERS = ('HTTP_X_USER_ID', 'HTTP_X_PROJECT_ID', 'HTTP_X_TENANT_ID',
                     'HTTP_X_ROLES')
_ANONYMOUS_ADMIN = {'HTTP_X_USER_ID': 'admin', 'HTTP_X_PROJECT_ID': 'admin',
                    'HTTP_X_ROLES': 'admin'}


def context_from_environ(environ):
    """Build the RequestContext of a request from its identity headers.

    Role names are compared in lower case, as policy files written for the
    Image API expect; whether the caller is an administrator is decided by
    the ``context_is_admin`` policy rule.
    """
    ctx = context.RequestContext.from_environ(environ)
    ctx.roles = [role.lower() for role in ctx.roles]
    ctx.is_admin = policy.check_is_admin(ctx)
    return ctx


class ContextMiddleware(base.Middleware):
    """Attach the caller's RequestContext to the WSGI environment.

    Only requests whose identity was confirmed by the authentication
    middleware in front of this one get through.
    """

    def __call__(self, environ, start_response):
        if environ.get('HTTP_X_IDENTITY_STATUS') != 'Confirmed':
            return webob.exc.HTTPUnauthorized()(environ, start_response)
        environ[ENV_CONTEXT] = context_from_environ(environ)
        return self.application(environ, start_response)


class NoAuthMiddleware(base.Middleware):
    """Trust the identity headers the client sends (development only).

    A request that names no user, project or roles acts as the user
    ``admin`` of the project ``admin``, with the ``admin`` role. The
    identity status only an authenticating middleware may set is replaced,
    so a client cannot claim a confirmed token of its own.
    """

    def __call__(self, environ, start_response):
        if not any(environ.get(name) for name in _IDENTITY_HEADERS):
            environ.update(_ANONYMOUS_ADMIN)
        environ['HTTP_X_IDENTITY_STATUS'] = 'Confirmed'
        return self.application(environ, start_response)
