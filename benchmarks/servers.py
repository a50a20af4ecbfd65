"""The WSGI servers and the load generator of the benchmarks."""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time

LUA_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                          'requests.lua')
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class BenchmarkError(Exception):
    """Something is broken: the figures of this run cannot be trusted."""


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def process_stats():
    """{pid: fields of /proc/<pid>/stat after the command} of every process.

    fields[1] is the parent's pid, fields[11] and [12] the user and system
    CPU time in clock ticks.
    """
    stats = {}
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        try:
            with open('/proc/%s/stat' % entry) as stat:
                stats[int(entry)] = stat.read().rsplit(')', 1)[1].split()
        except OSError:
            continue
    return stats


class Server:
    """A gunicorn master serving ``app``, with its worker processes.

    Both applications run with exactly these settings. The gthread worker
    keeps connections alive, as Apache mod_wsgi and uwsgi in front of an
    OpenStack API do, and its threads let one worker overlap database
    round trips; sync workers would close every connection and measure
    TCP set-up as much as the application.
    """

    def __init__(self, name, app, env, log_path, workers=2, threads=4):
        self.name = name
        self.app = app
        self.env = env
        self.log_path = log_path
        self.workers = workers
        self.threads = threads
        self.port = None
        self.process = None

    @property
    def address(self):
        return '127.0.0.1:%d' % self.port

    @property
    def url(self):
        return 'http://' + self.address

    def start(self, timeout=60):
        self.port = free_port()
        env = dict(os.environ)
        env.update(self.env)
        env['PYTHONPATH'] = os.pathsep.join(
            [REPO_ROOT] + [p for p in [env.get('PYTHONPATH')] if p])
        self.log = open(self.log_path, 'ab')
        self.process = subprocess.Popen(
            self.command(), cwd=REPO_ROOT, env=env, stdout=self.log,
            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchmarkError(
                    '%s did not start (exit %s); its log %s ends with:\n%s'
                    % (self.name, self.process.returncode, self.log_path,
                       self.log_tail()))
            if (len(self.worker_pids()) == self.workers
                    and self._ready()):
                return
            time.sleep(0.2)
        self.stop()
        raise BenchmarkError('%s did not answer within %d s; see %s'
                             % (self.name, timeout, self.log_path))

    def command(self):
        """The command line of the server, listening on ``self.port``."""
        return [
            sys.executable, '-m', 'gunicorn',
            '--workers', str(self.workers),
            '--worker-class', 'gthread', '--threads', str(self.threads),
            '--bind', self.address,
            '--keep-alive', '5',
            '--worker-tmp-dir', '/dev/shm',
            '--log-level', 'warning',
            self.app,
        ]

    def _ready(self):
        try:
            status, _, _ = self.request('GET', '/healthcheck')
        except OSError:
            return False
        return status == 200

    def log_tail(self, lines=30):
        with open(self.log_path, 'rb') as log:
            text = log.read().decode('utf-8', 'replace')
        return '\n'.join(text.splitlines()[-lines:])

    def request(self, method, path, headers=None, body=None):
        """One request: (status, headers dict in lower case, body)."""
        connection = http.client.HTTPConnection('127.0.0.1', self.port,
                                                timeout=30)
        try:
            connection.request(method, path, body=body,
                               headers=headers or {})
            response = connection.getresponse()
            data = response.read()
            return (response.status,
                    {k.lower(): v for k, v in response.getheaders()}, data)
        finally:
            connection.close()

    def worker_pids(self):
        if self.process is None:
            return []
        return sorted(pid for pid, fields in process_stats().items()
                      if int(fields[1]) == self.process.pid)

    def rss(self):
        """VmRSS of each worker process, in MiB."""
        sizes = []
        for pid in self.worker_pids():
            try:
                with open('/proc/%d/status' % pid) as status:
                    for line in status:
                        if line.startswith('VmRSS:'):
                            sizes.append(int(line.split()[1]) / 1024.0)
            except OSError:
                continue
        return sizes

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def run_wrk(url, request_file, duration, connections, threads,
            background=False):
    """Drive ``url`` with the requests of ``request_file``.

    :returns: the figures of wrk's done() hook, with ``rps`` added; or,
        when ``background``, the Popen of a wrk whose output
        :func:`wrk_result` reads.
    """
    command = ['wrk', '--threads', str(threads),
               '--connections', str(connections),
               '--duration', '%ds' % duration, '--timeout', '10s',
               '--script', LUA_SCRIPT, url, '--', request_file]
    process = subprocess.Popen(command, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    if background:
        return process
    return wrk_result(process, duration)


#: seconds into a wrk run when its connections are counted
_BALANCE_AT = 0.5
#: runs of one measurement before an unbalanced one is kept
_BALANCE_TRIES = 8
#: seconds the server rests after an unbalanced run, before the next
_BALANCE_REST = 0.5


def established_connections(server):
    """{worker pid: connections on the server's port it holds}.

    Read from /proc: the socket inodes of each worker's descriptors
    against the established TCP sockets of the server's local port.
    """
    inodes = set()
    for table in ('/proc/net/tcp', '/proc/net/tcp6'):
        try:
            with open(table) as lines:
                next(lines)
                for line in lines:
                    fields = line.split()
                    port = int(fields[1].rsplit(':', 1)[1], 16)
                    if port == server.port and fields[3] == '01':
                        inodes.add(fields[9])
        except OSError:
            continue
    counts = {}
    for pid in server.worker_pids():
        held = 0
        try:
            for fd in os.listdir('/proc/%d/fd' % pid):
                try:
                    target = os.readlink('/proc/%d/fd/%s' % (pid, fd))
                except OSError:
                    continue
                if target.startswith('socket:[') and target[8:-1] in inodes:
                    held += 1
        except OSError:
            pass
        counts[pid] = held
    return counts


def shared(counts, connections):
    """Whether a run's connections are shared well enough to keep it.

    :param counts: {worker pid: connections it holds}, as
        :func:`established_connections` reads them.
    :param connections: how many connections the run opened.
    :returns: True when there are two workers or more and each holds at
        least half of its even share (one at the least): a worker left with
        a connection or two serves far fewer requests than its threads
        could, and the run measures the kernel's choice rather than the
        application.
    """
    if len(counts) < 2:
        return False
    least = max(1, connections // (2 * len(counts)))
    return min(counts.values()) >= least


def drive(server, request_file, duration, connections, threads, log=None):
    """``run_wrk`` against ``server``, its connections shared by its workers.

    The kernel hands the connections wrk opens at its start to whichever
    of the server's worker processes accepts first, and now and then all
    or most of them to one process, which then serves alone, or nearly,
    at about half the throughput of a shared run. Such a run (see
    :func:`shared`) is stopped and started again,
    up to a few times; the figures say how many runs it took
    (``tries``) and whether the last was shared (``balanced``).
    """
    workers = getattr(server, 'workers', 0) or 0
    if workers < 2 or connections < workers or duration <= 1:
        figures = run_wrk(server.url, request_file, duration, connections,
                          threads)
        figures.update(tries=1, balanced=None)
        return figures
    for tries in range(1, _BALANCE_TRIES + 1):
        process = run_wrk(server.url, request_file, duration, connections,
                          threads, background=True)
        time.sleep(_BALANCE_AT)
        counts = established_connections(server)
        balanced = shared(counts, connections)
        if balanced or tries == _BALANCE_TRIES:
            figures = wrk_result(process, duration)
            figures.update(tries=tries, balanced=balanced)
            return figures
        process.kill()
        process.communicate()
        if log is not None:
            log('  %s: wrk\'s connections went unevenly to the workers '
                '(%s); run again' % (server.name, counts))
        time.sleep(_BALANCE_REST)


def wrk_result(process, duration):
    try:
        out, err = process.communicate(timeout=duration + 120)
    except subprocess.TimeoutExpired:
        process.kill()
        raise BenchmarkError('wrk did not finish')
    for line in out.splitlines():
        if line.startswith('BENCH_JSON '):
            figures = json.loads(line[len('BENCH_JSON '):])
            seconds = figures['duration_us'] / 1e6
            figures['rps'] = figures['requests'] / seconds if seconds else 0
            return figures
    raise BenchmarkError('wrk failed (exit %s): %s%s'
                         % (process.returncode, out, err))
