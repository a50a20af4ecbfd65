"""The oslo.service Service of task-api-worker."""

from oslo_service import service

from task_api.worker import loop


class WorkerService(service.Service):
    """Runs a :class:`task_api.worker.loop.ClaimLoop` as an oslo.service.

    :param registry: a flows.FlowRegistry; the installed flows when None.
    """

    def __init__(self, registry=None):
        super().__init__()
        self.loop = loop.ClaimLoop(registry=registry)

    @property
    def worker(self):
        """The runner.Worker of the running loop."""
        return self.loop.worker

    def start(self):
        super().start()
        self.loop.start()

    def stop(self, graceful=False):
        self.loop.stop()
        super().stop(graceful)
