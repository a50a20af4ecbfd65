"""Cancel points after every step of a task type's flow.

task_api.worker.flows.run_flow runs the flow on taskflow's engine with
the check the worker gives it called after every step; here the check
records its calls and raises when the test says the task was cancelled.
"""

from oslotest import base
from taskflow.patterns import graph_flow
from taskflow.patterns import linear_flow
from taskflow import retry
from taskflow import task as flow_task

from task_api import exception
from task_api.worker import flows
from task_api.worker import import_flow


class Step(flow_task.Task):
    """Appends its name to ``log`` when it runs and when it reverts."""

    def __init__(self, name, log):
        super().__init__(name=name)
        self.log = log

    def execute(self):
        self.log.append(self.name)

    def revert(self, **kwargs):
        self.log.append('revert ' + self.name)


class Factory(flows.FlowFactory):
    def __init__(self, build):
        self.build = build

    def get_flow(self, task):
        return self.build()


class CancelStepsTest(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.log = []
        self.cancel_after = None

    def step(self, name):
        return Step(name, self.log)

    def check(self):
        self.log.append('check')
        if self.cancel_after is not None and \
                self.cancel_after in self.log:
            raise exception.TaskCancelled('Cancelled by user u of project p')

    def run_flow(self, build):
        return flows.run_flow(Factory(build), {'id': 'task'},
                              check=self.check)

    def nested(self):
        return linear_flow.Flow('outer').add(
            self.step('one'),
            linear_flow.Flow('inner').add(self.step('two'),
                                          self.step('three')),
            self.step('four'))

    def test_check_runs_between_all_steps_of_nested_linear_flows(self):
        self.run_flow(self.nested)

        self.assertEqual(['one', 'check', 'two', 'check', 'three',
                          'check', 'four', 'check'], self.log)

    def test_cancel_during_a_step_stops_at_its_end_and_reverts(self):
        self.cancel_after = 'two'

        error = self.assertRaises(exception.TaskCancelled, self.run_flow,
                                  self.nested)

        self.assertEqual('Cancelled by user u of project p', str(error))
        self.assertEqual(['one', 'check', 'two', 'check',
                          'revert two', 'revert one'], self.log)

    def test_subflows_with_retry_or_other_patterns_are_one_step(self):
        # NOTE: a cancel point inside a retry controller's subflow would
        # be a failure the controller could answer by running it again.
        def build():
            return linear_flow.Flow('outer').add(
                self.step('one'),
                linear_flow.Flow('retried', retry=retry.Times(2)).add(
                    self.step('two'), self.step('three')),
                graph_flow.Flow('graph').add(self.step('four')),
                self.step('five'))

        self.run_flow(build)

        self.assertEqual(['one', 'check', 'two', 'three', 'check',
                          'four', 'check', 'five', 'check'], self.log)

    def test_factory_flow_is_left_unchanged(self):
        flow = self.nested()

        flows.with_cancel_points(flow, self.check)

        self.assertEqual(['one', 'inner', 'four'],
                         [item.name for item in flow])

    def test_import_flow_has_a_cancel_point_between_its_steps(self):
        flow = flows.with_cancel_points(
            import_flow.ImportFlow().get_flow({'id': 'task'}), self.check)

        outer = list(flow)
        self.assertEqual(['import', 'task_api-cancel-point-end'],
                         [item.name for item in outer])
        self.assertEqual(
            ['Prepare', 'task_api-cancel-point-1', 'Fetch',
             'task_api-cancel-point-2', 'CheckFormat',
             'task_api-cancel-point-3', 'Store', 'task_api-cancel-point-4',
             'Finish'],
            [item.name.rsplit('.', 1)[-1] for item in outer[0]])
