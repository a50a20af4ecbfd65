"""Run the task_api benchmarks: ``python -m benchmarks.run [options]``.

For each size N: seed (or reuse) a database of N tasks, serve task_api
(its production paste pipeline, noauth) and the floor application under
the same gunicorn settings, check that both answer with the same bytes,
then drive every scenario with wrk, alternating task_api and the floor
round after round, and print a table per N, the growth between the
smallest and the largest N, and the target checks. See README.rst.

Exit status: 0 when the run is sound, whatever the targets say; 2 when
something is broken (a server does not start, bodies differ, too many
errors or unexpected statuses under load).
"""

import argparse
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid

from benchmarks import floor
from benchmarks import seed
from benchmarks import servers
from benchmarks.servers import BenchmarkError

PASTE_CONFIG = os.path.join(servers.REPO_ROOT, 'etc', 'task_api',
                            'api-paste.ini')
APPS = ('task_api', 'floor')

#: name, label, expected status.
SCENARIOS = (
    ('show', 'show (200)', 200),
    ('show_304', 'show If-None-Match (304)', 304),
    ('show_404', 'show missing id (404)', 404),
    ('list', 'list default page (25)', 200),
    ('list_status', 'list status filter', 200),
    ('list_deep', 'list deep marker page', 200),
    ('create', 'create (201)', 201),
)
_SCENARIO_NAMES = tuple(name for name, _, _ in SCENARIOS)
_LABELS = {name: label for name, label, _ in SCENARIOS}
_STATUS = {name: status for name, _, status in SCENARIOS}
_SHOW_SAMPLE = 5000
_DEEP_PAGE = 100
_PAGE = 25
_STATUSES = ('success', 'failure', 'processing', 'pending')
_CREATE_BODIES = 200
_SOAK_INTERVAL = 30
#: the backends of a run by default: a database server and the embedded
#: SQLite file task_api uses when none is configured.
_DEFAULT_DBS = ('postgresql', 'sqlite')

_STARTED = time.monotonic()


