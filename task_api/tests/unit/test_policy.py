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
        self.assertTrue(enforcer.decide('tasks_api_access', {}, self.member))
        self.assertFalse(enforcer.decide('tasks_api_access', {}, reader))
        self.assertFalse(enforcer.decide('context_is_admin', {},
                                         self.member))
        self.set_policy({'get_task': 'project_id:%(project_id)s'})
        enforcer = policy.get_enforcer()
        self.assertTrue(enforcer.decide('get_task', {'project_id': 'p'},
                                        self.member))
        self.assertFalse(enforcer.decide('get_task', {'project_id': 'q'},
                                         self.member))
        other = context.RequestContext(
            user_id='u', project_id='q', roles=['member'], overwrite=False)
        self.assertTrue(enforcer.decide('get_task', {'project_id': 'q'},
                                        other))

    def test_remembered_decisions_are_bounded(self):
        enforcer = policy.get_enforcer()
        self.patch(policy.Enforcer, 'MAX_DECISIONS', 3)
        for number in range(10):
            caller = context.RequestContext(
                user_id='user-%d' % number, project_id='p',
                roles=['member'], overwrite=False)
            enforcer.decide('tasks_api_access', {}, caller)
            self.assertLessEqual(len(enforcer._reading.decisions), 3)

    def test_default_target_is_the_callers_own(self):
        self.set_policy({'get_tasks': 'project_id:%(owner)s and '
                                      'user_id:%(user_id)s'})
        for project, user in (('p', 'u'), ('q', 'v'), ('p', 'v')):
            caller = context.RequestContext(
                user_id=user, project_id=project, roles=['member'],
                overwrite=False)
            self.assertTrue(policy.allows('get_tasks', caller))
            self.assertEqual(
                (project, user) == ('p', 'u'),
                policy.allows('get_tasks', caller,
                              policy.task_target('p', 'u')))

    def test_unusual_credentials_are_decided(self):
        # NOTE: a context built by other code may hold a list where
        # oslo.context holds a string, or no list where it holds one.
        self.set_policy({'get_task': 'role:member'})
        enforcer = policy.get_enforcer()
        for user_id, roles in ((['u', 'v'], ['member']), ('u', None),
                               ('u', ('member',))):
            caller = context.RequestContext(
                user_id=user_id, project_id='p', roles=roles,
                overwrite=False)
            key = policy.credentials_key(caller)
            self.assertEqual(hash(key), hash(policy.credentials_key(caller)))
            self.assertEqual(
                roles is not None,
                enforcer.decide('get_task', {'project_id': 'p'}, caller))

    def test_credentials_key_holds_every_policy_value(self):
        caller = context.RequestContext(
            user_id='u', user_domain_id='ud', domain_id='d', project_id='p',
            project_domain_id='pd', roles=['member', 'reader'],
            system_scope='all', is_admin_project=False,
            service_user_id='su', service_user_domain_id='sud',
            service_project_id='sp', service_project_domain_id='spd',
            service_roles=['service'], overwrite=False)
        values = caller.to_policy_values()
        self.assertEqual(
            {name: tuple(value) if isinstance(value, list) else value
             for name, value in values.items()},
            dict(zip(values, policy.credentials_key(caller))))
