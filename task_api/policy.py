"""The policy enforcer of task_api."""

import operator
import os
import threading
import time

from oslo_log import log
from oslo_policy import policy

from task_api import conf as task_conf
from task_api import context as context_module
from task_api import exception
from task_api import policies

CONF = task_conf.CONF
LOG = log.getLogger(__name__)
_ENFORCER = None


def _policy_files(conf):
    """The paths of the files oslo.policy reads rules from, in its order.

    ``[oslo_policy] policy_file``, then the files (not starting with a dot)
    of each ``policy_dirs`` directory, as oslo.policy looks them up.
    """
    paths = []
    found = conf.find_file(conf.oslo_policy.policy_file)
    if found:
        paths.append(found)
    for name in conf.oslo_policy.policy_dirs:
        directory = conf.find_file(name)
        if not directory or not os.path.isdir(directory):
            continue
        with os.scandir(directory) as entries:
            paths.extend(sorted(
                entry.path for entry in entries
                if entry.is_file() and not entry.name.startswith('.')))
    return paths


def _contents(paths):
    contents = []
    for path in paths:
        try:
            with open(path, 'rb') as stream:
                contents.append((path, stream.read()))
        except OSError:
            contents.append((path, None))
    return tuple(contents)


class _Reading(policy.Enforcer):
    """One reading of the policy files, never changed once loaded.

    Decisions made with these rules are remembered here, with the rules
    themselves: a reading that replaces this one starts with no decision,
    so no answer given by older rules can outlive them.
    """

    def __init__(self, conf, defaults, contents):
        super().__init__(conf)
        self.register_defaults(defaults)
        super().load_rules(force_reload=True)
        #: the bytes of the files this reading was made from
        self.contents = contents
        #: question -> decision, for these rules only
        self.decisions = {}

    def load_rules(self, force_reload=False):
        # NOTE: oslo.policy calls this on every check; a reading never
        # reloads, a new reading replaces it.
        pass


class _NoRules:
    """What is in force when no policy file could ever be read: nothing."""

    contents = None
    decisions = {}

    @staticmethod
    def enforce(rule, target, creds):
        return False


_NO_RULES = _NoRules()


class Enforcer(policy.Enforcer):
    """oslo.policy's enforcer, remembering its decisions between reloads.

    oslo.policy looks for its files on disk and walks the rule tree on every
    check, three times a request. task_api reads the files at most once a
    second and builds a new, separate set of rules when their contents
    changed; checks keep using the rules they started with while the new
    ones are built, and every check that starts after the new rules are in
    place uses them, never a decision made with older ones. A file that
    cannot be parsed (for example while it is being rewritten) leaves the
    last good rules in force.
    """

    #: seconds between two looks at the policy files
    RELOAD_INTERVAL = 1.0
    #: most decisions remembered for one reading of the files
    MAX_DECISIONS = 4096

    def __init__(self, conf):
        super().__init__(conf)
        self._reading = None
        self._next_look = None
        self._unreadable = None
        self._lock = threading.Lock()

    def clear(self):
        super().clear()
        self._reading = None
        self._next_look = None
        self._unreadable = None

    def load_rules(self, force_reload=False):
        """oslo.policy's loading, for its tools; forced, also a refresh."""
        super().load_rules(force_reload)
        if force_reload:
            self.refresh()

    def refresh(self):
        """Read the policy files now, waiting for a look under way."""
        with self._lock:
            self._look(time.monotonic())

    def _maybe_look(self):
        now = time.monotonic()
        if self._reading is None:
            self.refresh()
        elif now >= self._next_look and self._lock.acquire(blocking=False):
            try:
                self._look(now)
            finally:
                self._lock.release()

    def _look(self, now):
        # NOTE: called with the lock held.
        self._next_look = now + self.RELOAD_INTERVAL
        paths = _policy_files(self.conf)
        contents = _contents(paths)
        current = self._reading
        if current is not None and current.contents == contents:
            return
        if contents == self._unreadable:
            # NOTE: said once; the same bytes fail the same way.
            return
        try:
            reading = _Reading(self.conf, self.registered_rules.values(),
                               contents)
        except Exception as error:
            # NOTE: files rewritten while oslo.policy read them may be
            # fine: only bytes that failed as they are are not read again.
            changed = _contents(paths) != contents
            if not changed:
                self._unreadable = contents
            if current is None or current is _NO_RULES:
                # NOTE: fail closed: no rule was ever read, nothing is
                # allowed until the files can be read.
                LOG.error('Cannot load the policy files %(paths)s; every '
                          'call is refused until they load: %(error)s',
                          {'paths': [path for path, _ in contents],
                           'error': error})
                self._reading = _NO_RULES
                return
            if changed:
                return
            LOG.warning('Cannot load the policy files %(paths)s, keeping '
                        'the rules loaded before: %(error)s',
                        {'paths': [path for path, _ in contents],
                         'error': error})
            return
        if _contents(paths) != contents:
            # NOTE: oslo.policy reads the files itself, and they changed
            # since their bytes were read: the rules may be of neither
            # version. They serve until the next look, which reads the
            # files again whatever they hold then.
            reading.contents = None
        # NOTE: one assignment: a check sees the old rules or the new.
        self._reading = reading
        self._unreadable = None

    def decide(self, rule, target, context):
        """Whether the caller of ``context`` may do ``rule`` on ``target``.

        :param target: a dict describing the object acted on; None for the
            caller's own credentials; CALLERS_OWN for the task target of
            the caller's own project and user.
        """
        self._maybe_look()
        reading = self._reading
        if target is None or target is CALLERS_OWN:
            # NOTE: both are made of the credentials alone.
            frozen = target
        else:
            frozen = _frozen(target)
        key = (rule, frozen, credentials_key(context))
        decisions = reading.decisions
        decision = decisions.get(key)
        if decision is None:
            if target is CALLERS_OWN:
                target = task_target(context.project_id, context.user_id)
            creds = context.to_policy_values()
            try:
                decision = bool(reading.enforce(
                    rule, creds if target is None else target, creds))
            except policy.InvalidScope:
                decision = False
            if len(decisions) >= self.MAX_DECISIONS:
                decisions.clear()
            decisions[key] = decision
        return decision


