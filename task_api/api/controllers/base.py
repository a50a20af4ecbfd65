"""The routing shared by the REST controllers of task_api."""

import pecan
from pecan import rest
import webob.exc


# NOTE: task and image ids are VARCHAR(36); anything longer, or holding a
# NUL that some drivers refuse, names nothing and need not reach the
# database.
_MAX_ID_LENGTH = 36


def may_be_id(value):
    """Whether ``value`` could be the id of a task or an image."""
    return 0 < len(value) <= _MAX_ID_LENGTH and '\x00' not in value


class RestController(rest.RestController):
    """A REST resource routed by HTTP method only.

    Pecan's own RestController also honours a ``_method`` query parameter
    and guesses handlers from their names; the routes of this API are fixed
    by the Image API, so each controller lists them:

    * ``_collection_methods``: HTTP method -> handler for ``/<resource>``;
    * ``_item_methods``: HTTP method -> handler for ``/<resource>/<id>``.

    Any other method is answered 405 with the matching ``Allow`` header,
    any deeper or empty path segment 404.
    """

    _collection_methods = {}
    _item_methods = {}

    @pecan.expose()
    def _route(self, args, request=None):
        request = request or pecan.request
        if not args:
            routes, remainder = self._collection_methods, []
        elif len(args) == 1 and args[0]:
            routes, remainder = self._item_methods, args
        else:
            raise webob.exc.HTTPNotFound()
        if not routes:
            raise webob.exc.HTTPNotFound()
        handler = routes.get(request.method)
        if handler is None:
            raise webob.exc.HTTPMethodNotAllowed(
                headers={'Allow': ', '.join(routes)})
        return getattr(self, handler), remainder


class ParentController(rest.RestController):
    """A path segment that only leads to the resources below it."""

    #: path segment -> controller
    _children = {}

    @pecan.expose()
    def _route(self, args, request=None):
        child = self._children.get(args[0]) if args else None
        if child is None:
            raise webob.exc.HTTPNotFound()
        return child._route(args[1:], request)
