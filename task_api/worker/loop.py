"""The claim loop of a worker, apart from the service that hosts it.

task-api-worker runs it inside an oslo.service Service
(:mod:`task_api.worker.service`); ``task-api`` runs one inside its own
process when ``[api] run_worker`` is on (the local trial), without
importing oslo.service.
"""

import threading
import time

import futurist
from oslo_log import log

from task_api import conf as task_conf
from task_api import exception
from task_api.worker import runner

CONF = task_conf.CONF
LOG = log.getLogger(__name__)


class ClaimLoop:
    """Claims tasks while it has free threads and runs them in a pool.

    One loop thread claims (every ``[worker] poll_interval`` seconds while
    threads are free, and as soon as a task ends, so that a thread that
    frees up takes the next pending task at once) and renews the leases
    of the running tasks (every third of ``[worker] lease_seconds``).
    Stopping ends the claiming at once and waits for the running tasks to
    end, renewing their leases meanwhile.

    :param registry: a flows.FlowRegistry; the installed flows when None.
    :param threads: tasks run at once; ``[worker] threads`` when None.
    """

    def __init__(self, registry=None, threads=None):
        self._registry = registry
        self._threads = threads
        self.worker = None
        self._executor = None
        self._claiming = threading.Event()
        self._stopped = threading.Event()
        # NOTE: set when the loop should look again before its poll
        # interval is over: a task ended, or the loop is stopping.
        self._wake = threading.Event()
        self._loop = None

    @property
    def threads(self):
        return self._threads or CONF.worker.threads

    def start(self):
        # NOTE: built here, in the process that runs the loop (after a
        # launcher forked), so that the id names that process.
        self.worker = runner.Worker(registry=self._registry)
        self._executor = futurist.ThreadPoolExecutor(
            max_workers=self.threads)
        self._claiming.set()
        self._stopped.clear()
        self._loop = threading.Thread(target=self._run, daemon=True,
                                      name='task-api-worker-loop')
        self._loop.start()
        LOG.info('Worker %s started: %d threads, leases of %d seconds.',
                 self.worker.worker_id, self.threads,
                 self.worker.lease_seconds)

    def _run(self):
        renew_every = self.worker.lease_seconds / 3.0
        next_renewal = 0.0
        unavailable = False
        while not self._stopped.is_set():
            # NOTE: cleared before the look, so that a task ending while
            # the loop claims brings another look straight after.
            self._wake.clear()
            try:
                # NOTE: leases first: after a database outage, the running
                # tasks' leases are what may expire next.
                if time.monotonic() >= next_renewal:
                    if self.worker.held:
                        self.worker.renew()
                    # NOTE: only once renewed: a renewal that failed is
                    # tried again at the next poll, not a third of a lease
                    # later, so that an outage costs no lease it can spare.
                    next_renewal = time.monotonic() + renew_every
                if self._claiming.is_set():
                    self._claim()
                if unavailable:
                    LOG.info('The database is available again.')
                    unavailable = False
            except exception.DatabaseUnavailable:
                if not unavailable:
                    LOG.error('The database is unavailable; the running '
                              'tasks go on, and their leases are renewed '
                              'once it is back.')
                    unavailable = True
            except Exception:
                LOG.exception('The worker loop failed; trying again.')
            self._wake.wait(CONF.worker.poll_interval)

    def _claim(self):
        free = self.threads - len(self.worker.held)
        if free <= 0:
            return
        for claim in self.worker.claim(free):
            future = self._executor.submit(self.worker.execute, claim)
            future.add_done_callback(lambda _: self._wake.set())

    def stop(self):
        """Stop claiming; return once the running tasks have ended."""
        self._claiming.clear()
        if self._executor is not None:
            self._executor.shutdown(wait=True)
        self._stopped.set()
        self._wake.set()
        if self._loop is not None:
            self._loop.join()
        LOG.info('Worker stopped.')
