"""The API through the whole paste pipeline, on every database backend."""

from task_api.tests.functional.api import base
from task_api.tests.unit.api import test_create
from task_api.tests.unit.api import test_image_tasks
from task_api.tests.unit.api import test_list
from task_api.tests.unit.api import test_tasks


class TestShowTaskSQLite(test_tasks.ShowTaskMixin, base.PipelineTestCase):
    """SQLite, the embedded default."""


class TestShowTaskMySQL(test_tasks.ShowTaskMixin,
                        base.MySQLPipelineTestCase):
    """MariaDB or MySQL."""


class TestShowTaskPostgreSQL(test_tasks.ShowTaskMixin,
                             base.PostgreSQLPipelineTestCase):
    """PostgreSQL."""


class TestErrorsSQLite(test_tasks.TaskErrorsMixin, base.PipelineTestCase):
    """The error responses, with the request id the pipeline adds."""

    def get(self, path, headers=None, status=None):
        response = super().get(path, headers=headers, status=status)
        self.assertRegex(response.headers['x-openstack-request-id'],
                         r'^req-[0-9a-f-]{36}$')
        return response


class TestErrorsPostgreSQL(test_tasks.TaskErrorsMixin,
                           base.PostgreSQLPipelineTestCase):
    """The error responses on PostgreSQL (NUL bytes, long ids)."""


class TestErrorsMySQL(test_tasks.TaskErrorsMixin,
                      base.MySQLPipelineTestCase):
    """The error responses on MariaDB."""


class TestListTasksSQLite(test_list.ListTasksMixin, base.PipelineTestCase):
    """List through the pipeline on SQLite."""


class TestListTasksMySQL(test_list.ListTasksMixin,
                         base.MySQLPipelineTestCase):
    """List on MariaDB: NULL order, ties and markers as on the others."""


class TestListTasksPostgreSQL(test_list.ListTasksMixin,
                              base.PostgreSQLPipelineTestCase):
    """List on PostgreSQL, whose NULLs sort the other way by default."""


class TestCreateTaskSQLite(test_create.CreateTaskMixin, base.PipelineTestCase):
    """Create through the pipeline on SQLite."""


class TestCreateTaskMySQL(test_create.CreateTaskMixin,
                          base.MySQLPipelineTestCase):
    """Create on MariaDB: non-ASCII input kept."""


class TestCreateTaskPostgreSQL(test_create.CreateTaskMixin,
                               base.PostgreSQLPipelineTestCase):
    """Create on PostgreSQL."""


class TestImageTasksSQLite(test_image_tasks.ImageTasksMixin,
                           base.PipelineTestCase):
    """Image tasks through the pipeline on SQLite."""


class TestImageTasksMySQL(test_image_tasks.ImageTasksMixin,
                          base.MySQLPipelineTestCase):
    """Image tasks on MariaDB."""


class TestImageTasksPostgreSQL(test_image_tasks.ImageTasksMixin,
                               base.PostgreSQLPipelineTestCase):
    """Image tasks on PostgreSQL."""