#: The target of a rule checked on the caller's own project and user.
CALLERS_OWN = 'callers-own'


def _frozen(values):
    # NOTE: unsorted: the same question asked with keys in another order
    # is only asked of oslo.policy once more.
    return tuple((key, tuple(value) if isinstance(value, list) else value)
                 for key, value in values.items())


# NOTE: the names of the policy values, which are attributes of a context.
_CREDENTIALS = tuple(context_module.RequestContext(
    overwrite=False).to_policy_values())
_READ_CREDENTIALS = operator.attrgetter(*_CREDENTIALS)
# NOTE: the values that are lists (the roles), which a key holds as tuples.
_LISTS = tuple(
    index for index, value in enumerate(context_module.RequestContext(
        overwrite=False).to_policy_values().values())
    if isinstance(value, list))


def credentials_key(context):
    """The credentials of ``context`` that policy checks see, hashable.

    The attributes named by the keys of ``to_policy_values()``, read
    straight from the context: building the policy values themselves costs
    more than the decision, when it is remembered.
    """
    values = list(_READ_CREDENTIALS(context))
    for index in _LISTS:
        if isinstance(values[index], list):
            values[index] = tuple(values[index])
    key = tuple(values)
    try:
        hash(key)
    except TypeError:
        # NOTE: a list where a context usually holds a string.
        key = tuple(tuple(value) if isinstance(value, list) else value
                    for value in key)
    return key


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


def task_target(project_id, user_id=None):
    """The target every task rule is checked against.

    The project a task belongs to, under both names policy files written
    for the Image API use (``project_id`` and ``owner``), and the user who
    made it. A rule on one task gets the task's; a rule on the collection
    (list, create) and ``tasks_api_access`` get the caller's own, so that
    a rule such as ``project_id:%(owner)s`` reads the same on every route.
    """
    return {'project_id': project_id, 'owner': project_id,
            'user_id': user_id}


def authorize(rule, context, target=None):
    """Enforce ``rule`` for ``context`` against ``target``.

    :param rule: the policy name, e.g. ``tasks_api_access``.
    :param context: the caller's RequestContext.
    :param target: a dict describing the object acted on (see
        :func:`task_target`); by default the caller's own project and user.
    :raises: task_api.exception.Forbidden when the rule denies the call.
    """
    if not allows(rule, context, target):
        raise exception.Forbidden(action=rule)


def allows(rule, context, target=None):
    """Whether ``rule`` lets ``context`` act on ``target``; see authorize."""
    return get_enforcer().decide(
        rule, CALLERS_OWN if target is None else target, context)
