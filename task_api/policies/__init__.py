"""In-code policy defaults of task_api."""

import itertools

from task_api.policies import base
from task_api.policies import images
from task_api.policies import tasks


def list_rules():
    """Return every registered default rule, for oslo.policy's tools."""
    return list(itertools.chain(base.list_rules(), tasks.list_rules(),
                                images.list_rules()))
