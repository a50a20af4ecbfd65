"""Policy rules of the tasks API, with Glance's names and defaults."""

from oslo_policy import policy

TASKS_API_ACCESS = 'tasks_api_access'
GET_TASK = 'get_task'
GET_TASKS = 'get_tasks'
ADD_TASK = 'add_task'
MODIFY_TASK = 'modify_task'

rules = [
    policy.DocumentedRuleDefault(
        name=TASKS_API_ACCESS,
        check_str='rule:context_is_admin',
        scope_types=['project'],
        description='Use the tasks API at all. Checked first on every '
                    'tasks call, before the request is validated.',
        operations=[
            {'path': '/v2/tasks', 'method': 'GET'},
            {'path': '/v2/tasks', 'method': 'POST'},
            {'path': '/v2/tasks/{task_id}', 'method': 'GET'},
            {'path': '/v2/tasks/{task_id}', 'method': 'DELETE'},
            {'path': '/v2/tasks/{task_id}/actions/cancel',
             'method': 'POST'},
        ]),
    policy.DocumentedRuleDefault(
        name=GET_TASK,
        check_str='rule:default',
        scope_types=['project'],
        description='Show a task. The target is the task\'s: its project '
                    'as project_id and owner, its user as user_id (the '
                    'other task rules get the caller\'s own).',
        operations=[{'path': '/v2/tasks/{task_id}', 'method': 'GET'}]),
    policy.DocumentedRuleDefault(
        name=GET_TASKS,
        check_str='rule:default',
        scope_types=['project'],
        description='List tasks.',
        operations=[{'path': '/v2/tasks', 'method': 'GET'}]),
    policy.DocumentedRuleDefault(
        name=ADD_TASK,
        check_str='rule:default',
        scope_types=['project'],
        description='Create a task.',
        operations=[{'path': '/v2/tasks', 'method': 'POST'}]),
    policy.DocumentedRuleDefault(
        name=MODIFY_TASK,
        check_str='rule:default',
        scope_types=['project'],
        description='Change or delete a task: cancel a pending or '
                    'processing task. Tasks cannot be deleted through '
                    'the API; the rule keeps Glance\'s name, so that '
                    'policy files written for Glance load unchanged and '
                    'who may change a task there may cancel it here.',
        operations=[{'path': '/v2/tasks/{task_id}', 'method': 'DELETE'},
                    {'path': '/v2/tasks/{task_id}/actions/cancel',
                     'method': 'POST'}]),
]


def list_rules():
    return rules
