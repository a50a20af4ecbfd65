"""The request context of task_api, on oslo.context."""

from oslo_context import context
from oslo_db.sqlalchemy import enginefacade


@enginefacade.transaction_context_provider
class RequestContext(context.RequestContext):
    """Who is calling, and the database transaction of the call.

    :param client_request_id: the request id the client is answered with
        and finds on the tasks the call creates (its own
        X-Openstack-Request-Id, see ``api/middleware/request_id.py``);
        by default the context's ``request_id``.
    """

    def __init__(self, *args, client_request_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._client_request_id = client_request_id

    @property
    def client_request_id(self):
        """The request id answered to the client and stored with tasks."""
        return self._client_request_id or self.request_id

    @property
    def can_see_deleted(self):
        """Administrators and show_deleted callers see soft-deleted rows."""
        return self.is_admin or self.show_deleted


def get_admin_context():
    """A context for operator commands, which see every row."""
    return RequestContext(is_admin=True, overwrite=False)
