"""The life of a task: its status machine and its expiry.

A task is created ``pending``, may start ``processing``, and ends in
``success`` or ``failure`` (a pending task may also fail at once). The end
states are final. Reaching one sets ``expires_at`` to the time of the
transition plus ``[task] task_time_to_live`` hours; this happens once, as
no transition leaves an end state. Everything that moves a task goes
through this module, which refuses any other transition.
"""

import datetime

from oslo_log import log
from oslo_utils import timeutils

from task_api import conf as task_conf
from task_api import exception

CONF = task_conf.CONF
LOG = log.getLogger(__name__)

PENDING = 'pending'
PROCESSING = 'processing'
SUCCESS = 'success'
FAILURE = 'failure'

#: status -> the statuses a task may move to from it
TRANSITIONS = {
    PENDING: frozenset((PROCESSING, FAILURE)),
    PROCESSING: frozenset((SUCCESS, FAILURE)),
    SUCCESS: frozenset(),
    FAILURE: frozenset(),
}


def _move(dbapi, context, task_id, new_status, expected=None, **values):
    task = dbapi.task_get(context, task_id)
    current = task['status']
    if expected is not None and current != expected:
        raise exception.TaskStatusConflict(
            task_id=task_id, status=current, expected=expected)
    if new_status not in TRANSITIONS.get(current, ()):
        raise exception.InvalidTaskStatusTransition(
            task_id=task_id, current=current, new=new_status)
    values['status'] = new_status
    if not TRANSITIONS[new_status]:
        values['expires_at'] = timeutils.utcnow() + datetime.timedelta(
            hours=CONF.task.task_time_to_live)
    # NOTE: the expected status makes the move atomic: of two workers
    # moving the same task, one gets TaskStatusConflict.
    return dbapi.task_update(context, task_id, values,
                             expected_status=current)


def begin_processing(dbapi, context, task_id):
    """Move a pending task to processing; return the task."""
    return _move(dbapi, context, task_id, PROCESSING)


def succeed(dbapi, context, task_id, result):
    """End a processing task in success with ``result`` (a dict).

    Its message, which said how far the task got while it ran, becomes
    empty, as Glance leaves the message of a task that succeeded.
    """
    return _move(dbapi, context, task_id, SUCCESS, result=result,
                 message='')


def fail(dbapi, context, task_id, message):
    """End a pending or processing task in failure with ``message``."""
    return _move(dbapi, context, task_id, FAILURE, message=message or '')


def cancel(dbapi, context, task_id, message):
    """Cancel a pending or processing task that task_api runs.

    A pending task ends ``failure`` with ``message`` at once and its
    claim row goes, so that no worker runs it: the move expects
    ``pending``, so of this and a worker starting the task at the same
    moment exactly one wins. A processing task gets a cancel request on
    its claim row; the worker running it stops at its next check, reverts
    and ends it ``failure`` with ``message``.

    :returns: the task, as it is after the call.
    :raises: task_api.exception.TaskNotCancellable when the task ended,
        or is processing without task_api running it.
    """
    task = dbapi.task_get(context, task_id)
    if task['status'] == PENDING:
        try:
            task = _move(dbapi, context, task_id, FAILURE,
                         expected=PENDING, message=message)
        except exception.TaskStatusConflict:
            # NOTE: a worker started it meanwhile: cancel it as running.
            task = dbapi.task_get(context, task_id)
        else:
            dbapi.task_claim_delete(context, task_id)
            return task
    if task['status'] == PROCESSING:
        if dbapi.task_cancel_request(context, task_id, message):
            return task
        raise exception.TaskNotCancellable(
            task_id=task_id, status=task['status'],
            reason='task_api does not run it.')
    raise exception.TaskNotCancellable(
        task_id=task_id, status=task['status'],
        reason='it has already ended.')


def check_cancel(dbapi, context, task_id):
    """Raise TaskCancelled when a caller cancelled the running task.

    Called by the worker running the task at its flow's boundaries and
    by steps that run long (the import's fetch, with its progress). While
    the database is unavailable the task goes on: a cancel is read at the
    first check after it is back.
    """
    try:
        message = dbapi.task_cancel_message(context, task_id)
    except exception.DatabaseUnavailable:
        LOG.warning('Task %s: whether it was cancelled could not be read; '
                    'the database is unavailable.', task_id)
        return
    if message:
        raise exception.TaskCancelled(message)
