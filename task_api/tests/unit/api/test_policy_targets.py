"""Every task rule is checked against one target shape.

The target names the project a task belongs to as both ``project_id`` and
``owner`` (as policy files written for the Image API name it), and its
user as ``user_id``: the task's own for a rule on one task, the caller's
for a rule on the collection. A rule written once, such as
``project_id:%(owner)s``, then reads the same on every route.
"""

from task_api.policies import tasks as task_policies
from task_api.tests import base
from task_api.tests.unit.api import base as api_base
from task_api.tests.unit.api import test_routes_policy

OWNER = test_routes_policy.OWNER
OTHER = test_routes_policy.OTHER
MINE = '11111111-1111-4111-8111-111111111111'
THEIRS = '22222222-2222-4222-8222-222222222222'
CALLER = api_base.member_of(OWNER)
TASK_RULES = (task_policies.TASKS_API_ACCESS, task_policies.GET_TASK,
              task_policies.GET_TASKS, task_policies.ADD_TASK,
              task_policies.MODIFY_TASK)


class TestTaskRuleTargets(api_base.ApiTestCase):

    def setUp(self):
        super().setUp()
        base.create_test_task(id=MINE, owner=OWNER,
                              user_id=CALLER['X-User-Id'])
        base.create_test_task(id=THEIRS, owner=OTHER, user_id='someone')

    def set_rules(self, check, **others):
        rules = {rule: check for rule in TASK_RULES}
        rules.update(others)
        self.set_policy(rules)

    def call(self, method, path, headers=CALLER, **kw):
        return self.app.request('/tasks' + path, method=method,
                                headers=headers, expect_errors=True, **kw)

    def statuses(self, headers=CALLER):
        return [
            self.call('GET', '', headers).status_int,
            self.call('POST', '', headers,
                      body=b'{"type": "location_import", "input": {}}'
                      ).status_int,
            self.call('GET', '/' + MINE, headers).status_int,
            self.call('GET', '/' + THEIRS, headers).status_int,
            self.call('DELETE', '/' + MINE, headers).status_int,
        ]

    def test_project_of_the_owner_on_every_route(self):
        self.set_rules('project_id:%(owner)s')
        # list, create, show mine, show another project's, delete.
        self.assertEqual([200, 201, 200, 404, 405], self.statuses())
        shown = self.call('GET', '/' + MINE).json
        self.assertEqual((MINE, OWNER), (shown['id'], shown['owner']))

    def test_owner_is_the_tasks_for_an_administrator_too(self):
        # An administrator of another project passes the rules on the
        # collection (its own project) but not get_task on a task of
        # OWNER's: 404, as for a task it may not see.
        self.set_rules('project_id:%(owner)s')
        self.assertEqual(404, self.call('GET', '/' + MINE,
                                        api_base.ADMIN).status_int)
        self.assertEqual(200, self.call('GET', '', api_base.ADMIN).status_int)

    def test_project_id_and_owner_are_the_same(self):
        self.set_rules('project_id:%(project_id)s and '
                       'project_id:%(owner)s')
        self.assertEqual([200, 201, 200, 404, 405], self.statuses())

    def test_user_of_the_task(self):
        self.set_rules('project_id:%(owner)s',
                       get_task='project_id:%(owner)s and '
                                'user_id:%(user_id)s')
        self.assertEqual(200, self.call('GET', '/' + MINE).status_int)
        colleague = api_base.member_of(OWNER)
        colleague['X-User-Id'] = 'colleague'
        # The task's project learns the task exists: 403, not 404.
        self.assertEqual(403, self.call('GET', '/' + MINE,
                                        colleague).status_int)
