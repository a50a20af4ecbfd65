"""The claim loop of a worker takes the next task as soon as a thread frees.

A worker with one thread and a poll interval far longer than the test
must still run every pending task in turn: a task's end wakes the loop,
which claims the next one without waiting for the next poll.
"""

import os
import time

import fixtures

from task_api.db.sqlalchemy import api as sqla_api
from task_api.db.sqlalchemy import models
from task_api.tests import base
from task_api.tests.functional import test_worker
from task_api.tests.functional import worker_flows
from task_api.worker import loop


class TestClaimLoop(base.TestCase):

    TASKS = 3

    def setUp(self):
        super().setUp()
        path = os.path.join(self.useFixture(fixtures.TempDir()).path,
                            'task_api.sqlite')
        test_worker.use_sqlite_file(self, path)
        self.engine = sqla_api.get_engine()
        models.Base.metadata.create_all(self.engine)
        worker_flows.METADATA.create_all(self.engine)
        # NOTE: an hour between two polls: only a task's end can bring
        # the loop's next claim within the test.
        self.config(poll_interval=3600, group='worker')

    def wait_for(self, expected, seconds=60):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if test_worker.statuses(self.engine) == expected:
                return
            time.sleep(0.1)
        self.assertEqual(expected, test_worker.statuses(self.engine))

    def test_a_freed_thread_claims_the_next_task_at_once(self):
        task_ids = test_worker.create_tasks(self.engine, self.TASKS)
        claim_loop = loop.ClaimLoop(registry=worker_flows.registry(),
                                    threads=1)
        claim_loop.start()
        self.addCleanup(claim_loop.stop)

        self.wait_for({'success': self.TASKS})
        self.assertEqual({task_id: 1 for task_id in task_ids},
                         worker_flows.runs(self.engine))
        self.assertEqual(0, test_worker.claim_count(self.engine))

    def test_stop_does_not_wait_for_the_poll_interval(self):
        claim_loop = loop.ClaimLoop(registry=worker_flows.registry(),
                                    threads=1)
        claim_loop.start()
        started = time.monotonic()
        claim_loop.stop()
        # NOTE: an hour is the poll interval; a minute is generous on
        # any machine for a loop with nothing to do.
        self.assertLess(time.monotonic() - started, 60)
