"""Worker throughput: ``python -m benchmarks.workers [options]``.

Small ``import`` tasks, created through the API (``POST /v2/tasks``), are
run by 1, 2 and 4 ``task-api-worker`` processes in turn; each image is a
small raw file served by an HTTP server in this process, the one address
and port ``[import_filtering_opts]`` allows. For each number of workers
the report gives the tasks per second and the scaling against one worker;
then the time the claim machinery takes per task (measured in a process
of its own through task_api's DB API with a no-op flow, see
``claim_overhead``); then the API's show and list figures beside idle
workers and busy ones: task_api's throughput against the floor of
benchmarks.run, both driven with the workers paused and running, and
the share of its paused figure that task_api keeps. See README.rst.

Exit status: 0 when the run is sound; 2 when something is broken (a server
or worker does not start, a task does not end in success, an image is
fetched other than once per task, too many failed requests).
"""

import argparse
import collections
import concurrent.futures
import http.server
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

from benchmarks import run
from benchmarks import seed
from benchmarks import servers
from benchmarks.servers import BenchmarkError

log = run.log

DEFAULT_WORKERS = (1, 2, 4)
#: the type of the tasks the claim overhead is measured with.
NOOP_TYPE = 'task_api_bench_noop'
_POLL = 0.2
_FINISHED = ('success', 'failure')
_STATES = ('paused', 'running')
#: what the API figures drive, as benchmarks.run names them
API_SCENARIOS = ('show', 'list')
#: the least share of its paused figure the API keeps with workers running
KEPT = 0.9


def parse_args(argv):
    env = os.environ.get
    parser = argparse.ArgumentParser(
        prog='python -m benchmarks.workers',
        description=__doc__.split('\n')[0])
    parser.add_argument(
        '--db', default=env('TASK_API_BENCH_DB', 'postgresql'),
        help='comma-separated backends, run one after the other: '
             'postgresql, mysql, sqlite (default postgresql)')
    parser.add_argument(
        '--db-url', default=env('TASK_API_BENCH_DB_URL'),
        help='SQLAlchemy URL of the database server, with a user that may '
             'create databases (default the openstack_citest user on '
             'localhost); for the backend it names')
    parser.add_argument('--tasks', type=int, default=1000,
                        help='import tasks per worker count (default 1000)')
    parser.add_argument('--workers', default='1,2,4',
                        help='comma-separated numbers of task-api-worker '
                             'processes (default 1,2,4)')
    parser.add_argument('--sqlite-workers', type=int, default=1,
                        help='on SQLite, only the worker counts up to this '
                             '(one writer at a time; default 1)')
    parser.add_argument('--threads', type=int, default=4,
                        help='[worker] threads of each worker (default 4, '
                             'the shipped default)')
    parser.add_argument('--poll-interval', type=float, default=1.0,
                        help='[worker] poll_interval (default 1 second, '
                             'the shipped default)')
    parser.add_argument('--worker-nice', type=int, default=19,
                        help='niceness of the worker processes (default '
                             '19, as etc/systemd/task-api-worker.service '
                             'runs them: the API gets the CPU first; 0 '
                             'for the operating system\'s default)')
    parser.add_argument('--worker-cpus', default='',
                        help='comma-separated CPU numbers the worker '
                             'processes run on; the API servers, wrk and '
                             'the image server then run on the others, as '
                             'if the workers had a host of their own '
                             '(the database is left where it runs; '
                             'default: every process on every CPU)')
    parser.add_argument('--image-size', type=int, default=64 * 1024,
                        help='bytes of each image (default 65536)')
    parser.add_argument('--seed-size', type=int, default=1000,
                        help='tasks seeded in the database beside the '
                             'imports, which show and list read (default '
                             '1000)')
    parser.add_argument('--overhead-tasks', type=int, default=300,
                        help='no-op tasks of the claim overhead '
                             'measurement (default 300; 0 skips it)')
    parser.add_argument('--api-duration', type=int, default=4,
                        help='seconds of each wrk run on show and list '
                             '(default 4; 0 skips the API figures)')
    parser.add_argument('--api-rounds', type=int, default=5,
                        help='rounds of the API figures, workers paused '
                             'and running in turn; medians are reported '
                             '(default 5)')
    parser.add_argument('--connections', type=int, default=8,
                        help='wrk connections (default 8)')
    parser.add_argument('--wrk-threads', type=int, default=2,
                        help='wrk threads (default 2)')
    parser.add_argument('--server', choices=('gunicorn', 'task-api'),
                        default='gunicorn',
                        help='what serves the API: gunicorn as in '
                             'benchmarks.run (default), or the task-api '
                             'command')
    parser.add_argument('--server-workers', type=int, default=2,
                        help='gunicorn worker processes (default 2)')
    parser.add_argument('--server-threads', type=int, default=4,
                        help='threads per gunicorn worker (default 4)')
    parser.add_argument('--timeout', type=float, default=900,
                        help='seconds a worker run may take before the run '
                             'is broken (default 900)')
    parser.add_argument('--max-error-share', type=float, default=0.01,
                        help='share of failed requests under load above '
                             'which the run is broken (default 0.01)')
    parser.add_argument('--keep-tasks', action='store_true',
                        help='leave the tasks of the last worker run in '
                             'the database')
    parser.add_argument('--reseed', action='store_true',
                        help='rebuild the seeded database')
    parser.add_argument('--json', metavar='PATH',
                        help='also write the report as JSON to PATH')
    parser.add_argument(
        '--workdir', default=env('TASK_API_BENCH_DIR', os.path.join(
            tempfile.gettempdir(), 'task_api_bench')),
        help='configuration, logs, SQLite databases and images '
             '(TASK_API_BENCH_DIR); a "workers-<backend>" directory each')
    args = parser.parse_args(argv)
    args.worker_counts = [int(count) for count in args.workers.split(',')
                          if count.strip()]
    args.dbs = [kind.strip() for kind in args.db.split(',') if kind.strip()]
    try:
        args.worker_cpus = frozenset(int(cpu) for cpu in
                                     args.worker_cpus.split(',') if cpu)
    except ValueError:
        parser.error('--worker-cpus takes CPU numbers')
    if args.worker_cpus and not (
            args.worker_cpus < os.sched_getaffinity(0)):
        parser.error('--worker-cpus must leave one CPU or more of those '
                     'this process may use (%s) to the rest'
                     % ','.join(map(str, sorted(os.sched_getaffinity(0)))))
    unknown = set(args.dbs) - set(seed.DEFAULT_URLS)
    if unknown or not args.dbs:
        parser.error('unknown database backends: %s'
                     % (', '.join(sorted(unknown)) or '(none)'))
    if args.tasks < 1 or not args.worker_counts or min(
            args.worker_counts) < 1:
        parser.error('--tasks and --workers take positive numbers')
    return args


