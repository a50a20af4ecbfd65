"""The worker benchmark (benchmarks/workers.py) at a tiny scale.

Not a timed test: it runs the benchmark's whole machinery (a seeded
database, the API served by the task-api command, import tasks created
through it, a task-api-worker process, the claim overhead measurement) on
5 tasks, then checks the report's shape and the rows the run left: every
task in success exactly once. The API load (wrk, gunicorn) is left out.
"""

import json
import os
import subprocess
import sys

import fixtures

from task_api.tests import base
from task_api.tests import fixtures as task_fixtures

from benchmarks import seed
from benchmarks import servers
from benchmarks import workers

TASKS = 5
# NOTE: a seed size of its own, so that the database
# (task_api_bench_workers_23) is not that of a benchmark run.
SEED_SIZE = 23


class _WorkerBenchmark:
    """The tiny run on the backend ``kind``."""

    kind = None

    def setUp(self):
        super().setUp()
        self.workdir = self.useFixture(fixtures.TempDir()).path
        self.database = workers.database_of(workers.for_backend(
            workers.parse_args(['--workdir', self.workdir,
                                '--seed-size', str(SEED_SIZE)]), self.kind))
        if self.kind != 'sqlite':
            try:
                self.database.connect(database=False).close()
            except Exception as error:
                if task_fixtures.db_required():
                    raise
                self.skipTest('%s is not available: %s' % (self.kind, error))
            self.addCleanup(self._drop)

    def _drop(self):
        connection = self.database.connect(database=False, autocommit=True)
        try:
            cursor = connection.cursor()
            cursor.execute('DROP DATABASE IF EXISTS %s' % self.database.name)
        finally:
            connection.close()

    def test_tiny_run(self):
        path = os.path.join(self.workdir, 'report.json')
        # NOTE: in a process of its own, as an operator runs it: the
        # benchmark's drivers and servers share nothing with this one.
        done = subprocess.run(
            [sys.executable, '-m', 'benchmarks.workers',
             '--db', self.kind, '--tasks', str(TASKS), '--workers', '1',
             '--seed-size', str(SEED_SIZE), '--overhead-tasks', '3',
             '--api-duration', '0', '--server', 'task-api', '--keep-tasks',
             '--reseed', '--json', path, '--workdir', self.workdir],
            cwd=servers.REPO_ROOT, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, timeout=900)
        self.assertEqual(0, done.returncode, done.stdout[-5000:])
        with open(path) as stream:
            reports = json.load(stream)
        self.assertEqual(1, len(reports))
        report = reports[0]
        self.assertEqual(
            {'db': self.kind, 'tasks': TASKS, 'threads': 4,
             'poll_interval': 1.0, 'image_size': 65536, 'api': None,
             'api_rounds': 5},
            {key: report[key] for key in ('db', 'tasks', 'threads',
                                          'poll_interval', 'image_size',
                                          'api', 'api_rounds')})
        [figures] = report['runs']
        self.assertEqual(
            {'workers': 1, 'threads': 4, 'tasks': TASKS, 'success': TASKS,
             'images': TASKS, 'fetches': TASKS, 'claims_left': 0,
             'scaling': 1.0},
            {key: figures[key] for key in ('workers', 'threads', 'tasks',
                                           'success', 'images', 'fetches',
                                           'claims_left', 'scaling')})
        for key in ('seconds', 'tasks_per_second', 'thread_ms_per_task',
                    'create_per_second'):
            self.assertGreater(figures[key], 0, key)
        # NOTE: the kernel counts CPU in ticks of 10 ms, more than the few
        # tasks of this run may take: none is a possible reading.
        self.assertGreaterEqual(figures['cpu_ms_per_task'], 0)
        self.assertAlmostEqual(
            figures['cores'],
            figures['cpu_ms_per_task'] * TASKS / 1000 / figures['seconds'])
        overhead = report['overhead']
        self.assertEqual((3, 4), (overhead['tasks'], overhead['threads']))
        # NOTE: a claim a task, and the last claim of each thread, which
        # finds none.
        self.assertEqual((3 + 4) / 3,
                         overhead['calls_per_task']['task_claim'])
        self.assertEqual(1, overhead['calls_per_task']['task_claim_release'])
        self.assertGreater(overhead['claim_ms_per_task'], 0)
        self.assertGreater(overhead['renew_ms'], 0)

        text = workers.report_lines(report)
        self.assertIn('task_api workers on %s: %d small imports' % (
            self.kind, TASKS), text[1])
        self.assertEqual(['1', str(TASKS)], text[2 + 2].split()[:2])
        self.assertTrue(any(line.startswith('Claim overhead, 3 no-op tasks')
                            for line in text))

        # NOTE: the rows of the last run, kept by --keep-tasks: each task
        # in success once, with an image of its own, its claim gone; the
        # no-op tasks of the overhead measurement removed.
        rows = self.database.query(
            'SELECT t.type, t.status, i.input, i.result, i.message '
            'FROM tasks t JOIN task_info i ON i.task_id = t.id '
            'WHERE t.owner = %s', (seed.BENCH_OWNER,))
        self.assertEqual([('import', 'success', '')] * TASKS,
                         [(row[0], row[1], row[4]) for row in rows])
        sources = {json.loads(row[2])['import_from'] for row in rows}
        image_ids = {json.loads(row[3])['image_id'] for row in rows}
        self.assertEqual(TASKS, len(sources))
        self.assertEqual(TASKS, len(image_ids))
        self.assertEqual(0, self.database.query(
            'SELECT COUNT(*) FROM task_api_claims')[0][0])
        store = os.path.join(self.workdir, 'workers-' + self.kind, 'images')
        self.assertEqual(image_ids, set(os.listdir(store)))


