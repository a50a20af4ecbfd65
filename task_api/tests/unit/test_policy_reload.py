"""The policy file changing under checks made by many threads at once."""

import os
import sys
import threading

import fixtures
import webtest

from task_api import context
from task_api import exception
from task_api import policy
from task_api.tests import base
from task_api.tests.unit.api import base as api_base

THREADS = 4
REWRITES = 100


def switch_often(test):
    """Let threads take turns every 0.1 ms, for more races in less time."""
    test.addCleanup(sys.setswitchinterval, sys.getswitchinterval())
    sys.setswitchinterval(0.0001)


class Checkers:
    """Threads asking the enforcer ``ask()`` until stopped; errors kept."""

    def __init__(self, ask, count=THREADS):
        self.ask = ask
        self.errors = []
        self.answers = 0
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run)
                         for _ in range(count)]

    def _run(self):
        while not self._stop.is_set():
            try:
                self.ask()
            except Exception as error:
                self.errors.append(error)
            self.answers += 1

    def __enter__(self):
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc_info):
        self._stop.set()
        for thread in self._threads:
            thread.join()


def member(project='p'):
    return context.RequestContext(user_id='u', project_id=project,
                                  roles=['member'], overwrite=False)


class TestReloadUnderLoad(base.TestCase):

    def setUp(self):
        super().setUp()
        self.set_policy({'tasks_api_access': 'role:member'})
        self.path = base.CONF.oslo_policy.policy_file
        # NOTE: every check looks at the file, as many as possible race
        # with the reloads.
        self.patch(policy.Enforcer, 'RELOAD_INTERVAL', 0)
        switch_often(self)

    def write(self, check, pause=False):
        """Rewrite the file in place, in two writes when ``pause``."""
        text = ('"tasks_api_access": "%s"\n"modify_task": "%s"\n'
                % (check, check)).encode()
        with open(self.path, 'r+b') as stream:
            stream.truncate(0)
            if pause:
                # NOTE: cut inside a quoted string: not YAML until the end
                # is written.
                stream.write(text[:10])
                stream.flush()
                os.sched_yield()
            stream.write(text[10:] if pause else text)

    def test_a_change_is_in_force_for_the_next_check_after_the_reload(self):
        # NOTE: only the reloads below, so that every check between two of
        # them asks the same question, and the first answer is remembered.
        self.patch(policy.Enforcer, 'RELOAD_INTERVAL', 3600)
        enforcer = policy.get_enforcer()
        caller = member()
        target = {'project_id': 'p', 'owner': 'p', 'user_id': 'u'}
        stale = []

        def ask():
            enforcer.decide('tasks_api_access', target, caller)

        with Checkers(ask) as checkers:
            for number in range(REWRITES):
                allowed = number % 2 == 0
                self.write('role:member' if allowed else 'role:admin')
                enforcer.load_rules(force_reload=True)
                if enforcer.decide('tasks_api_access', target,
                                   caller) != allowed:
                    stale.append(number)
        self.assertEqual([], checkers.errors)
        self.assertEqual([], stale)
        self.assertGreater(checkers.answers, REWRITES)

    def test_a_file_rewritten_in_place_never_fails_a_check(self):
        caller = member()

        def ask():
            try:
                policy.authorize('tasks_api_access', caller)
            except exception.Forbidden:
                pass

        with Checkers(ask) as checkers:
            for number in range(REWRITES):
                self.write('role:member' if number % 2 else 'role:admin',
                           pause=True)
        self.assertEqual([], checkers.errors)
        # The last rules written are in force once read.
        policy.get_enforcer().refresh()
        policy.authorize('tasks_api_access', caller)


class TestReloadUnderRequests(api_base.ApiTestCase):
    """Requests while the policy file is rewritten: never a 500."""

    def test_requests_during_rewrites_are_403_or_405(self):
        self.set_policy({'tasks_api_access': 'role:member'})
        path = base.CONF.oslo_policy.policy_file
        self.patch(policy.Enforcer, 'RELOAD_INTERVAL', 0)
        switch_often(self)
        app = webtest.TestApp(api_base.noauth_app(),
                              extra_environ=self.environ)
        statuses = set()

        def ask():
            # NOTE: DELETE checks two rules and reads no database.
            response = app.delete('/tasks/x', headers=api_base.member_of(
                'p'), expect_errors=True)
            statuses.add(response.status_int)

        text = b'"tasks_api_access": "role:member"\n"modify_task": "@"\n'
        with Checkers(ask, count=4) as checkers:
            for number in range(REWRITES):
                with open(path, 'r+b') as stream:
                    stream.truncate(0)
                    stream.write(text[:12])
                    stream.flush()
                    os.sched_yield()
                    stream.write(text[12:])
        self.assertEqual([], checkers.errors)
        self.assertLessEqual(statuses, {403, 405})
        self.assertIn(405, statuses)


