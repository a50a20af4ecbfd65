"""Base rules that task rules refer to, named as Glance names them."""

from oslo_policy import policy

rules = [
    policy.RuleDefault(
        name='context_is_admin', check_str='role:admin',
        description='Who is an administrator: sees and acts on the tasks '
                    'of every project, soft-deleted ones included.'),
    policy.RuleDefault(
        name='default', check_str='',
        description='Rule applied to actions that name it; allows every '
                    'authenticated caller by default.'),
]


def list_rules():
    return rules
