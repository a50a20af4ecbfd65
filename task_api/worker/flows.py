"""Task types: taskflow flows found through stevedore entry points.

A task type is installed by an entry point in the ``task_api.flows``
namespace, named after the type, whose object is a :class:`FlowFactory`
class (it is instantiated once, when the worker loads it). The flow it
builds is run by taskflow's engine: a step that fails reverts what the
earlier steps did, and the task ends ``failure``.
"""

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

    Placed before and after the task type's flow, so that a cancel asked
    for while the flow runs reverts every step it did.
    """

    def __init__(self, check, name):
        super().__init__(name='cancel-point-%s' % name)
        self._check = check

    def execute(self):
        self._check()


def run_flow(factory, task, check=None):
    """Run the flow of ``task``; return its result (a dict, or None).

    :param check: when given, called before the flow's first step and
        after its last; it raises to stop the task, which reverts.
    :raises: the error of the step that failed, after the flow reverted.
    """
    flow = factory.get_flow(task)
    if check is not None:
        flow = linear_flow.Flow('cancellable').add(
            CancelPoint(check, 'start'), flow, CancelPoint(check, 'end'))
    results = taskflow.engines.run(flow, store={'task': task},
                                   engine='serial')
    return results.get('result')