class TestWorkerBenchmarkSQLite(_WorkerBenchmark, base.TestCase):
    kind = 'sqlite'


class TestWorkerBenchmarkPostgreSQL(_WorkerBenchmark, base.TestCase):
    kind = 'postgresql'


class TestWorkerBenchmarkMySQL(_WorkerBenchmark, base.TestCase):
    kind = 'mysql'


class _Group:
    """Worker processes that are only signalled, using no CPU."""

    count = 4

    def __init__(self):
        self.signals = []

    def signal(self, signum):
        self.signals.append(signum)

    def cpu_seconds(self):
        return 0.0


class _App:
    def __init__(self, name):
        self.name = name


class TestApiFigures(base.TestCase):
    """How the API figures are worked out from the runs' requests/s."""

    def test_kept_is_the_ratio_to_the_floor_running_over_paused(self):
        # NOTE: requests/s of each application, by round and state
        # (paused, then running): running workers take a third of the
        # floor's show and half of task_api's; in the last round the
        # paused floor's show is an outlier, which the medians leave out.
        table = [
            # round 1: paused, then running
            {'task_api': {'show': 100.0, 'list': 50.0},
             'floor': {'show': 300.0, 'list': 100.0}},
            {'task_api': {'show': 50.0, 'list': 50.0},
             'floor': {'show': 200.0, 'list': 100.0}},
            # round 2
            {'task_api': {'show': 120.0, 'list': 50.0},
             'floor': {'show': 300.0, 'list': 100.0}},
            {'task_api': {'show': 60.0, 'list': 50.0},
             'floor': {'show': 200.0, 'list': 100.0}},
            # round 3
            {'task_api': {'show': 110.0, 'list': 50.0},
             'floor': {'show': 100.0, 'list': 100.0}},
            {'task_api': {'show': 55.0, 'list': 50.0},
             'floor': {'show': 200.0, 'list': 100.0}},
        ]
        driven = []

        def api_load(args, app, paths, scenario):
            # NOTE: four runs a state, the states in turn.
            state = table[len(driven) // 4]
            driven.append((app.name, scenario))
            return state[app.name][scenario]

        self.useFixture(fixtures.MockPatchObject(
            workers, 'api_load', api_load))
        self.useFixture(fixtures.MockPatchObject(
            workers, 'status_counts', lambda database: {}))
        group = _Group()
        args = workers.parse_args(['--api-rounds', '3'])
        result = workers.api_rounds(
            args, None, [_App('task_api'), _App('floor')], {}, group, 'busy')
        show = result['show']
        self.assertEqual({'task_api': 110.0, 'floor': 300.0, 'ratio': 0.4},
                         show['paused'])
        self.assertEqual({'task_api': 55.0, 'floor': 200.0, 'ratio': 0.275},
                         show['running'])
        self.assertEqual(0.6875, round(show['kept'], 4))
        self.assertEqual(0.5, show['throughput'])
        self.assertEqual(1.0, result['list']['kept'])
        self.assertEqual(0.0, result['cores'])
        # NOTE: paused and continued three times, then left running.
        self.assertEqual(7, len(group.signals))
        # NOTE: A B B A in each state, the first changing by round.
        abba = [('task_api', 'show'), ('floor', 'show'),
                ('floor', 'list'), ('task_api', 'list')]
        baab = [('floor', 'show'), ('task_api', 'show'),
                ('task_api', 'list'), ('floor', 'list')]
        self.assertEqual((abba * 2) + (baab * 2) + (abba * 2), driven)

        report = {'db': 'postgresql', 'tasks': 1, 'image_size': 1,
                  'threads': 4, 'poll_interval': 1.0, 'runs': [],
                  'cpu_count': 2, 'overhead': None, 'api_rounds': 3,
                  'api': {'workers': 4, 'idle': result,
                          'busy': dict(result, tasks=9, throughout=True)}}
        lines = workers.report_lines(report)
        self.assertIn('FAIL  show task_api / floor with busy workers '
                      'running >= 0.9 x paused: 0.69', lines)
        self.assertIn('PASS  list task_api / floor with idle workers '
                      'running >= 0.9 x paused: 1.00', lines)
        self.assertIn('show  busy        110.0      55.0     300.0     '
                      '200.0     0.40     0.28   0.69   0.00', lines)


class TestWorkerPlacement(base.TestCase):
    """--worker-cpus: the workers on their CPUs, the rest on the others."""

    def test_workers_start_on_their_cpus_with_their_niceness(self):
        allowed = sorted(os.sched_getaffinity(0))
        cpus = frozenset(allowed[-1:])
        group = workers.Workers(1, [], os.devnull, os.devnull, nice=3,
                                cpus=cpus)
        done = subprocess.run(
            [sys.executable, '-c',
             'import os; print(sorted(os.sched_getaffinity(0)), '
             'os.nice(0))'],
            preexec_fn=group._placed, stdout=subprocess.PIPE, text=True,
            check=True)
        self.assertEqual('%s %d\n' % (sorted(cpus), os.nice(0) + 3),
                         done.stdout)

    def test_cpus_must_leave_some_to_the_rest(self):
        allowed = ','.join(map(str, sorted(os.sched_getaffinity(0))))
        for value in (allowed, 'one', '%d' % (max(
                os.sched_getaffinity(0)) + 1000)):
            stderr = self.useFixture(fixtures.StringStream('stderr'))
            self.useFixture(fixtures.MonkeyPatch('sys.stderr',
                                                 stderr.stream))
            self.assertRaises(SystemExit, workers.parse_args,
                              ['--worker-cpus', value])
            self.assertIn('--worker-cpus', stderr.getDetails()[
                'stderr'].as_text())
