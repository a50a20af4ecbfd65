"""Task types: taskflow flows found through stevedore entry points.

A task type is installed by an entry point in the ``task_api.flows``
namespace, named after the type, whose object is a :class:`FlowFactory`
class (it is instantiated once, when the worker loads it). The flow it
builds is run by taskflow's engine: a step that fails reverts what the
earlier steps did, and the task ends ``failure``. The worker checks for
a cancel after every step of that flow (:func:`with_cancel_points`),
whoever installed the type.
"""

import itertools

from oslo_log import log
import stevedore
import taskflow.engines
from taskflow.patterns import linear_flow
from taskflow import task as flow_task

LOG = log.getLogger(__name__)

NAMESPACE = 'task_api.flows'


class FlowFactory:
    """What an entry point of ``task_api.flows`` provides.

    The flow gets the task (the dict the DB API returns) as ``task`` in
    its store. When one of its steps provides ``result``, that dict is
    the task's result on success.
    """

    #: Whether every step of the flow may safely run again from the start
    #: after a worker running it was lost. When False, such a task ends
    #: ``failure`` instead.
    repeatable = False

    def get_flow(self, task):
        """Return the taskflow flow that runs ``task``."""
        raise NotImplementedError()

    def clean_up_lost(self, task):
        """Remove what a run of ``task`` by a lost worker left.

        Called by the worker that takes the task over, before it runs the
        task again or once it failed it: the lost worker reverted nothing.
        """


class FlowRegistry:
    """The installed task types.

    :param manager: a stevedore ExtensionManager of factories; those of
        the entry points of ``namespace`` when None.
    :param namespace: the entry point namespace; ``task_api.flows``.
    """

    def __init__(self, manager=None, namespace=NAMESPACE):
        self._unloadable = {}
        if manager is None:
            manager = stevedore.ExtensionManager(
                namespace, invoke_on_load=True,
                on_load_failure_callback=self._load_failed)
        self._factories = {extension.name: extension.obj
                           for extension in manager}
        LOG.info('Task types with an installed flow: %s',
                 ', '.join(sorted(self._factories)) or 'none')

    def _load_failed(self, manager, entry_point, error):
        LOG.error('The flow of task type %s could not be loaded: %s',
                  entry_point.name, error)
        self._unloadable[entry_point.name] = '%s: %s' % (
            type(error).__name__, error)

    def get(self, task_type):
        """The FlowFactory of ``task_type``, or None when none is installed."""
        return self._factories.get(task_type)

    def load_error(self, task_type):
        """Why the flow installed for ``task_type`` did not load, or None."""
        return self._unloadable.get(task_type)


class CancelPoint(flow_task.Task):
    """A step that calls ``check``, which raises when the task is cancelled.

    :func:`with_cancel_points` puts one after every step of a task type's
    flow: its failure is a step's failure, so taskflow reverts the
    steps that ran, latest first, and runs none of the later ones.
    """

    def __init__(self, check, name):
        super().__init__(name='task_api-cancel-point-%s' % name)
        self._check = check

    def execute(self):
        self._check()


def with_cancel_points(flow, check):
    """``flow`` with a :class:`CancelPoint` after each of its steps.

    One between any two steps of a linear flow, nested linear flows
    included, and one after the last: a cancel asked for while a step
    runs is seen as soon as that step ends. None comes before the first
    step, where there is nothing to revert: the caller checks before it
    runs the flow, at the cost of no taskflow step (each costs the
    engine about a millisecond of CPU).

    Two kinds of subflow stay one step, with cancel points only around
    them: a linear flow with a retry controller (a cancel point inside it
    would fail the subflow, which the controller may run again) and the
    other patterns (an unordered or graph flow has no "next" step; its
    atoms may run at the same time).

    The flow is built again from its atoms (a linear flow's iteration is
    the order its steps run in); the factory's flow is left as it was.
    """
    number = itertools.count(1)

    def point():
        return CancelPoint(check, next(number))

    def interleave(item):
        if not isinstance(item, linear_flow.Flow) or item.retry is not None:
            return item
        rebuilt = linear_flow.Flow(item.name)
        for index, child in enumerate(item):
            if index:
                rebuilt.add(point())
            rebuilt.add(interleave(child))
        return rebuilt

    return linear_flow.Flow('task_api-cancellable').add(
        interleave(flow), CancelPoint(check, 'end'))


def run_flow(factory, task, check=None):
    """Run the flow of ``task``; return its result (a dict, or None).

    :param check: when given, called after every step of the flow
        (:func:`with_cancel_points`); it raises to stop the task, which
        reverts.
    :raises: the error of the step that failed, after the flow reverted.
    """
    # NOTE: cancel points are steps of the flow rather than an engine
    # listener: taskflow's notifier logs and swallows what a listener
    # raises, so a listener could only suspend the engine, and a
    # suspended engine does not revert. A failing step reverts the
    # others through taskflow's ordinary, public path.
    flow = factory.get_flow(task)
    if check is not None:
        flow = with_cancel_points(flow, check)
    results = taskflow.engines.run(flow, store={'task': task},
                                   engine='serial')
    return results.get('result')
