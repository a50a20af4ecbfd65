"""The URLs of new tasks through the whole paste pipeline."""

from task_api.tests.functional.api import base
from task_api.tests.unit.api import test_import_urls


class TestImportUrlsPipeline(test_import_urls.ImportUrlsMixin,
                             base.PipelineTestCase):
    pass
