"""lifecycle.cancel when a worker starts the task at the same moment."""

from task_api import exception
from task_api import lifecycle
from task_api.tests import base

TASK_ID = base.get_test_task()['id']


class StartsOnRead:
    """The DB API, with a worker starting the task after the Nth read."""

    def __init__(self, dbapi, context, reads):
        self._dbapi = dbapi
        self._context = context
        self._reads = reads

    def __getattr__(self, name):
        return getattr(self._dbapi, name)

    def task_get(self, context, task_id):
        task = self._dbapi.task_get(context, task_id)
        self._reads -= 1
        if self._reads == 0:
            lifecycle.begin_processing(self._dbapi, self._context, task_id)
        return task


class TestCancelRace(base.DbTestCase):

    def setUp(self):
        super().setUp()
        base.create_test_task(id=TASK_ID)

    def assertCancelRequested(self, reads):
        dbapi = StartsOnRead(self.dbapi, self.admin_context, reads)

        task = lifecycle.cancel(dbapi, self.admin_context, TASK_ID, 'stop')

        self.assertEqual('processing', task['status'])
        stored = self.dbapi.task_get(self.admin_context, TASK_ID)
        self.assertEqual(('processing', ''),
                         (stored['status'], stored['message']))
        self.assertEqual('stop', self.dbapi.task_cancel_message(
            self.admin_context, TASK_ID))
        self.assertRaises(exception.TaskCancelled, lifecycle.check_cancel,
                          self.dbapi, self.admin_context, TASK_ID)

    def test_worker_starts_after_the_first_read(self):
        # The move then reads processing: it must not end a running task
        # without its worker reverting it.
        self.assertCancelRequested(1)

    def test_worker_starts_between_the_moves_read_and_write(self):
        self.assertCancelRequested(2)

    def test_pending_task_ends_and_loses_its_claim(self):
        task = lifecycle.cancel(self.dbapi, self.admin_context, TASK_ID,
                                'stop')

        self.assertEqual(('failure', 'stop'),
                         (task['status'], task['message']))
        self.assertIsNotNone(task['expires_at'])
        self.assertIsNone(self.dbapi.task_cancel_message(
            self.admin_context, TASK_ID))
        self.assertFalse(self.dbapi.task_claim_delete(self.admin_context,
                                                      TASK_ID))

    def test_ended_task_is_not_cancellable(self):
        lifecycle.cancel(self.dbapi, self.admin_context, TASK_ID, 'stop')

        error = self.assertRaises(exception.TaskNotCancellable,
                                  lifecycle.cancel, self.dbapi,
                                  self.admin_context, TASK_ID, 'again')
        self.assertEqual('Task %s is failure and cannot be cancelled: it '
                         'has already ended.' % TASK_ID, str(error))
