"""How often a worker reads whether its running task was cancelled.

runner.CancelCheck is called at every step boundary of a task's flow; it
reads the task's cancel request from the database at most once per
``[worker] cancel_check_interval``. The task here is cancelled before
the first call, so every read raises: a call that does not raise made
no read.
"""

from task_api import exception
from task_api import lifecycle
from task_api.tests import base
from task_api.worker import runner

TASK_ID = base.get_test_task()['id']
MESSAGE = 'Cancelled by user u of project p'


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


class TestCancelCheck(base.DbTestCase):

    def setUp(self):
        super().setUp()
        base.create_test_task(id=TASK_ID)
        lifecycle.begin_processing(self.dbapi, self.admin_context, TASK_ID)
        self.clock = Clock()

    def check(self, interval=1.0, now=False):
        return runner.CancelCheck(self.dbapi, self.admin_context, TASK_ID,
                                  interval, now=now, clock=self.clock)

    def cancel(self):
        lifecycle.cancel(self.dbapi, self.admin_context, TASK_ID, MESSAGE)

    def assertCancelled(self, check):
        error = self.assertRaises(exception.TaskCancelled, check)
        self.assertEqual(MESSAGE, str(error))

    def test_first_read_comes_one_interval_after_the_task_began(self):
        check = self.check()
        self.cancel()

        self.clock.now += 0.999
        check()
        self.clock.now += 0.001
        self.assertCancelled(check)

    def test_reads_at_most_once_per_interval(self):
        check = self.check()
        self.clock.now += 1.0
        check()
        self.cancel()

        self.clock.now += 0.5
        check()
        self.clock.now += 0.5
        self.assertCancelled(check)

    def test_taken_over_task_is_read_at_the_first_call(self):
        check = self.check(now=True)
        self.cancel()

        self.assertCancelled(check)

    def test_interval_zero_reads_at_every_call(self):
        check = self.check(interval=0)
        check()
        self.cancel()

        self.assertCancelled(check)

    def test_task_not_cancelled_goes_on(self):
        check = self.check(interval=0)

        check()

        self.assertEqual('processing', self.dbapi.task_get(
            self.admin_context, TASK_ID)['status'])
