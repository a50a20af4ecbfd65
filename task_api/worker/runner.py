"""Claiming and running tasks: what one worker does.

A worker claims the tasks task_api created through the DB API
(:meth:`task_api.db.api.Connection.task_claim`), which gives each to
exactly one worker among any number sharing the database; it moves each
through :mod:`task_api.lifecycle` and runs its flow.
"""

import os
import socket
import threading
import time

from oslo_log import log

from task_api.common import service
from task_api import conf as task_conf
from task_api import context as task_context
from task_api.db import api as db_api
from task_api import exception
from task_api import lifecycle
from task_api.worker import flows

CONF = task_conf.CONF
LOG = log.getLogger(__name__)

NO_FLOW = "No flow is installed for tasks of type '%s'"
NOT_LOADED = ("The flow installed for tasks of type '%s' could not be "
              "loaded (%s); the worker's log says more")
LOST = 'the worker running this task was lost'
#: Seconds between the first two tries of writing a task's end while the
#: database is unavailable; doubled after each, up to FINAL_WRITE_MAX.
FINAL_WRITE_INTERVAL = 0.5
FINAL_WRITE_MAX = 5.0


class CancelCheck:
    """Raises TaskCancelled at a step boundary once a cancel is read.

    Reads whether the task was cancelled (:func:`lifecycle.check_cancel`)
    at most once per ``interval`` seconds, counted from when the task
    began (or from the first call, when ``now`` says so) and from each
    read: a short task costs no query, a long one a query per interval.

    :param now: read at the first call, whatever the interval: a task
        taken over from a lost worker may have been cancelled meanwhile.
    :param clock: monotonic seconds; ``time.monotonic`` when None.
    """

    def __init__(self, dbapi, context, task_id, interval, now=False,
                 clock=None):
        self.dbapi = dbapi
        self.context = context
        self.task_id = task_id
        self.interval = interval
        self._clock = clock or time.monotonic
        self._next = float('-inf') if now else self._clock() + interval

    def __call__(self):
        if self._clock() < self._next:
            return
        lifecycle.check_cancel(self.dbapi, self.context, self.task_id)
        self._next = self._clock() + self.interval


def default_worker_id():
    """``[worker] worker_id``, or this host's name and process id."""
    return CONF.worker.worker_id or '%s:%d' % (
        socket.gethostname(), os.getpid())


