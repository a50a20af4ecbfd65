"""The Pecan application of the v2 API (the paste side: api.pipeline)."""

import pecan
import webob

from task_api.api import errors
from task_api.api import hooks
from task_api.api.middleware import body

_ROOT_CONTROLLER = 'task_api.api.controllers.v2.root.V2Controller'


class Application(pecan.Pecan):
    """The Pecan application of task_api's controllers.

    Two public methods of Pecan's application are given the shape of
    this API, whose controllers route the path below them
    (task_api.api.controllers.base) and whose handlers build their own
    WebOb responses (task_api.api.responses): Pecan's walk of the tree and
    its rendering of a handler's result are not used. Each inspected a
    signature on every request, which Pecan does by building a namedtuple
    class: together about a third of the CPU time of a show.
    """

    def route(self, req, node, path):
        """Return the handler of ``path`` and the arguments left for it."""
        return node._route(path.split('/')[1:], req)

    def invoke_controller(self, controller, args, kwargs, state):
        """Call the handler; the WebOb response it returns is the answer.

        :raises: TypeError when a handler returns anything else.
        """
        result = controller(*args, **kwargs)
        if not isinstance(result, webob.Response):
            raise TypeError('%s returned %s, not a WebOb response'
                            % (controller.__qualname__,
                               type(result).__name__))
        state.response = result


def setup_app(dbapi=None):
    """Return the Pecan application serving the v2 API.

    :param dbapi: the DB API to use; the configured one when None.
    """
    app_hooks = [
        hooks.RequestHook(dbapi),
        hooks.ErrorHook(),
    ]
    # NOTE: built as pecan.make_app builds it, without the middleware
    # make_app adds for what task_api does not use: internal redirects,
    # error documents and debug pages.
    application = Application(
        _ROOT_CONTROLLER,
        hooks=app_hooks,
        force_canonical=False,
        # NOTE: otherwise /v2/tasks/<id>.json reaches the controller as
        # <id>, a different resource than the client named.
        guess_content_type_from_ext=False,
        request_cls=body.Request,
    )
    return _around_pecan(application)


#: Keys of the WSGI environ whose values refer back to the environ: Pecan's
#: request and response, WebOb's parsed query string.
_CYCLIC_KEYS = ('pecan.locals', 'webob._parsed_query_vars')


def _around_pecan(application):
    """Pecan's application, with what it needs before and after a request.

    Before: a path or query that is not UTF-8 is refused. Pecan answers
    its own 400 and logs a traceback for such a path; this answers the
    400 every other part of the API answers for it.

    After: the environ's references back to itself are dropped, so that a
    request's objects are freed as soon as the server drops the environ,
    not at the garbage collector's next pass (a pass every few dozen
    requests, which costs more than all the requests' own deallocation).
    """
    def around_pecan(environ, start_response):
        if not errors.path_is_text(environ):
            return errors.bad_path()(environ, start_response)
        if environ.get('QUERY_STRING') and not errors.query_is_text(environ):
            return errors.bad_query()(environ, start_response)
        try:
            return application(environ, start_response)
        finally:
            for key in _CYCLIC_KEYS:
                environ.pop(key, None)

    return around_pecan