def for_backend(args, kind):
    """The settings of one backend, as benchmarks.run's helpers take them."""
    backend = argparse.Namespace(**vars(args))
    backend.db = kind
    url = args.db_url
    if not url or not url.startswith(kind):
        url = seed.DEFAULT_URLS[kind]
    backend.db_url = url
    backend.workdir = os.path.join(args.workdir, 'workers-' + kind)
    counts = args.worker_counts
    if kind == 'sqlite':
        counts = [count for count in counts if count <= args.sqlite_workers]
    backend.worker_counts = counts
    return backend


# -- the database -------------------------------------------------------------

def database_of(args):
    """The benchmark's database: ``task_api_bench_workers_<N>``.

    A name of its own: the tasks it creates and removes are the only
    ones of their owner there, whatever benchmarks.run does meanwhile.
    """
    return seed.Database(args.db, args.db_url, args.seed_size, args.workdir,
                         prefix='task_api_bench_workers')


def prepare_database(args):
    """Seed (or reuse) the database; return it and its configuration."""
    database = database_of(args)
    config = run.write_config(args, database)
    if args.reseed or database.seeded_size() != args.seed_size:
        log('creating %s with task_api migrations and %d tasks'
            % (database.name, args.seed_size))
        database.recreate()
        database.sync_schema(config)
        database.seed(log)
    else:
        log('reusing the seeded database %s' % database.name)
        database.sync_schema(config)
    return database, config


# -- the image server --------------------------------------------------------

