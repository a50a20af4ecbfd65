"""The image rule that governs the tasks of an image, as Glance names it."""

from oslo_policy import policy

GET_IMAGE = 'get_image'

# NOTE: Glance's default for get_image (Glance 33, enforce_new_defaults):
# an administrator, or a reader of the image's project, of a project the
# image is shared with, or of any project when the image is public, shared
# or community. task_api keeps no images: the target of its check is the
# owner of each task, so the clauses about members and visibility, whose
# target keys task_api never sets, never match; they are kept so that a
# policy file written for Glance reads the same here.
_PROJECT_READER_OR_IMAGE_VISIBLE = (
    "role:reader and (project_id:%(project_id)s or "
    "project_id:%(member_id)s or 'community':%(visibility)s or "
    "'public':%(visibility)s or 'shared':%(visibility)s)")

rules = [
    policy.DocumentedRuleDefault(
        name=GET_IMAGE,
        check_str='rule:context_is_admin or (%s)'
                  % _PROJECT_READER_OR_IMAGE_VISIBLE,
        scope_types=['project'],
        description='See the tasks of an image. Checked with the caller\'s '
                    'own project as project_id and owner before any task '
                    'is read (denied: 404, as for an image the caller may '
                    'not see), then with each task\'s owner: tasks whose '
                    'owner fails the check are left out of the answer. '
                    'tasks_api_access does not apply to this call.',
        operations=[{'path': '/v2/images/{image_id}/tasks',
                     'method': 'GET'}]),
]


def list_rules():
    return rules
