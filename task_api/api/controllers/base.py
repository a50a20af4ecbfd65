"""The routing shared by the REST controllers of task_api."""

import pecan
from pecan import rest
import webob.exc

from task_api import exception
from task_api import policy


# NOTE: task and image ids are VARCHAR(36) (a test binds this to the
# model); anything longer, or holding a NUL that some drivers refuse, names
# nothing and need not reach the database.
MAX_ID_LENGTH = 36


def may_be_id(value):
    """Whether ``value`` could be the id of a task or an image."""
    return 0 < len(value) <= MAX_ID_LENGTH and '\x00' not in value


#: Exposes a handler to Pecan. Every handler returns the WebOb response it
#: built (task_api.api.responses), which Pecan sends as it is: nothing is
#: rendered by Pecan; the content type declared is the one the handlers
#: answer, and the one the JSON hook asks Pecan for.
expose = pecan.expose(content_type='application/json')


class Authorization:
    """The policy rules of one handler, as its route declares them.

    :param rules: checked in order, with the caller's own project as the
        target, before the handler runs.
    :param resource_rule: checked by the handler itself against each
        resource it reads (its owner as the target), named here so that
        every rule of a route shows where the route is declared.
    :param hidden: answer a denial of ``rules`` with 404 rather than 403,
        so that a caller learns nothing of what it may not see.
    :param reason: for a handler that checks no rule: why.
    """

    def __init__(self, rules=(), resource_rule=None, hidden=False,
                 reason=None):
        self.rules = tuple(rules)
        self.resource_rule = resource_rule
        self.hidden = hidden
        self.reason = reason

    @property
    def all_rules(self):
        """Every rule the handler may check, in the order it checks them."""
        extra = (self.resource_rule,) if self.resource_rule else ()
        return self.rules + extra

    def enforce(self, context):
        """Check ``rules``; raise Forbidden or NotFound when one denies."""
        try:
            for rule in self.rules:
                policy.authorize(rule, context)
        except exception.Forbidden:
            if self.hidden:
                raise exception.NotFound()
            raise


def authorized_by(*rules, resource_rule=None, hidden=False):
    """Declare the policy rules of a handler; the request hook checks them.

    ``rules`` are enforced before the handler runs, with the caller's own
    project as the target; ``resource_rule`` is the rule the handler
    enforces on the resources it reads. See :class:`Authorization`.
    """
    def declare(handler):
        handler.authorization = Authorization(rules, resource_rule, hidden)
        return handler
    return declare


def no_policy(reason):
    """Declare that a handler checks no policy rule, saying why."""
    def declare(handler):
        handler.authorization = Authorization(reason=reason)
        return handler
    return declare


class RestController(rest.RestController):
    """A REST resource routed by HTTP method only.

    Pecan's own RestController also honours a ``_method`` query parameter
    and guesses handlers from their names; the routes of this API are fixed
    by the Image API, so each controller lists them:

    * ``_collection_methods``: HTTP method -> handler for ``/<resource>``;
    * ``_item_methods``: HTTP method -> handler for ``/<resource>/<id>``;
    * ``_item_children``: path segment -> controller class, built with the
      id, for ``/<resource>/<id>/<segment>``.

    Any other method is answered 405 with the matching ``Allow`` header,
    any other path 404. Every handler declares its policy rules with
    :func:`authorized_by` (or :func:`no_policy`).
    """

    _collection_methods = {}
    _item_methods = {}
    _item_children = {}

    @pecan.expose()
    def _route(self, args, request=None):
        request = request or pecan.request
        if not args:
            routes, remainder = self._collection_methods, []
        elif len(args) == 1 and args[0]:
            routes, remainder = self._item_methods, args
        elif (len(args) >= 2 and args[1] in self._item_children
              and may_be_id(args[0])):
            child = self._item_children[args[1]](args[0])
            return child._route(args[2:], request)
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
