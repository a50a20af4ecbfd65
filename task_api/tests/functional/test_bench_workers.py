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
             'api_rounds': 3},
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
