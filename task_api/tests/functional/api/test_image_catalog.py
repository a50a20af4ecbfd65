"""The catalog is asked for Glance's tables once, on PostgreSQL and MariaDB."""

from task_api.tests import fixtures
from task_api.tests.unit.api import base as api_base
from task_api.tests.unit.api import test_image_catalog


class TestImageCatalogPostgreSQL(test_image_catalog.ImageCatalogMixin,
                                 api_base.ApiTestCase):
    FIXTURE = fixtures.PostgreSQLDatabase


class TestImageCatalogMySQL(test_image_catalog.ImageCatalogMixin,
                            api_base.ApiTestCase):
    FIXTURE = fixtures.MySQLDatabase