def log(message):
    elapsed = time.monotonic() - _STARTED
    print('[%3d:%02d] %s' % (elapsed // 60, elapsed % 60, message),
          flush=True)


def parse_args(argv):
    env = os.environ.get
    parser = argparse.ArgumentParser(
        prog='python -m benchmarks.run', description=__doc__.split('\n')[0])
    parser.add_argument(
        '--db', default=env('TASK_API_BENCH_DB', ','.join(_DEFAULT_DBS)),
        help='comma-separated database backends, run one after the other: '
             'postgresql, mysql, sqlite (TASK_API_BENCH_DB; default %s)'
             % ','.join(_DEFAULT_DBS))
    parser.add_argument(
        '--db-url', default=env('TASK_API_BENCH_DB_URL'),
        help='SQLAlchemy URL of the database server, with a user that may '
             'create databases (TASK_API_BENCH_DB_URL; default the '
             'openstack_citest user on localhost); for the backend it '
             'names')
    parser.add_argument(
        '--sizes', default=env('TASK_API_BENCH_SIZES', '1000,1000000'),
        help='comma-separated numbers of seeded tasks (default '
             '1000,1000000)')
    parser.add_argument('--duration', type=int, default=10,
                        help='seconds of each wrk run (default 10)')
    parser.add_argument('--warmup', type=int, default=2,
                        help='seconds of warm-up per scenario and '
                             'application (default 2)')
    parser.add_argument('--connections', type=int, default=16,
                        help='wrk connections (default 16)')
    parser.add_argument('--wrk-threads', type=int, default=2,
                        help='wrk threads (default 2)')
    parser.add_argument('--rounds', type=int, default=2,
                        help='A/B rounds per scenario; the median is '
                             'reported (default 2)')
    parser.add_argument('--workers', type=int, default=2,
                        help='gunicorn worker processes (default 2)')
    parser.add_argument('--threads', type=int, default=4,
                        help='threads per gunicorn worker (default 4)')
    parser.add_argument('--scenarios', default=','.join(_SCENARIO_NAMES),
                        help='comma-separated subset of: %s'
                             % ', '.join(_SCENARIO_NAMES))
    parser.add_argument(
        '--soak', type=float,
        default=float(env('TASK_API_BENCH_SOAK', '5')),
        help='minutes of show+list load on task_api at the largest N, '
             'sampling worker RSS every 30 s (TASK_API_BENCH_SOAK; '
             'default 5; 0 skips it)')
    parser.add_argument('--max-error-share', type=float, default=0.01,
                        help='share of failed or unexpected responses '
                             'above which the run is broken (default '
                             '0.01)')
    parser.add_argument('--reseed', action='store_true',
                        help='rebuild the databases even when a seed of '
                             'the same N exists')
    parser.add_argument(
        '--workdir', default=env('TASK_API_BENCH_DIR', os.path.join(
            tempfile.gettempdir(), 'task_api_bench')),
        help='configuration, request files, logs and SQLite databases '
             '(TASK_API_BENCH_DIR)')
    args = parser.parse_args(argv)
    args.sizes = [int(size.replace('_', '')) for size in
                  args.sizes.split(',') if size.strip()]
    args.scenarios = [name.strip() for name in args.scenarios.split(',')
                      if name.strip()]
    unknown = set(args.scenarios) - set(_SCENARIO_NAMES)
    if unknown:
        parser.error('unknown scenarios: %s' % ', '.join(sorted(unknown)))
    args.dbs = [kind.strip() for kind in args.db.split(',') if kind.strip()]
    unknown = set(args.dbs) - set(seed.DEFAULT_URLS)
    if unknown or not args.dbs:
        parser.error('unknown database backends: %s'
                     % (', '.join(sorted(unknown)) or '(none)'))
    return args


def for_backend(args, kind, first):
    """The settings of the run on one backend, in a directory of its own.

    The soak runs on the first backend only.
    """
    backend = argparse.Namespace(**vars(args))
    backend.db = kind
    url = args.db_url
    if not url or not url.startswith(kind):
        url = seed.DEFAULT_URLS[kind]
    backend.db_url = url
    backend.workdir = os.path.join(args.workdir, kind)
    if not first:
        backend.soak = 0
    return backend


# -- preparation -------------------------------------------------------------

def prepare_database(args, size):
    database = seed.Database(args.db, args.db_url, size, args.workdir)
    config = write_config(args, database)
    if not args.reseed and database.seeded_size() == size:
        log('N=%s: reusing the seeded database %s' % (
            _n(size), database.name))
        # NOTE: a database seeded by an older tree gets the migrations
        # added since, as an operator's would.
        database.sync_schema(config)
        removed = database.remove_created()
        if removed:
            log('  removed %d tasks left by an earlier create run'
                % removed)
            database.analyze()
        return database, config
    log('N=%s: creating %s with task_api migrations' % (
        _n(size), database.name))
    database.recreate()
    database.sync_schema(config)
    database.seed(log)
    return database, config


def write_config(args, database):
    path = os.path.join(args.workdir, 'task_api-%d.conf' % database.size)
    with open(path, 'w') as config:
        config.write(
            '[DEFAULT]\n'
            'state_path = %(workdir)s\n'
            'log_file = %(workdir)s/task_api-%(size)d.log\n'
            '\n[api]\n'
            'auth_mode = noauth\n'
            'paste_config = %(paste)s\n'
            '\n[database]\n'
            'connection = %(url)s\n'
            % {'workdir': args.workdir, 'size': database.size,
               'paste': PASTE_CONFIG,
               'url': database.url.replace('%', '%%')})
    return path


def _request_line(method, path, headers=None, body=None):
    header_text = '|'.join('%s: %s' % item for item in
                           (headers or {}).items()) or '-'
    return '%s\t%s\t%s\t%s\n' % (method, path, header_text, body or '-')


def write_requests(args, database):
    """Write the request file of every scenario; return their paths.

    Also returns what the equality checks need: a sample of show ids, the
    list paths and the create bodies.
    """
    rng = random.Random(database.size)
    directory = os.path.join(args.workdir, 'requests-%d' % database.size)
    os.makedirs(directory, exist_ok=True)
    ids = database.all_ids()
    show_ids = rng.sample(ids, min(_SHOW_SAMPLE, len(ids)))
    rows = database.show_rows(show_ids)
    tags = {row[0]: floor.etag(floor.render_show(row)) for row in rows}
    visible = database.visible_ids(_DEEP_PAGE * _PAGE)
    # NOTE: the page _DEEP_PAGE pages down, or the last full page when N
    # is too small to hold that many; 200 markers around it, so that the
    # deep scenario does not read one hot page.
    depth = max(2, min(_DEEP_PAGE, len(visible) // _PAGE))
    last = (depth - 1) * _PAGE - 1
    markers = visible[max(0, last - 199):last + 1]
    create_bodies = []
    for index in range(_CREATE_BODIES):
        image_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        create_bodies.append(json.dumps({
            'type': 'api_image_import',
            'input': {'image_id': image_id, 'import_req': {
                # NOTE: a literal public address: the import filter
                # refuses a name it cannot resolve, and the benchmark
                # machine may have no DNS.
                'method': {'name': 'web-download',
                           'uri': 'https://192.0.43.10/%d.qcow2'
                                  % index}}}}))
    lines = {
        'show': [_request_line('GET', '/v2/tasks/' + task_id)
                 for task_id in show_ids],
        'show_304': [_request_line('GET', '/v2/tasks/' + task_id,
                                   {'If-None-Match': '"%s"' % tags[task_id]})
                     for task_id in show_ids],
        'show_404': [_request_line('GET', '/v2/tasks/%s' % uuid.UUID(
            int=rng.getrandbits(128), version=4)) for _ in range(1000)],
        'list': [_request_line('GET', '/v2/tasks')],
        'list_status': [_request_line('GET', '/v2/tasks?status=' + status)
                        for status in _STATUSES],
        'list_deep': [_request_line('GET', '/v2/tasks?marker=' + marker)
                      for marker in markers],
        'create': [_request_line('POST', '/v2/tasks', body=body)
                   for body in create_bodies],
    }
    lines['soak'] = (lines['show'][:1000] + lines['list'] * 50
                     + lines['list_status'] * 25 + lines['list_deep'][:100])
    rng.shuffle(lines['soak'])
    paths = {}
    for name, content in lines.items():
        paths[name] = os.path.join(directory, name + '.txt')
        with open(paths[name], 'w') as request_file:
            request_file.writelines(content)
    return paths, {
        'show_ids': show_ids, 'tags': tags, 'depth': depth,
        'markers': markers, 'create_bodies': create_bodies,
        'visible': len(visible),
    }


# -- checks ------------------------------------------------------------------

def _special_ids(database):
    """Tasks whose bodies are the most likely to differ."""
    ids = []
    for condition, args in (('i.input LIKE %s', ('%s3cr3t%',)),
                            ('t.deleted = %s', (True,)),
                            ('t.expires_at IS NULL', ()),
                            ('i.input LIKE %s', ('%\\\\u0%',))):
        ids.extend(row[0] for row in database.query(
            'SELECT t.id FROM tasks t JOIN task_info i ON i.task_id = t.id '
            'WHERE ' + condition + ' ORDER BY t.id LIMIT 3', args))
    return ids


def _same(what, results):
    (status_a, headers_a, body_a), (status_b, headers_b, body_b) = results
    if status_a != status_b or body_a != body_b:
        raise BenchmarkError(
            'task_api and the floor answer %s differently:\n'
            '  task_api %s %r\n  floor    %s %r'
            % (what, status_a, body_a[:600], status_b, body_b[:600]))


def check_same_answers(database, apps, extra):
    """Fail loudly unless both applications answer with the same bytes."""
    rng = random.Random(1)
    show_ids = rng.sample(extra['show_ids'], min(40, len(
        extra['show_ids']))) + _special_ids(database)
    for task_id in show_ids:
        path = '/v2/tasks/' + task_id
        results = [app.request('GET', path) for app in apps]
        _same('GET ' + path, results)
        if results[0][0] != 200:
            raise BenchmarkError('GET %s answered %s' % (path, results[0][0]))
        tags = [headers.get('etag') for _, headers, _ in results]
        if tags[0] != tags[1]:
            raise BenchmarkError('ETags of %s differ: %s' % (path, tags))
        for app in apps:
            status, _, body = app.request('GET', path,
                                          {'If-None-Match': tags[0]})
            if status != 304 or body:
                raise BenchmarkError('%s answers %s to a matching '
                                     'If-None-Match on %s'
                                     % (app.name, status, path))
    missing = '/v2/tasks/%s' % uuid.uuid4()
    results = [app.request('GET', missing) for app in apps]
    _same('GET ' + missing, results)
    if results[0][0] != 404:
        raise BenchmarkError('GET %s answered %s' % (missing, results[0][0]))
    paths = (['/v2/tasks'] + ['/v2/tasks?status=' + s for s in _STATUSES]
             + ['/v2/tasks?marker=' + m for m in extra['markers'][::50]])
    for path in paths:
        results = [app.request('GET', path) for app in apps]
        _same('GET ' + path, results)
        if results[0][0] != 200:
            raise BenchmarkError('GET %s answered %s' % (path, results[0][0]))
    bodies = []
    for app in apps:
        status, headers, body = app.request(
            'POST', '/v2/tasks', {'Content-Type': 'application/json'},
            extra['create_bodies'][0])
        if status != 201 or not headers.get('location', '').endswith(
                '/v2/tasks/' + json.loads(body)['id']):
            raise BenchmarkError('%s answers POST /v2/tasks with %s %r'
                                 % (app.name, status, body[:300]))
        created = json.loads(body)
        for key in ('id', 'self', 'created_at', 'updated_at', 'request_id'):
            created[key] = key
        bodies.append(created)
    if bodies[0] != bodies[1] or list(bodies[0]) != list(bodies[1]):
        raise BenchmarkError('task_api and the floor create differently:\n'
                             '  task_api %r\n  floor    %r' % tuple(bodies))
    database.remove_created()
    log('  both applications give the same answers (%d shows, %d lists, '
        '404, 304, create)' % (len(show_ids), len(paths)))


def check_load(args, app, scenario, figures):
    """Raise when a run had too many errors or unexpected statuses."""
    requests = figures['requests']
    if not requests:
        raise BenchmarkError('%s %s: no request completed'
                             % (app.name, scenario))
    failed = (figures['connect'] + figures['read'] + figures['write']
              + figures['timeout'])
    status_errors = figures['status']
    if _STATUS[scenario] == 404:
        status_errors = requests - status_errors
    if scenario == 'show_304' and figures['bytes'] / requests > 450:
        raise BenchmarkError('%s %s: %.0f bytes a response, not 304s'
                             % (app.name, scenario,
                                figures['bytes'] / requests))
    for what, count in (('socket errors', failed),
                        ('unexpected statuses', status_errors)):
        if count > args.max_error_share * requests:
            raise BenchmarkError(
                '%s %s: %d %s in %d requests; the log %s ends with:\n%s'
                % (app.name, scenario, count, what, requests,
                   app.log_path, app.log_tail()))


# -- the runs ----------------------------------------------------------------

def floor_server(database, workdir, workers, threads):
    """The floor served by gunicorn on ``database``, as task_api is."""
    return servers.Server('floor', 'benchmarks.floor:application',
                          {'TASK_API_BENCH_FLOOR_DB': database.floor_spec()},
                          os.path.join(workdir, 'gunicorn-floor.log'),
                          workers, threads)


def run_size(args, size, results, memory):
    database, config = prepare_database(args, size)
    paths, extra = write_requests(args, database)
    log('  %d listed tasks; deep pages are %d pages down'
        % (extra['visible'], extra['depth']))
    apps = [
        servers.Server('task_api', 'task_api.wsgi.api:application',
                       {'OS_TASK_API_CONFIG_FILES': config},
                       os.path.join(args.workdir, 'gunicorn-task_api.log'),
                       args.workers, args.threads),
        floor_server(database, args.workdir, args.workers, args.threads),
    ]
    try:
        for app in apps:
            app.start()
            log('  %s serves on %s (workers %s)'
                % (app.name, app.url, app.worker_pids()))
        check_same_answers(database, apps, extra)
        for scenario in args.scenarios:
            for app in apps:
                figures = servers.drive(
                    app, paths[scenario], args.warmup,
                    args.connections, args.wrk_threads, log)
                check_load(args, app, scenario, figures)
            if scenario == 'create':
                database.remove_created()
        memory[size] = {'start': {app.name: app.rss() for app in apps}}
        log('  warmed up; RSS per worker: %s' % _rss_text(
            memory[size]['start']))
        for scenario in args.scenarios:
            for round_index in range(args.rounds):
                for app in apps:
                    figures = servers.drive(
                        app, paths[scenario], args.duration,
                        args.connections, args.wrk_threads, log)
                    check_load(args, app, scenario, figures)
                    results.setdefault(size, {}).setdefault(
                        scenario, {}).setdefault(app.name, []).append(
                            figures)
                    log('  %-24s round %d/%d %-8s %8.1f req/s  p50 %s  '
                        'p99 %s' % (_LABELS[scenario], round_index + 1,
                                    args.rounds, app.name, figures['rps'],
                                    _ms(figures['p50_us']),
                                    _ms(figures['p99_us'])))
                if scenario == 'create':
                    database.remove_created()
        memory[size]['end'] = {app.name: app.rss() for app in apps}
        log('  RSS per worker after the runs: %s'
            % _rss_text(memory[size]['end']))
        if args.soak and size == max(args.sizes):
            memory['soak'] = soak(args, apps[0], paths['soak'])
    finally:
        for app in apps:
            app.stop()
        if 'create' in args.scenarios:
            database.remove_created()
            database.analyze()
    results.setdefault('extra', {})[size] = {'depth': extra['depth']}


def soak(args, app, request_file):
    """Load task_api for --soak minutes; sample its workers' RSS."""
    duration = int(args.soak * 60)
    log('  soak: %d s of show+list load on %s, RSS every %d s'
        % (duration, app.name, _SOAK_INTERVAL))
    process = servers.run_wrk(app.url, request_file, duration,
                              args.connections, args.wrk_threads,
                              background=True)
    samples = []
    started = time.monotonic()
    # NOTE: a sample every _SOAK_INTERVAL seconds, and a last one just
    # before wrk stops, while the load is still on.
    moments = list(range(_SOAK_INTERVAL, duration - 1, _SOAK_INTERVAL))
    for moment in moments + [duration - 1]:
        time.sleep(max(0, started + moment - time.monotonic()))
        if process.poll() is not None:
            break
        samples.append((time.monotonic() - started, app.rss()))
        log('  soak %4.0f s: RSS per worker %s' % (
            samples[-1][0], ', '.join('%.1f' % s for s in samples[-1][1])))
    figures = servers.wrk_result(process, duration)
    check_load(args, app, 'show', figures)
    log('  soak: %.1f req/s, %d requests'
        % (figures['rps'], figures['requests']))
    return {'samples': samples, 'rps': figures['rps'],
            'seconds': duration}


# -- report ------------------------------------------------------------------

def _n(size):
    return '{:,}'.format(size)


def _ms(microseconds):
    return '%.1f ms' % (microseconds / 1000.0)


def _rss_text(by_app):
    return '; '.join('%s %s MiB' % (name, ', '.join(
        '%.1f' % size for size in sizes)) for name, sizes in by_app.items())


def _median(runs, key):
    return statistics.median(run[key] for run in runs)


def summarize(results, size):
    """Median figures: {scenario: {app: {rps, p50, p99}}}."""
    summary = {}
    for scenario, by_app in results.get(size, {}).items():
        summary[scenario] = {app: {key: _median(runs, source) for key, source
                                   in (('rps', 'rps'), ('p50', 'p50_us'),
                                       ('p99', 'p99_us'))}
                             for app, runs in by_app.items()}
    return summary


def report(args, results, memory):
    lines = []
    out = lines.append
    out('')
    out('task_api benchmarks: %s, gunicorn gthread %d workers x %d threads '
        'for both, wrk -t%d -c%d -d%ds, %d A/B rounds (medians)'
        % (args.db, args.workers, args.threads, args.wrk_threads,
           args.connections, args.duration, args.rounds))
    header = ('%-26s %10s %10s %6s | %9s %9s | %9s %9s %6s'
              % ('scenario', 'task_api', 'floor', 'ratio', 'p50 t_api',
                 'p50 floor', 'p99 t_api', 'p99 floor', 'ratio'))
    for size in args.sizes:
        summary = summarize(results, size)
        if not summary:
            continue
        out('')
        out('N = %s tasks (deep page: %d pages down)' % (
            _n(size), results['extra'][size]['depth']))
        out(header)
        out('-' * len(header))
        for scenario in args.scenarios:
            if scenario not in summary:
                continue
            a, b = summary[scenario]['task_api'], summary[scenario]['floor']
            out('%-26s %10.1f %10.1f %6.2f | %9s %9s | %9s %9s %6.2f'
                % (_LABELS[scenario], a['rps'], b['rps'],
                   a['rps'] / b['rps'], _ms(a['p50']), _ms(b['p50']),
                   _ms(a['p99']), _ms(b['p99']), a['p99'] / b['p99']))
        out('(throughput in requests/s; ratio = task_api / floor)')
        if size in memory:
            out('RSS per worker (MiB): after warm-up %s; after the runs %s'
                % (_rss_text(memory[size]['start']),
                   _rss_text(memory[size]['end'])))
    small, large = min(args.sizes), max(args.sizes)
    growth = {}
    if small != large and results.get(small) and results.get(large):
        first, last = summarize(results, small), summarize(results, large)
        out('')
        out('Growth from N = %s to N = %s (figure at %s / figure at %s)'
            % (_n(small), _n(large), _n(large), _n(small)))
        header = ('%-26s %9s %9s %9s | %9s %9s %9s'
                  % ('scenario', 'rps t_api', 'p50 t_api', 'p99 t_api',
                     'rps floor', 'p50 floor', 'p99 floor'))
        out(header)
        out('-' * len(header))
        for scenario in args.scenarios:
            if scenario not in first or scenario not in last:
                continue
            ratios = {app: {key: last[scenario][app][key]
                            / first[scenario][app][key]
                            for key in ('rps', 'p50', 'p99')}
                      for app in APPS}
            growth[scenario] = ratios
            out('%-26s %9.2f %9.2f %9.2f | %9.2f %9.2f %9.2f' % (
                _LABELS[scenario], *[ratios[app][key] for app in APPS
                                     for key in ('rps', 'p50', 'p99')]))
    out('')
    out('Targets')
    out('-------')
    for line in target_lines(args, results, memory, growth):
        out(line)
    print('\n'.join(lines), flush=True)


def target_lines(args, results, memory, growth):
    large = max(args.sizes)
    summary = summarize(results, large)
    lines = []

    def check(ok, text):
        lines.append('%s  %s' % ('PASS' if ok else 'FAIL', text))

    def ratio(scenario, key):
        by_app = summary[scenario]
        return by_app['task_api'][key] / by_app['floor'][key]

    where = 'at N = %s' % _n(large)
    if 'show' in summary:
        value = ratio('show', 'rps')
        check(value >= 0.5, 'show throughput >= 0.5 x floor %s: %.2f'
              % (where, value))
        value = ratio('show', 'p99')
        check(value <= 2, 'show p99 <= 2 x floor %s: %.2f' % (where, value))
    if 'show' in summary and 'show_304' in summary:
        value = (summary['show_304']['task_api']['rps']
                 / summary['show']['task_api']['rps'])
        check(value >= 1, '304 at least as fast as 200 %s: %.2f x'
              % (where, value))
    if 'list' in summary:
        value = ratio('list', 'rps')
        check(value >= 0.3, 'list (25, default sort) throughput >= 0.3 x '
              'floor %s: %.2f' % (where, value))
    for scenario in ('show', 'list', 'list_deep'):
        if scenario not in growth:
            continue
        figures = growth[scenario]['task_api']
        cost, latency = 1 / figures['rps'], figures['p50']
        check(cost <= 1.2 and latency <= 1.2,
              'growth of %s from N = %s to %s <= 1.2 x: time per request '
              'x %.2f, p50 x %.2f' % (_LABELS[scenario], _n(min(args.sizes)),
                                      _n(large), cost, latency))
    if large in memory and memory[large].get('end', {}).get('task_api'):
        value = max(memory[large]['end']['task_api'])
        check(value <= 60, 'task_api RSS per worker after the runs <= 60 '
              'MiB: %.1f MiB' % value)
    soak_figures = memory.get('soak')
    if soak_figures and len(soak_figures['samples']) >= 2:
        first = soak_figures['samples'][0][1]
        last = soak_figures['samples'][-1][1]
        grown = [b - a for a, b in zip(first, last)]
        # NOTE: allocators move a little; growth means more than 1 MiB
        # and 2% from the first sample, taken after 30 s of load.
        ok = all(g <= max(1.0, 0.02 * a) for g, a in zip(grown, first))
        check(ok, 'no RSS growth over a %.0f-minute run: %s MiB -> %s MiB'
              % (soak_figures['seconds'] / 60.0,
                 ', '.join('%.1f' % v for v in first),
                 ', '.join('%.1f' % v for v in last)))
    elif not args.soak:
        lines.append('SKIP  no RSS growth over a 5-minute run: --soak 0')
    else:
        lines.append('SKIP  no RSS growth: the soak took fewer than two '
                     'samples; give --soak 1 or more')
    return lines


def run_backend(args):
    """Run every size on one backend and print its report.

    :returns: whether the run was sound.
    """
    os.makedirs(args.workdir, exist_ok=True)
    results, memory = {}, {}
    log('task_api benchmarks on %s, sizes %s, scenarios %s; work '
        'directory %s' % (args.db, ', '.join(_n(s) for s in args.sizes),
                          ', '.join(args.scenarios), args.workdir))
    try:
        for size in args.sizes:
            run_size(args, size, results, memory)
    except BenchmarkError as error:
        print('\nBROKEN on %s: %s' % (args.db, error), file=sys.stderr,
              flush=True)
        if results:
            report(args, results, memory)
        return False
    report(args, results, memory)
    return True


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if not shutil.which('wrk'):
        print('wrk is missing: apt-get install -y wrk', file=sys.stderr)
        return 2
    sound = [run_backend(for_backend(args, kind, index == 0))
             for index, kind in enumerate(args.dbs)]
    log('done')
    return 0 if all(sound) else 2


if __name__ == '__main__':
    sys.exit(main())
