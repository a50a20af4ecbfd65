"""Flows of test task types, and the table that counts their runs.

Installed for a test through a stevedore entry point: in-process with
:func:`registry`, in a task-api-worker process with :func:`install`.
"""

import os
import time

import sqlalchemy as sa
import stevedore
from stevedore import extension
from taskflow.patterns import linear_flow
from taskflow import task as flow_task

from task_api.db.sqlalchemy import api as sqla_api
from task_api.worker import flows

METADATA = sa.MetaData()
#: one row per run of a step: which task, which step, which worker process
RUNS = sa.Table(
    'test_flow_runs', METADATA,
    sa.Column('id', sa.Integer, primary_key=True, autoincrement=True),
    sa.Column('task_id', sa.String(36), nullable=False),
    sa.Column('step', sa.String(30), nullable=False),
    sa.Column('pid', sa.Integer, nullable=False),
    mysql_engine='InnoDB')


def record(task_id, step):
    with sqla_api.get_engine().begin() as connection:
        connection.execute(RUNS.insert().values(
            task_id=task_id, step=step, pid=os.getpid()))


def runs(engine, step='run'):
    """task id -> how many times ``step`` ran for it."""
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(RUNS.c.task_id, sa.func.count())
            .where(RUNS.c.step == step).group_by(RUNS.c.task_id)).all()
    return dict(rows)


class Record(flow_task.Task):
    default_provides = 'result'

    def execute(self, task):
        record(task['id'], 'run')
        return {'ran': True}

    def revert(self, task, **kwargs):
        record(task['id'], 'revert')


class Fail(flow_task.Task):
    def execute(self, task):
        raise RuntimeError('the second step failed\nsecond line')


class WaitForFile(flow_task.Task):
    """Runs until the file named by the task's input exists."""

    default_provides = 'result'

    def execute(self, task):
        record(task['id'], 'run')
        path = task['input']['wait_for']
        while not os.path.exists(path):
            time.sleep(0.05)
        return {'waited': True}


class RecordFlow(flows.FlowFactory):
    repeatable = False

    def get_flow(self, task):
        return linear_flow.Flow('record').add(Record())


class RevertFlow(flows.FlowFactory):
    def get_flow(self, task):
        return linear_flow.Flow('revert').add(Record(), Fail())


class WaitFlow(flows.FlowFactory):
    repeatable = False

    def get_flow(self, task):
        return linear_flow.Flow('wait').add(WaitForFile())


class RepeatableWaitFlow(WaitFlow):
    repeatable = True


FACTORIES = {
    'test_record': RecordFlow,
    'test_revert': RevertFlow,
    'test_wait': WaitFlow,
    'test_wait_repeatable': RepeatableWaitFlow,
}


def registry():
    """A FlowRegistry of the test types, as stevedore would load them."""
    manager = stevedore.ExtensionManager.make_test_instance(
        [extension.Extension(name, None, factory, factory())
         for name, factory in FACTORIES.items()],
        namespace=flows.NAMESPACE)
    return flows.FlowRegistry(manager)


def install(directory):
    """Register the test types as ``task_api.flows`` entry points.

    Writes a distribution's metadata into ``directory``; a process with
    ``directory`` on its PYTHONPATH finds them as stevedore finds any.
    """
    info = os.path.join(directory, 'task_api_test_flows-1.0.dist-info')
    os.makedirs(info, exist_ok=True)
    with open(os.path.join(info, 'METADATA'), 'w') as stream:
        stream.write('Metadata-Version: 2.1\nName: task_api_test_flows\n'
                     'Version: 1.0\n')
    with open(os.path.join(info, 'entry_points.txt'), 'w') as stream:
        stream.write('[%s]\n' % flows.NAMESPACE)
        for name, factory in FACTORIES.items():
            stream.write('%s = %s:%s\n' % (name, __name__, factory.__name__))
