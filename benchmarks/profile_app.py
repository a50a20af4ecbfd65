"""Profile task_api in-process on a benchmark scenario.

``python -m benchmarks.profile_app --size 1000 --scenario show`` builds the
production paste pipeline against the benchmark database of that size
(seeding it when needed, as benchmarks.run does), sends the scenario's
requests straight to the WSGI callable under cProfile, and prints the
functions where the time goes. No server and no network: what is left
is task_api's own cost per request.
"""

import argparse
import collections
import cProfile
import importlib
import io
import os
import pstats
import sys
import time

from benchmarks import run


def _requests(path, count):
    requests = []
    with open(path) as request_file:
        lines = [line.rstrip('\n').split('\t') for line in request_file]
    while len(requests) < count:
        requests.extend(lines)
    return requests[:count]


def _environ(method, path, header_text, body):
    import webob
    request = webob.Request.blank(path, method=method)
    request.host = '127.0.0.1:9292'
    # NOTE: a loopback peer, as under the benchmark's server: noauth
    # answers only those.
    request.remote_addr = '127.0.0.1'
    if header_text != '-':
        for pair in header_text.split('|'):
            name, value = pair.split(':', 1)
            request.headers[name] = value.strip()
    if body != '-':
        request.body = body.encode('utf-8')
        request.content_type = 'application/json'
    return request.environ


def main(argv=None):
    parser = argparse.ArgumentParser(prog='python -m benchmarks.profile_app',
                                     description=__doc__.split('\n')[0])
    parser.add_argument('--size', type=int, default=1000)
    parser.add_argument('--scenario', default='show',
                        choices=run._SCENARIO_NAMES)
    parser.add_argument('--requests', type=int, default=2000)
    parser.add_argument('--top', type=int, default=30)
    parser.add_argument('--sort', default='cumulative',
                        help='pstats sort key (default cumulative)')
    parser.add_argument('--app', choices=('task_api', 'floor', 'stack'),
                        default='task_api',
                        help='the application: task_api\'s paste pipeline '
                             '(default), the floor it is compared with, '
                             'or the stack (benchmarks.stack: the least '
                             'Pecan and SQLAlchemy application; show only)')
    parser.add_argument('--rounds', type=int, default=5,
                        help='rounds of --no-profiler (default 5)')
    parser.add_argument('--dump', metavar='FILE',
                        help='also write the profile to FILE, for pstats '
                             '(callers, callees)')
    parser.add_argument('--no-profiler', action='store_true',
                        help='time the requests without the profiler: '
                             'the median over the rounds of CPU per request')
    args, rest = parser.parse_known_args(argv)
    bench_args = run.parse_args(rest + ['--sizes', str(args.size)])
    # NOTE: the first backend --db names (PostgreSQL by default).
    bench_args = run.for_backend(bench_args, bench_args.dbs[0], True)
    os.makedirs(bench_args.workdir, exist_ok=True)
    database, config = run.prepare_database(bench_args, args.size)
    paths, _ = run.write_requests(bench_args, database)
    if args.app in ('floor', 'stack'):
        os.environ['TASK_API_BENCH_FLOOR_DB'] = database.floor_spec()
        from benchmarks import floor
        # NOTE: the floor reads its database when it is imported, which
        # benchmarks.run did before the database was named.
        importlib.reload(floor)
        module = importlib.import_module('benchmarks.' + args.app)
        application = module.application
    else:
        os.environ['OS_TASK_API_CONFIG_FILES'] = config
        from task_api.wsgi import api
        application = api.application
    environs = [_environ(*fields) for fields in
                _requests(paths[args.scenario], args.requests)]

    statuses = collections.Counter()

    def start_response(status, headers, exc_info=None):
        statuses[status] += 1

    def serve(requests):
        """Send ``requests`` to the application; the CPU time it took."""
        started = time.thread_time()
        for environ in requests:
            environ = dict(environ, **{
                'wsgi.input': io.BytesIO(environ['wsgi.input'].getvalue())})
            b''.join(application(environ, start_response))
        return time.thread_time() - started

    # NOTE: a first pass warms the connection pool and every cache.
    serve(environs[:50])
    print('statuses of the warm-up:', dict(statuses))
    # NOTE: CPU time of this thread, not the wall clock: on a shared
    # machine the time other processes take would fall on whichever
    # function was running.
    profiler = None
    if args.no_profiler:
        rounds = sorted(serve(environs) / len(environs)
                        for _round in range(max(1, args.rounds)))
    else:
        profiler = cProfile.Profile(time.thread_time)
        profiler.enable()
        elapsed = serve(environs)
        profiler.disable()
    if args.scenario == 'create':
        database.remove_created()
    if profiler is None:
        print('%s %s: %.3f ms of CPU per request (median of %d rounds of '
              '%d; rounds from %.3f to %.3f ms)'
              % (args.app, args.scenario, 1000 * rounds[len(rounds) // 2],
                 len(rounds), len(environs), 1000 * rounds[0],
                 1000 * rounds[-1]))
        return 0
    print('%d %s requests in %.2f s of CPU under the profiler: %.2f ms '
          'each'
          % (len(environs), args.scenario, elapsed,
             1000 * elapsed / len(environs)))
    if args.dump:
        profiler.dump_stats(args.dump)
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.strip_dirs().sort_stats(args.sort).print_stats(args.top)
    return 0


if __name__ == '__main__':
    sys.exit(main())
