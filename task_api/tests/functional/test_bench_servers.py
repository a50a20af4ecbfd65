"""How the benchmarks tell a shared wrk run from an unshared one.

benchmarks.servers counts, through /proc, the connections each worker
process of a server holds on the server's port; a run whose connections
went mostly to one process is run again. Checked against real sockets of
this process.
"""

import os
import socket

from task_api.tests import base

from benchmarks import servers


class _Server:
    """A listening socket of this process, as the benchmark sees a server."""

    def __init__(self, pids):
        self.listener = socket.create_server(('127.0.0.1', 0))
        self.port = self.listener.getsockname()[1]
        self.pids = pids

    def worker_pids(self):
        return self.pids


class TestEstablishedConnections(base.TestCase):

    def setUp(self):
        super().setUp()
        self.server = _Server([os.getpid()])
        self.addCleanup(self.server.listener.close)

    def connect(self):
        client = socket.create_connection(('127.0.0.1', self.server.port))
        accepted, _ = self.server.listener.accept()
        for sock in (client, accepted):
            self.addCleanup(sock.close)
        return client, accepted

    def test_counts_the_accepted_connections_of_the_port(self):
        self.assertEqual({os.getpid(): 0},
                         servers.established_connections(self.server))
        self.connect()
        self.connect()
        # NOTE: the clients' ends are on other ports: only the server's
        # ends count, not the listener either.
        self.assertEqual({os.getpid(): 2},
                         servers.established_connections(self.server))

    def test_closed_connections_are_not_counted(self):
        client, accepted = self.connect()
        accepted.close()
        client.close()
        self.assertEqual({os.getpid(): 0},
                         servers.established_connections(self.server))

    def test_a_process_that_is_gone_holds_none(self):
        self.connect()
        self.server.pids = [os.getpid(), 2 ** 22 + 1]
        self.assertEqual({os.getpid(): 1, 2 ** 22 + 1: 0},
                         servers.established_connections(self.server))


class TestShared(base.TestCase):
    """Which counts of connections per worker make a run worth keeping."""

    def test_each_worker_holds_half_its_share(self):
        for counts, connections, expected in (
                ({1: 8, 2: 8}, 16, True),
                ({1: 12, 2: 4}, 16, True),
                ({1: 13, 2: 3}, 16, False),
                ({1: 16, 2: 0}, 16, False),
                ({1: 6, 2: 2}, 8, True),
                ({1: 7, 2: 1}, 8, False),
                ({1: 1, 2: 1}, 2, True),
                ({1: 2, 2: 0}, 2, False),
                ({1: 16}, 16, False),
                ({1: 6, 2: 5, 3: 5}, 16, True),
                ({1: 10, 2: 5, 3: 1}, 16, False)):
            self.assertEqual(expected, servers.shared(counts, connections),
                             (counts, connections))