class _Gate(policy.policy.Check):
    """A check that waits for the test while the test holds the gate.

    Registered with oslo.policy's public ``register``, it stops a check
    half way, at a point the test chooses, and always passes.
    """

    closed = False
    entered = threading.Event()
    opened = threading.Event()

    def __call__(self, target, creds, enforcer, current_rule=None):
        if _Gate.closed:
            _Gate.entered.set()
            _Gate.opened.wait(30)
        return True


policy.policy.register('gate', _Gate)


class TestReloadInterleavings(base.TestCase):
    """The moments a reload can fall at, made to happen."""

    def setUp(self):
        super().setUp()
        self.set_policy({'tasks_api_access': 'gate:x and role:member'})
        self.path = base.CONF.oslo_policy.policy_file
        self.addCleanup(setattr, _Gate, 'closed', False)
        _Gate.entered.clear()
        _Gate.opened.clear()

    def test_a_decision_made_across_a_reload_is_not_served_after_it(self):
        enforcer = policy.get_enforcer()
        caller = member()
        target = {'project_id': 'p', 'owner': 'p', 'user_id': 'u'}
        self.assertTrue(enforcer.decide('context_is_admin', None,
                                        context.RequestContext(
                                            roles=['admin'],
                                            overwrite=False)))
        _Gate.closed = True
        answers = []
        checker = threading.Thread(target=lambda: answers.append(
            enforcer.decide('tasks_api_access', target, caller)))
        checker.start()
        # The checker has begun with the old rules; the file changes and
        # the rules are reloaded before it answers.
        self.assertTrue(_Gate.entered.wait(30))
        with open(self.path, 'w') as stream:
            stream.write('"tasks_api_access": "role:admin"\n')
        enforcer.load_rules(force_reload=True)
        _Gate.opened.set()
        checker.join()
        self.assertEqual([True], answers)
        # The next check is made with the new rules.
        self.assertFalse(enforcer.decide('tasks_api_access', target, caller))

    def test_a_change_within_the_same_modification_time_is_seen(self):
        # NOTE: file systems keep coarse modification times; a rewrite
        # within the same tick (or a copy that keeps the time) leaves the
        # time as it was.
        now = [1000.0]
        self.patch(policy.time, 'monotonic', lambda: now[0])
        self.set_policy({'tasks_api_access': 'role:member'})
        path = base.CONF.oslo_policy.policy_file
        caller = member()
        policy.authorize('tasks_api_access', caller)
        stat = os.stat(path)
        with open(path, 'w') as stream:
            stream.write('"tasks_api_access": "role:reader"\n')
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        now[0] += policy.Enforcer.RELOAD_INTERVAL
        self.assertRaises(exception.Forbidden, policy.authorize,
                          'tasks_api_access', caller)


class TestUnreadableFiles(base.TestCase):
    """A policy file that cannot be parsed."""

    def setUp(self):
        super().setUp()
        self.now = [1000.0]
        self.patch(policy.time, 'monotonic', lambda: self.now[0])
        self.logger = self.useFixture(fixtures.FakeLogger(name='task_api'))

    def later(self):
        self.now[0] += policy.Enforcer.RELOAD_INTERVAL

    def write(self, text):
        with open(base.CONF.oslo_policy.policy_file, 'w') as stream:
            stream.write(text)

    def test_the_last_good_rules_stay_in_force(self):
        self.set_policy({'tasks_api_access': 'role:member'})
        policy.authorize('tasks_api_access', member())
        self.write('"tasks_api_access": "role:admin\n')
        for _ in range(3):
            self.later()
            policy.authorize('tasks_api_access', member())
        self.assertEqual(1, self.logger.output.count(
            'keeping the rules loaded before'))
        self.write('"tasks_api_access": "role:admin"\n')
        self.later()
        self.assertRaises(exception.Forbidden, policy.authorize,
                          'tasks_api_access', member())

    def test_without_any_good_rules_everything_is_refused(self):
        self.set_policy({'tasks_api_access': 'role:member'})
        self.write('"tasks_api_access": [\n')
        admin = context.RequestContext(roles=['admin'], overwrite=False)
        for _ in range(3):
            self.assertFalse(policy.check_is_admin(admin))
            self.assertRaises(exception.Forbidden, policy.authorize,
                              'tasks_api_access', member())
            self.later()
        self.assertEqual(1, self.logger.output.count(
            'every call is refused until they load'))
        self.write('"tasks_api_access": "role:member"\n')
        self.later()
        policy.authorize('tasks_api_access', member())
        self.assertTrue(policy.check_is_admin(admin))