class Worker:
    """Claims tasks and runs them; safe to use from several threads.

    :param worker_id: the name recorded on claims; default_worker_id().
    :param registry: a flows.FlowRegistry; the installed flows when None.
    :param dbapi: the DB API; the configured one when None.
    :param lease_seconds: ``[worker] lease_seconds`` when None.
    """

    def __init__(self, worker_id=None, registry=None, dbapi=None,
                 lease_seconds=None):
        self.worker_id = worker_id or default_worker_id()
        self.registry = registry or flows.FlowRegistry()
        self.dbapi = dbapi or db_api.get_instance()
        self.lease_seconds = lease_seconds or CONF.worker.lease_seconds
        self.context = task_context.get_admin_context()
        self._lock = threading.Lock()
        self._held = set()

    @property
    def held(self):
        """The ids of the tasks this worker holds claims on."""
        with self._lock:
            return set(self._held)

    def claim(self, limit):
        """Claim up to ``limit`` tasks; return the claims."""
        claims = self.dbapi.task_claim(self.context, self.worker_id, limit,
                                       self.lease_seconds)
        with self._lock:
            self._held.update(claim['task_id'] for claim in claims)
        return claims

    def renew(self):
        """Extend the leases of the tasks this worker runs.

        :returns: the ids of the tasks it no longer holds.
        """
        held = self.held
        renewed = self.dbapi.task_claim_renew(
            self.context, self.worker_id, held, self.lease_seconds)
        lost = held - renewed
        for task_id in lost:
            LOG.warning('Task %s is no longer held by this worker; its '
                        'lease expired before it was renewed.', task_id)
        return lost

    def run_once(self, limit=1):
        """Claim up to ``limit`` tasks and run them here, one by one.

        :returns: the number of tasks claimed.
        """
        claims = self.claim(limit)
        for claim in claims:
            self.execute(claim)
        return len(claims)

    def execute(self, claim):
        """Run one claimed task to its end, then release the claim."""
        task_id = claim['task_id']
        done = True
        try:
            done = self._execute(claim)
        except exception.DatabaseUnavailable:
            # NOTE: the claim stays; its lease expires and the task is
            # taken over as a lost worker's.
            LOG.error('Task %s: the database became unavailable; the task '
                      'is left to the next worker that claims it.', task_id)
            done = None
        finally:
            with self._lock:
                self._held.discard(task_id)
        if done is not None:
            try:
                self.dbapi.task_claim_release(self.context, self.worker_id,
                                              task_id, done=done)
            except exception.DatabaseUnavailable:
                LOG.error('Task %s: its claim could not be released; it '
                          'expires with its lease.', task_id)

    def _fail(self, task_id, message):
        LOG.info('Task %s failed: %s', task_id, message)
        self._end(lifecycle.fail, task_id, message)

    def _end(self, move, task_id, *args):
        """``move`` the task to its end, waiting out a database outage.

        Tried again while the database is unavailable, for up to a lease:
        past it, the task may be another worker's, which takes it over as
        a lost worker's.
        """
        deadline = time.monotonic() + self.lease_seconds
        delay = FINAL_WRITE_INTERVAL
        while True:
            try:
                return move(self.dbapi, self.context, task_id, *args)
            except exception.DatabaseUnavailable:
                if time.monotonic() + delay > deadline:
                    raise
                LOG.warning('Task %s: its end could not be written, the '
                            'database is unavailable; trying again in %.1f '
                            'seconds.', task_id, delay)
                time.sleep(delay)
                delay = min(delay * 2, FINAL_WRITE_MAX)

    def _clean_up_lost(self, factory, task):
        """What the lost worker of ``task`` left goes; errors are logged."""
        try:
            factory.clean_up_lost(task)
        except Exception:
            LOG.exception('Task %s: what its lost worker left could not be '
                          'removed.', task['id'])

    def _execute(self, claim):
        """Run the task; return whether its claim is done with."""
        task_id = claim['task_id']
        try:
            task = self.dbapi.task_get(self.context, task_id)
        except exception.TaskNotFound:
            return True
        status = task['status']
        if task['deleted'] or status not in (lifecycle.PENDING,
                                             lifecycle.PROCESSING):
            return True
        try:
            factory = self.registry.get(task['type'])
            if factory is None:
                reason = self.registry.load_error(task['type'])
                self._fail(task_id, NOT_LOADED % (task['type'], reason)
                           if reason else NO_FLOW % task['type'])
                return True
            if status == lifecycle.PROCESSING:
                if not factory.repeatable:
                    # NOTE: failed first: of this worker and one still
                    # finishing the task (its lease expired during a
                    # database outage), only the one that moves it cleans.
                    self._fail(task_id, LOST)
                    self._clean_up_lost(factory, task)
                    return True
                LOG.info('Task %s: its worker was lost; running it again '
                         '(claim %d).', task_id, claim['attempts'])
                self._clean_up_lost(factory, task)
            else:
                task = lifecycle.begin_processing(self.dbapi, self.context,
                                                  task_id)
            check = CancelCheck(
                self.dbapi, self.context, task_id,
                CONF.worker.cancel_check_interval,
                now=status == lifecycle.PROCESSING)
            try:
                # NOTE: before the first step there is nothing to revert.
                check()
                result = flows.run_flow(factory, task, check=check)
            except exception.DatabaseUnavailable:
                raise
            except exception.TaskCancelled as error:
                LOG.info('Task %s: cancelled; its flow reverted.', task_id)
                self._fail(task_id, service.one_line(error))
                return True
            except Exception as error:
                LOG.exception('Task %s: its flow failed.', task_id)
                self._fail(task_id, service.one_line(error))
                return True
            self._end(lifecycle.succeed, task_id, result or {})
            return True
        except (exception.TaskStatusConflict,
                exception.InvalidTaskStatusTransition) as error:
            # NOTE: something else moved the task meanwhile (another
            # worker after this one's lease expired): it is no longer
            # this worker's to finish.
            LOG.warning('Task %s was moved by another writer: %s',
                        task_id, error)
            return False
