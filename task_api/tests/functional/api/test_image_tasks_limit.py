"""The bound of the image tasks call, through the pipeline, per backend."""

from task_api.tests.functional.api import base
from task_api.tests.unit.api import test_image_tasks_limit


class TestImageTasksLimitSQLite(test_image_tasks_limit.ImageTasksLimitMixin,
                                base.PipelineTestCase):
    """SQLite."""


class TestImageTasksLimitMySQL(test_image_tasks_limit.ImageTasksLimitMixin,
                               base.MySQLPipelineTestCase):
    """MariaDB."""


class TestImageTasksLimitPostgreSQL(
        test_image_tasks_limit.ImageTasksLimitMixin,
        base.PostgreSQLPipelineTestCase):
    """PostgreSQL."""
