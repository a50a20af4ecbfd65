"""noauth mode's peers and origins through the whole paste pipeline."""

from task_api.tests.functional.api import base as pipeline_base
from task_api.tests.unit.api import test_noauth


class TestNoAuthPeers(test_noauth.NoAuthPeersMixin,
                      pipeline_base.PipelineTestCase):
    """Behind the CORS filter and the rest of the noauth pipeline."""
