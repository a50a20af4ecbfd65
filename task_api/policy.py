"""The policy enforcer of task_api."""

import time

from oslo_config import cfg
from oslo_policy import policy

from task_api import context as context_module
from task_api import exception
from task_api import policies

CONF = cfg.CONF
_ENFORCER = None


class Enforcer(policy.Enforcer):
    """oslo.policy's enforcer, remembering its decisions for a moment.

    oslo.policy looks for its files on disk and walks the rule tree on every
    check, three times a request; task_api looks at the files once a second
    and answers a repeated question (same rule, same credentials, same
    target) from memory until then. An operator's edit of the policy file
    takes effect within a second, as before within a request.
    """

    #: seconds between two looks at the policy files
    RELOAD_INTERVAL = 1.0
    #: most decisions remembered between two looks
    MAX_DECISIONS = 4096

    def __init__(self, conf):
        super().__init__(conf)
        self._looked_at = None
        self._decisions = {}

    def load_rules(self, force_reload=False):
        now = time.monotonic()
        if (force_reload or self._looked_at is None
                or now - self._looked_at >= self.RELOAD_INTERVAL):
            super().load_rules(force_reload)
            self._looked_at = now
            self._decisions = {}

    def clear(self):
        super().clear()
        self._looked_at = None
        self._decisions = {}

    def decide(self, rule, target, context):
        """Whether the caller of ``context`` may do ``rule`` on ``target``.

        :param target: a dict describing the object acted on; None for the
            caller's own credentials.
        """
        self.load_rules()
        key = (rule, None if target is None else _frozen(target),
               credentials_key(context))
        decision = self._decisions.get(key)
        if decision is None:
            creds = context.to_policy_values()
            try:
                decision = bool(self.enforce(
                    rule, creds if target is None else target, creds))
            except policy.InvalidScope:
                decision = False
            decisions = self._decisions
            if len(decisions) >= self.MAX_DECISIONS:
                decisions = self._decisions = {}
            decisions[key] = decision
        return decision


def _frozen(values):
    # NOTE: unsorted: the same question asked with keys in another order
    # is only asked of oslo.policy once more.
    return tuple((key, tuple(value) if isinstance(value, list) else value)
                 for key, value in values.items())


# NOTE: the names of the policy values, which are attributes of a context.
_CREDENTIALS = tuple(context_module.RequestContext(
    overwrite=False).to_policy_values())


def credentials_key(context):
    """The credentials of ``context`` that policy checks see, hashable.

    The attributes named by the keys of ``to_policy_values()``, read
    straight from the context: building the policy values themselves costs
    more than the decision, when it is remembered.
    """
    return tuple(tuple(value) if isinstance(value, list) else value
                 for value in map(context.__getattribute__, _CREDENTIALS))


def get_enforcer():
    """Return the process-wide enforcer, creating it on first use.

    Also the ``oslo.policy.enforcer`` entry point of oslopolicy's tools.
    """
    global _ENFORCER
    if _ENFORCER is None:
        _ENFORCER = Enforcer(CONF)
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
    return get_enforcer().decide('context_is_admin', None, context)


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
    if not get_enforcer().decide(rule, target, context):
        raise exception.Forbidden(action=rule)
