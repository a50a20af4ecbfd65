"""Tests of task_api's policy enforcer."""

import os

from task_api import context
from task_api import exception
from task_api import policy
from task_api.tests import base


class TestEnforcer(base.TestCase):

    def setUp(self):
        super().setUp()
        self.set_policy({'tasks_api_access': 'role:member'})
        self.path = base.CONF.oslo_policy.policy_file
        self.member = context.RequestContext(
            user_id='u', project_id='p', roles=['member'], overwrite=False)

    def rewrite(self, check):
        with open(self.path, 'w') as stream:
            stream.write('"tasks_api_access": "%s"\n' % check)
        # A new modification time, whatever the file system's resolution.
        stat = os.stat(self.path)
        os.utime(self.path, (stat.st_atime + 10, stat.st_mtime + 10))

    def test_decisions_follow_the_policy_file_within_a_second(self):
        now = [1000.0]
        self.patch(policy.time, 'monotonic', lambda: now[0])
        policy.authorize('tasks_api_access', self.member)
        self.rewrite('role:admin')
        # Remembered until the enforcer looks at the file again.
        policy.authorize('tasks_api_access', self.member)
        now[0] += policy.Enforcer.RELOAD_INTERVAL
        self.assertRaises(exception.Forbidden, policy.authorize,
                          'tasks_api_access', self.member)

    def test_decisions_depend_on_the_whole_question(self):
        enforcer = policy.get_enforcer()
        reader = context.RequestContext(
            user_id='u', project_id='p', roles=['reader'], overwrite=False)
        self.assertTrue(enforcer.decide('tasks_api_access', {},
                                        self.member.to_policy_values()))
        self.assertFalse(enforcer.decide('tasks_api_access', {},
                                         reader.to_policy_values()))
        self.assertFalse(enforcer.decide('context_is_admin', {},
                                         self.member.to_policy_values()))

    def test_remembered_decisions_are_bounded(self):
        enforcer = policy.get_enforcer()
        self.patch(policy.Enforcer, 'MAX_DECISIONS', 3)
        for number in range(10):
            creds = dict(self.member.to_policy_values(),
                         user_id='user-%d' % number)
            enforcer.decide('tasks_api_access', {}, creds)
            self.assertLessEqual(len(enforcer._decisions), 3)