class ImageServer:
    """Serves the same small raw image at every path; counts the fetches."""

    def __init__(self, size):
        line = b'task_api worker benchmark image\n'
        self.data = (line * (size // len(line) + 1))[:size]
        self.fetches = collections.Counter()
        self._lock = threading.Lock()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                with outer._lock:
                    outer.fetches[self.path] += 1
                self.send_response(200)
                self.send_header('Content-Type', 'application/octet-stream')
                self.send_header('Content-Length', str(len(outer.data)))
                self.end_headers()
                self.wfile.write(outer.data)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0),
                                                     Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self._thread = threading.Thread(target=self.httpd.serve_forever,
                                        daemon=True)

    def start(self):
        self._thread.start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def url(self, path):
        return 'http://127.0.0.1:%d%s' % (self.port, path)

    def fetch_counts(self, prefix):
        with self._lock:
            return {path: count for path, count in self.fetches.items()
                    if path.startswith(prefix)}


# -- configuration and processes ---------------------------------------------

def write_worker_config(args, images):
    """The options the imports need, read by the API and the workers.

    Returns (the file both read, the workers' own file with their log).
    """
    shared = os.path.join(args.workdir, 'workers.conf')
    with open(shared, 'w') as config:
        config.write(
            '[api]\n'
            'run_worker = false\n'
            '\n[import_filtering_opts]\n'
            'allowed_hosts = 127.0.0.1\n'
            'allowed_ports = %(port)d\n'
            '\n[worker]\n'
            'threads = %(threads)d\n'
            'poll_interval = %(poll)s\n'
            '\n[task]\n'
            'work_dir = %(workdir)s/import\n'
            '\n[glance_store]\n'
            'filesystem_store_datadir = %(workdir)s/images\n'
            % {'port': images.port, 'threads': args.threads,
               'poll': args.poll_interval, 'workdir': args.workdir})
    own = os.path.join(args.workdir, 'worker-log.conf')
    with open(own, 'w') as config:
        config.write('[DEFAULT]\nlog_file = %s\n' % worker_log(args))
    return shared, own


def worker_log(args):
    return os.path.join(args.workdir, 'task_api-worker.log')


def workers(args, count, config_files):
    return Workers(count, config_files,
                   os.path.join(args.workdir, 'workers.out'),
                   worker_log(args), args.worker_nice, args.worker_cpus)


def console_script(name, module):
    """The command of one of task_api's console scripts."""
    path = os.path.join(os.path.dirname(sys.executable), name)
    if os.path.exists(path):
        return [path]
    return [sys.executable, '-c', 'from %s import main; main()' % module]


class TaskApiServer(servers.Server):
    """The task-api command (cheroot), for machines without gunicorn."""

    def __init__(self, config_files, log_path):
        super().__init__('task_api', None, {}, log_path, workers=0,
                         threads=0)
        self.config_files = config_files

    def command(self):
        command = console_script('task-api', 'task_api.cmd.api')
        for path in self.config_files:
            command += ['--config-file', path]
        return command + ['--port', str(self.port)]


def api_server(args, config_files):
    log_path = os.path.join(args.workdir, 'api.log')
    if args.server == 'task-api':
        return TaskApiServer(config_files, log_path)
    return servers.Server(
        'task_api', 'task_api.wsgi.api:application',
        {'OS_TASK_API_CONFIG_FILES': ';'.join(config_files)}, log_path,
        args.server_workers, args.server_threads)


def _started_lines(path):
    try:
        with open(path, 'rb') as stream:
            return stream.read().count(b' started: ')
    except FileNotFoundError:
        return 0


def _processes():
    """{pid: (parent pid, CPU seconds)} of every process."""
    tick = os.sysconf('SC_CLK_TCK')
    return {pid: (int(fields[1]), (int(fields[11]) + int(fields[12])) / tick)
            for pid, fields in servers.process_stats().items()}


def _family(roots):
    """``roots`` and all their descendants."""
    stats = _processes()
    family = set(roots)
    grown = True
    while grown:
        children = {pid for pid, (parent, _) in stats.items()
                    if parent in family} - family
        family |= children
        grown = bool(children)
    return family


class Workers:
    """``count`` task-api-worker processes.

    :param log_file: the log_file of their configuration, where each
        writes a line when its claim loop started.
    """

    def __init__(self, count, config_files, log_path, log_file, nice=0,
                 cpus=frozenset()):
        self.command = console_script('task-api-worker',
                                      'task_api.cmd.worker')
        for path in config_files:
            self.command += ['--config-file', path]
        self.count = count
        self.log_path = log_path
        self.log_file = log_file
        self.nice = nice
        self.cpus = cpus
        self.processes = []

    def pids(self):
        """The worker processes and the service processes they forked."""
        return _family({process.pid for process in self.processes})

    def cpu_seconds(self):
        stats = _processes()
        return sum(stats[pid][1] for pid in self.pids() if pid in stats)

    def signal(self, signum):
        for pid in self.pids():
            try:
                os.kill(pid, signum)
            except ProcessLookupError:
                pass

    def wait_started(self, already, timeout=120):
        """Wait until every worker's claim loop runs."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.check()
            if _started_lines(self.log_file) >= already + self.count:
                return
            time.sleep(_POLL)
        raise BenchmarkError('the workers did not start within %d s; see %s'
                             % (timeout, self.log_file))

    def start(self, wait=False):
        already = _started_lines(self.log_file)
        self.log = open(self.log_path, 'ab')
        env = dict(os.environ)
        env['PYTHONPATH'] = os.pathsep.join(
            [servers.REPO_ROOT] + [p for p in [env.get('PYTHONPATH')] if p])
        for _ in range(self.count):
            self.processes.append(subprocess.Popen(
                self.command, cwd=servers.REPO_ROOT, env=env,
                stdout=self.log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                preexec_fn=self._placed if self.nice or self.cpus
                else None))
        if wait:
            self.wait_started(already)

    def _placed(self):
        """In the child: the niceness and CPUs of a worker process."""
        if self.nice:
            os.nice(self.nice)
        if self.cpus:
            os.sched_setaffinity(0, self.cpus)

    def check(self):
        for process in self.processes:
            if process.poll() is not None:
                raise BenchmarkError(
                    'task-api-worker exited with status %s; see %s and the '
                    'log_file of its configuration'
                    % (process.returncode, self.log_path))

    def stop(self):
        """SIGTERM: stop claiming, let the running tasks end."""
        # NOTE: a process stopped by SIGSTOP would not see the SIGTERM.
        self.signal(signal.SIGCONT)
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.processes = []
        self.log.close()


# -- the runs ----------------------------------------------------------------

def create_tasks(app, images, prefix, count):
    """POST ``count`` import tasks; return their ids, in order."""
    def create(index):
        body = json.dumps({'type': 'import', 'input': {
            'import_from': images.url('%s/%d.raw' % (prefix, index)),
            'import_from_format': 'raw',
            'image_properties': {'name': 'bench-%d' % index,
                                 'disk_format': 'raw',
                                 'container_format': 'bare'}}})
        status, _, data = app.request(
            'POST', '/v2/tasks', {'Content-Type': 'application/json'}, body)
        if status != 201:
            raise BenchmarkError('POST /v2/tasks answered %s: %r'
                                 % (status, data[:300]))
        return json.loads(data)['id']

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        return list(pool.map(create, range(count)))


def status_counts(database):
    """{status: count} of the tasks the benchmark created."""
    return dict(database.query(
        'SELECT status, COUNT(*) FROM tasks WHERE owner = %s '
        'GROUP BY status', (seed.BENCH_OWNER,)))


def wait_for_tasks(database, group, count, timeout, until_started=False):
    """Poll until ``count`` tasks ended, or one started.

    :param until_started: wait until fewer than ``count`` are pending.
    :returns: the moment (time.monotonic()) it was seen.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        group.check()
        counts = status_counts(database)
        if until_started:
            if counts.get('pending', 0) < count:
                return time.monotonic()
        elif sum(counts.get(status, 0) for status in _FINISHED) >= count:
            return time.monotonic()
        time.sleep(_POLL)
    raise BenchmarkError('the workers did not %s %d tasks within %d s: %s'
                         % ('start' if until_started else 'finish', count,
                            timeout, status_counts(database)))


def check_outcome(database, images, prefix, ids):
    """Every task in success with its own image, each image fetched once."""
    rows = database.query(
        'SELECT t.id, t.status, i.message, i.result FROM tasks t '
        'JOIN task_info i ON i.task_id = t.id WHERE t.owner = %s',
        (seed.BENCH_OWNER,))
    failed = [row for row in rows if row[1] != 'success']
    if failed or len(rows) != len(ids):
        raise BenchmarkError(
            '%d tasks created, %d found: %s; the first not in success: %r'
            % (len(ids), len(rows), dict(collections.Counter(
                row[1] for row in rows)), failed[:1]))
    image_ids = {json.loads(row[3])['image_id'] for row in rows}
    fetches = images.fetch_counts(prefix)
    other = {path: n for path, n in fetches.items() if n != 1}
    claims = database.query(
        'SELECT COUNT(*) FROM task_api_claims WHERE task_id IN '
        '(SELECT id FROM tasks WHERE owner = %s)', (seed.BENCH_OWNER,))[0][0]
    if len(image_ids) != len(ids) or len(fetches) != len(ids) or other \
            or claims:
        raise BenchmarkError(
            'not exactly one run per task: %d image ids, %d paths fetched '
            '(%d not once), %d claims left for %d tasks'
            % (len(image_ids), len(fetches), len(other), claims, len(ids)))
    return {'success': len(rows), 'images': len(image_ids),
            'fetches': sum(fetches.values()), 'claims_left': claims}


def clear(args, database):
    database.remove_created()
    for name in ('images', 'import'):
        shutil.rmtree(os.path.join(args.workdir, name), ignore_errors=True)


def worker_run(args, database, app, images, config_files, count):
    """Run args.tasks imports through ``count`` workers; return figures."""
    prefix = '/%s-w%d' % (args.db, count)
    started = time.monotonic()
    ids = create_tasks(app, images, prefix, args.tasks)
    created = time.monotonic() - started
    log('  %d workers: created %d import tasks in %.1f s (%.0f/s)'
        % (count, len(ids), created, len(ids) / created))
    group = workers(args, count, config_files)
    group.start()
    launched = time.monotonic()
    try:
        first = wait_for_tasks(database, group, len(ids), 120,
                               until_started=True)
        cpu = group.cpu_seconds()
        done = wait_for_tasks(database, group, len(ids), args.timeout)
        cpu = group.cpu_seconds() - cpu
    finally:
        group.stop()
    outcome = check_outcome(database, images, prefix, ids)
    seconds = max(done - first, _POLL)
    figures = {'workers': count, 'threads': args.threads,
               'tasks': len(ids), 'seconds': seconds,
               'startup_seconds': first - launched,
               'tasks_per_second': len(ids) / seconds,
               # NOTE: thread-seconds a task took: the time every worker
               # thread was held, shared out over the tasks.
               'thread_ms_per_task': 1000.0 * seconds * count * args.threads
               / len(ids),
               'create_per_second': len(ids) / created,
               # NOTE: CPU the worker processes used, per task and as
               # cores kept busy (the machine has os.cpu_count()).
               'cpu_ms_per_task': 1000.0 * cpu / len(ids),
               'cores': cpu / seconds}
    figures.update(outcome)
    log('  %d workers: %d tasks in %.1f s: %.1f tasks/s (startup %.1f s); '
        '%d successes, each image fetched once'
        % (count, len(ids), seconds, figures['tasks_per_second'],
           figures['startup_seconds'], outcome['success']))
    return figures


def claim_overhead(args, config_files):
    """Figures of no-op tasks, measured in a process of its own.

    See measure_claims.
    """
    command = [sys.executable, '-m', 'benchmarks.workers',
               '--measure-claims', str(args.overhead_tasks),
               '--measure-threads', str(args.threads)]
    for path in config_files:
        command += ['--config-file', path]
    env = dict(os.environ)
    env['PYTHONPATH'] = os.pathsep.join(
        [servers.REPO_ROOT] + [p for p in [env.get('PYTHONPATH')] if p])
    done = subprocess.run(command, cwd=servers.REPO_ROOT, env=env,
                          capture_output=True, text=True, timeout=600)
    for line in done.stdout.splitlines():
        if line.startswith('BENCH_JSON '):
            return json.loads(line[len('BENCH_JSON '):])
    raise BenchmarkError('the claim overhead measurement failed (exit %s):'
                         '\n%s%s' % (done.returncode, done.stdout[-2000:],
                                     done.stderr[-3000:]))


def api_load(args, app, paths, scenario):
    """``scenario`` (show or list) under wrk; return its requests/s."""
    result = servers.drive(app, paths[scenario], args.api_duration,
                           args.connections, args.wrk_threads, log)
    run.check_load(args, app, scenario, result)
    return result['rps']


def api_state(args, apps, paths, first):
    """Each scenario against each application; {name: {scenario: rps}}.

    The applications take turns in A B B A order (``first`` names which
    begins), so that what drifts within the state (busy workers just
    continued) falls on both alike.
    """
    figures = {app.name: {} for app in apps}
    for index, scenario in enumerate(API_SCENARIOS):
        order = apps if (first + index) % 2 == 0 else apps[::-1]
        for app in order:
            figures[app.name][scenario] = api_load(args, app, paths,
                                                   scenario)
    return figures


def api_rounds(args, database, apps, paths, group, what):
    """Show and list throughput, the workers paused and running in turn.

    The same worker processes are stopped (SIGSTOP) for one measurement
    and continued (SIGCONT) for the next, round after round, so that a
    drift of the machine falls on both; a pause is shorter than a lease.
    In each state task_api and the floor are driven in turn, A B B A,
    the first changing from round to round.

    Returns, for each scenario, the medians of each state and
    application; the median of the rounds' task_api / floor ratios in
    each state; ``kept``, the running ratio over the paused one (the
    figure that must not drop); and
    ``throughput``, the median of task_api's running / paused
    requests/s, which on a host the workers share loses what they take.
    """
    runs = {state: {app.name: [] for app in apps} for state in _STATES}
    cores = []
    for index in range(args.api_rounds):
        for state in _STATES:
            group.signal(signal.SIGSTOP if state == 'paused'
                         else signal.SIGCONT)
            cpu = group.cpu_seconds()
            started = time.monotonic()
            for name, figures in api_state(args, apps, paths,
                                           index).items():
                runs[state][name].append(figures)
            if state == 'running':
                cores.append((group.cpu_seconds() - cpu)
                             / (time.monotonic() - started))
        log('  API, %d %s workers, round %d/%d (paused / running, '
            'req/s): %s; tasks %s'
            % (group.count, what, index + 1, args.api_rounds,
               '; '.join('%s %s %.1f / %.1f' % (
                   scenario, name, runs['paused'][name][-1][scenario],
                   runs['running'][name][-1][scenario])
                   for scenario in API_SCENARIOS for name in runs['paused']),
               status_counts(database)))
    group.signal(signal.SIGCONT)
    result = {'cores': statistics.median(cores)}
    for scenario in API_SCENARIOS:
        figures = {}
        ratios = {}
        for state in _STATES:
            figures[state] = {
                name: statistics.median(r[scenario] for r in by_app)
                for name, by_app in runs[state].items()}
            ratios[state] = [t[scenario] / f[scenario] for t, f in zip(
                runs[state]['task_api'], runs[state]['floor'])]
            figures[state]['ratio'] = statistics.median(ratios[state])
        # NOTE: of the medians rather than a median of each round's
        # quotient: a run that went wrong (say one whose connections
        # stayed unshared after every try of servers.drive) then spoils
        # one figure, not a round.
        figures['kept'] = (figures['running']['ratio']
                           / figures['paused']['ratio'])
        figures['throughput'] = statistics.median(
            running[scenario] / paused[scenario]
            for paused, running in zip(runs['paused']['task_api'],
                                       runs['running']['task_api']))
        result[scenario] = figures
    return result


def api_runs(args, database, apps, images, config_files, rate):
    """The API's show and list figures beside idle, then busy workers.

    ``apps`` are task_api's server and the floor's; ``rate`` (tasks/s)
    sizes the busy run.
    """
    app = apps[0]
    paths, _ = run.write_requests(args, database)
    count = max(args.worker_counts)
    # NOTE: a warm-up of both first.
    for each in apps:
        servers.run_wrk(each.url, paths['show'], 2, args.connections,
                        args.wrk_threads)
    results = {'workers': count}
    group = workers(args, count, config_files)
    # NOTE: the workers' start (imports, first claim) is not idleness.
    group.start(wait=True)
    try:
        results['idle'] = api_rounds(args, database, apps, paths, group,
                                     'idle')
    finally:
        group.stop()
    # NOTE: enough tasks to keep the workers busy through every running
    # half of the rounds at the rate they ran alone, and half again.
    running = args.api_rounds * (
        len(apps) * len(API_SCENARIOS) * args.api_duration + 1)
    ids = create_tasks(app, images, '/%s-api' % args.db,
                       int(rate * running * 1.5) + 20)
    group = workers(args, count, config_files)
    group.start()
    try:
        wait_for_tasks(database, group, len(ids), 120, until_started=True)
        before = status_counts(database)
        results['busy'] = api_rounds(args, database, apps, paths, group,
                                     'busy')
        counts = status_counts(database)
    finally:
        group.stop()
    results['busy']['tasks'] = sum(
        counts.get(status, 0) - before.get(status, 0)
        for status in _FINISHED)
    results['busy']['throughout'] = counts.get('pending', 0) > 0
    clear(args, database)
    return results


def run_backend(args, images):
    """Every run on one backend; return its report (a dict)."""
    os.makedirs(args.workdir, exist_ok=True)
    log('worker benchmark on %s: %d imports of %d bytes through %s '
        'workers of %d threads, poll_interval %s s; work directory %s'
        % (args.db, args.tasks, args.image_size,
           ', '.join(map(str, args.worker_counts)), args.threads,
           args.poll_interval, args.workdir))
    database, base_config = prepare_database(args)
    shared, own = write_worker_config(args, images)
    clear(args, database)
    app = api_server(args, [base_config, shared])
    worker_files = [base_config, shared, own]
    report = {'db': args.db, 'tasks': args.tasks, 'threads': args.threads,
              'poll_interval': args.poll_interval,
              'image_size': args.image_size, 'runs': [], 'api': None,
              'cpu_count': os.cpu_count(), 'api_rounds': args.api_rounds,
              'nice': args.worker_nice,
              'worker_cpus': sorted(args.worker_cpus),
              'overhead': None}
    if args.overhead_tasks:
        report['overhead'] = claim_overhead(args, worker_files)
        clear(args, database)
        log('  claim overhead: %.2f ms a task (claim %.2f, release '
            '%.2f); no-op tasks %.1f/s on %d threads'
            % (report['overhead']['claim_ms_per_task'],
               report['overhead']['ms_per_task']['task_claim'],
               report['overhead']['ms_per_task']['task_claim_release'],
               report['overhead']['tasks_per_second'], args.threads))
    app.start()
    try:
        log('  task_api serves on %s; images on port %d'
            % (app.url, images.port))
        for index, count in enumerate(args.worker_counts):
            figures = worker_run(args, database, app, images, worker_files,
                                 count)
            report['runs'].append(figures)
            last = index == len(args.worker_counts) - 1
            if not (last and args.keep_tasks):
                clear(args, database)
        base = report['runs'][0]['tasks_per_second']
        for figures in report['runs']:
            figures['scaling'] = figures['tasks_per_second'] / base
        if args.api_duration:
            if args.keep_tasks:
                log('  --keep-tasks: the API figures are left out')
            else:
                floor = run.floor_server(database, args.workdir,
                                         args.server_workers,
                                         args.server_threads)
                floor.start()
                try:
                    report['api'] = api_runs(
                        args, database, [app, floor], images, worker_files,
                        report['runs'][-1]['tasks_per_second'])
                finally:
                    floor.stop()
    finally:
        app.stop()
    return report


# -- the claim overhead, in a process of its own -----------------------------

def measure_claims(config_files, count, threads):
    """Time the DB API calls of ``count`` no-op tasks; print BENCH_JSON.

    ``threads`` threads run the tasks through one runner.Worker.

    The worker is task_api's own (task_api.worker.runner.Worker: claim,
    move to processing, run the flow with its cancel points, success,
    release); only its flow is a no-op and its DB API is wrapped to time
    each call. Each thread claims one task at a time (Worker.run_once),
    the claim loop's busiest case: one claim call per task.
    """
    from stevedore import extension
    from taskflow.patterns import linear_flow
    from taskflow import task as flow_task

    from task_api.common import service
    from task_api import context as task_context
    from task_api.db import api as db_api
    from task_api.worker import flows
    from task_api.worker import runner

    argv = []
    for path in config_files:
        argv += ['--config-file', path]
    service.prepare_command(argv, 'benchmarks.workers', __doc__)

    class Noop(flow_task.Task):
        default_provides = 'result'

        def execute(self):
            return {}

    class NoopFlow(flows.FlowFactory):
        def get_flow(self, task):
            return linear_flow.Flow('noop').add(Noop())

    class TimedDBAPI:
        def __init__(self, dbapi):
            self._dbapi = dbapi
            self.seconds = collections.Counter()
            self.calls = collections.Counter()
            self._lock = threading.Lock()

        def __getattr__(self, name):
            method = getattr(self._dbapi, name)

            def timed(*args, **kwargs):
                started = time.perf_counter()
                try:
                    return method(*args, **kwargs)
                finally:
                    elapsed = time.perf_counter() - started
                    with self._lock:
                        self.seconds[name] += elapsed
                        self.calls[name] += 1
            return timed

    dbapi = db_api.get_instance()
    context = task_context.get_admin_context()

    def create():
        dbapi.task_create(context, {
            'type': NOOP_TYPE, 'status': 'pending',
            'owner': seed.BENCH_OWNER, 'input': {}, 'result': None,
            'message': ''})

    for _ in range(count):
        create()
    registry = flows.FlowRegistry(
        manager=extension.ExtensionManager.make_test_instance(
            [extension.Extension(NOOP_TYPE, None, NoopFlow, NoopFlow())]))
    timed = TimedDBAPI(dbapi)
    worker = runner.Worker(worker_id='benchmarks-claims', registry=registry,
                           dbapi=timed)
    done = collections.Counter()

    def drain(index):
        while worker.run_once(1):
            done[index] += 1

    started = time.perf_counter()
    pool = [threading.Thread(target=drain, args=(index,))
            for index in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    seconds = time.perf_counter() - started
    # NOTE: the figures of the run alone: count + threads claim calls (the
    # last of each thread finds nothing), count releases.
    spent, calls = dict(timed.seconds), dict(timed.calls)
    # NOTE: the renewal is one UPDATE of every task a worker holds, every
    # third of lease_seconds: timed once here, with ``threads`` tasks held.
    for _ in range(threads):
        create()
    held = worker.claim(threads)
    renew_started = time.perf_counter()
    worker.renew()
    renew_ms = 1000 * (time.perf_counter() - renew_started)
    for claim in held:
        worker.execute(claim)
    ran = sum(done.values())
    per_task = {name: 1000.0 * value / ran
                for name, value in spent.items()}
    claim_ms = per_task.get('task_claim', 0) + per_task.get(
        'task_claim_release', 0)
    figures = {
        'tasks': ran, 'threads': threads, 'seconds': seconds,
        'tasks_per_second': ran / seconds,
        'ms_per_task': per_task,
        'calls_per_task': {name: value / ran
                           for name, value in calls.items()},
        'claim_ms_per_task': claim_ms,
        'db_ms_per_task': sum(per_task.values()),
        'renew_ms': renew_ms,
    }
    print('BENCH_JSON ' + json.dumps(figures), flush=True)
    return ran == count


# -- report ------------------------------------------------------------------

def report_lines(report):
    lines = []
    out = lines.append
    out('')
    out('task_api workers on %s: %d small imports (%d-byte raw images) a '
        'run; each worker %d threads, poll_interval %s s%s'
        % (report['db'], report['tasks'], report['image_size'],
           report['threads'], report['poll_interval'],
           (', niceness %d' % report['nice'] if report.get('nice') else '')
           + (', on CPUs %s (the rest on the others)' % ','.join(
               map(str, report['worker_cpus']))
              if report.get('worker_cpus') else '')))
    header = '%-8s %7s %8s %8s %10s %14s %11s %6s' % (
        'workers', 'tasks', 'seconds', 'tasks/s', 'x 1 worker',
        'thread-ms/task', 'CPU ms/task', 'cores')
    out(header)
    out('-' * len(header))
    for figures in report['runs']:
        out('%-8d %7d %8.1f %8.1f %10.2f %14.1f %11.1f %6.2f' % (
            figures['workers'], figures['tasks'], figures['seconds'],
            figures['tasks_per_second'], figures['scaling'],
            figures['thread_ms_per_task'], figures['cpu_ms_per_task'],
            figures['cores']))
    out('(thread-ms/task: time every worker thread was held, per task; '
        'CPU ms/task and cores: CPU the worker processes used, of the '
        '%d cores of this machine)' % report['cpu_count'])
    out('(every task ended in success, each image fetched once)')
    overhead = report['overhead']
    if overhead:
        per_task = overhead['ms_per_task']
        first = report['runs'][0]
        out('')
        out('Claim overhead, %d no-op tasks on %d threads: %.2f ms a task '
            '(task_claim %.2f + task_claim_release %.2f); renewal %.2f ms '
            'a call for all held tasks, every lease_seconds / 3'
            % (overhead['tasks'], overhead['threads'],
               overhead['claim_ms_per_task'], per_task.get('task_claim', 0),
               per_task.get('task_claim_release', 0), overhead['renew_ms']))
        out('  whole no-op task: %.2f ms of DB API calls, %.1f tasks/s; '
            'claiming is %.1f%% of an import\'s %.1f thread-ms with 1 '
            'worker'
            % (overhead['db_ms_per_task'], overhead['tasks_per_second'],
               100.0 * overhead['claim_ms_per_task']
               / first['thread_ms_per_task'], first['thread_ms_per_task']))
    api = report['api']
    if api:
        out('')
        out('API beside %d workers (requests/s, medians of %d rounds; the '
            'same workers paused with SIGSTOP, then running; task_api and '
            'the floor driven in turn)'
            % (api['workers'], report['api_rounds']))
        header = '%-5s %-7s %9s %9s %9s %9s %8s %8s %6s %6s' % (
            '', 'workers', 'paused', 'running', 'paused', 'running',
            'paused', 'running', 'kept', 'cores')
        out('%-13s %-19s %-19s %-17s'
            % ('', 'task_api', 'floor', 'task_api / floor'))
        out(header)
        out('-' * len(header))
        for state in ('idle', 'busy'):
            for scenario in API_SCENARIOS:
                figures = api[state][scenario]
                out('%-5s %-7s %9.1f %9.1f %9.1f %9.1f %8.2f %8.2f %6.2f '
                    '%6.2f' % (
                        scenario, state, figures['paused']['task_api'],
                        figures['running']['task_api'],
                        figures['paused']['floor'],
                        figures['running']['floor'],
                        figures['paused']['ratio'],
                        figures['running']['ratio'], figures['kept'],
                        api[state]['cores']))
        out('(kept: the running ratio / the paused ratio; '
            'cores: CPU the running workers used; the busy workers ended '
            '%d tasks%s)'
            % (api['busy']['tasks'], '' if api['busy']['throughout'] else
               ', and ran out of tasks before the last round ended'))
        out('(task_api\'s own throughput, running / paused: %s; on a host '
            'the workers share, the API loses the CPU they take)'
            % ', '.join('%s %s %.2f' % (scenario, state,
                                        api[state][scenario]['throughput'])
                        for state in ('idle', 'busy')
                        for scenario in API_SCENARIOS))
        for state in ('idle', 'busy'):
            for scenario in API_SCENARIOS:
                value = api[state][scenario]['kept']
                out('%s  %s task_api / floor with %s workers running >= '
                    '%.1f x paused: %.2f'
                    % ('PASS' if value >= KEPT else 'FAIL', scenario, state,
                       KEPT, value))
    return lines


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if '--measure-claims' in argv:
        parser = argparse.ArgumentParser()
        parser.add_argument('--measure-claims', type=int)
        parser.add_argument('--measure-threads', type=int)
        parser.add_argument('--config-file', action='append')
        inner = parser.parse_args(argv)
        return 0 if measure_claims(inner.config_file, inner.measure_claims,
                                   inner.measure_threads) else 2
    args = parse_args(argv)
    if args.api_duration and not shutil.which('wrk'):
        print('wrk is missing: apt-get install -y wrk, or --api-duration 0',
              file=sys.stderr)
        return 2
    if args.worker_cpus:
        # NOTE: what this process starts from now on (the API servers,
        # wrk) inherits its CPUs; the workers are placed on theirs.
        os.sched_setaffinity(0, os.sched_getaffinity(0) - args.worker_cpus)
    images = ImageServer(args.image_size)
    images.start()
    reports = []
    sound = True
    try:
        for kind in args.dbs:
            try:
                reports.append(run_backend(for_backend(args, kind), images))
            except BenchmarkError as error:
                print('\nBROKEN on %s: %s' % (kind, error), file=sys.stderr,
                      flush=True)
                sound = False
    finally:
        images.stop()
    for report in reports:
        print('\n'.join(report_lines(report)), flush=True)
    if args.json:
        with open(args.json, 'w') as stream:
            json.dump(reports, stream, indent=1, sort_keys=True)
    log('done')
    return 0 if sound else 2


if __name__ == '__main__':
    sys.exit(main())
