"""The policy enforcer of task_api."""

from oslo_config import cfg
from oslo_policy import policy

from task_api import exception
from task_api import policies

CONF = cfg.CONF
_ENFORCER = None


def get_enforcer():
    """Return the process-wide enforcer, creating it on first use.

    Also the ``oslo.policy.enforcer`` entry point of oslopolicy's tools.
    """
    global _ENFORCER
    if _ENFORCER is None:
        _ENFORCER = policy.Enforcer(CONF)
        _ENFORCER.register_defaults(policies.list_rules())
    return _ENFORCER


def reset():
    """Forget the enforcer, so that the next call reads the files again."""
    global _ENFORCER
    if _ENFORCER is not None:
        _ENFORCER.clear()
    _ENFORCER = None


def check_is_admin(context):
    """Whether the caller passes the ``context_is_admin`` rule."""
    creds = context.to_policy_values()
    return get_enforcer().authorize('context_is_admin', creds, creds)


def authorize(rule, context, target=None):
    """Enforce ``rule`` for ``context`` against ``target``.

    :param rule: the policy name, e.g. ``tasks_api_access``.
    :param context: the caller's RequestContext.
    :param target: a dict describing the object acted on; defaults to the
        caller's own project.
    :raises: task_api.exception.Forbidden when the rule denies the call.
    """
    if target is None:
        target = {'project_id': context.project_id,
                  'user_id': context.user_id}
    try:
        return get_enforcer().authorize(
            rule, target, context, do_raise=True,
            exc=exception.Forbidden, action=rule)
    except policy.InvalidScope:
        raise exception.Forbidden(action=rule)
