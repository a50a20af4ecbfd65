"""The request context of task_api, on oslo.context."""

from oslo_context import context
from oslo_db.sqlalchemy import enginefacade


@enginefacade.transaction_context_provider
class RequestContext(context.RequestContext):
    """Who is calling, and the database transaction of the call."""

    @property
    def can_see_deleted(self):
        """Administrators and show_deleted callers see soft-deleted rows."""
        return self.is_admin or self.show_deleted


def get_admin_context():
    """A context for operator commands, which see every row."""
    return RequestContext(is_admin=True, overwrite=False)
