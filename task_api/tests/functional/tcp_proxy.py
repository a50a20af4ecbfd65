"""A TCP relay on the loopback address whose link the tests can cut.

It stands between task_api and a real database server, so that a test can
make the database unreachable (connections reset, new ones refused) or
hung (connections accepted, nothing answered, as from a server stopped
with SIGSTOP) and bring it back, without touching the server other tests
use.
"""

import socket
import threading

import fixtures


class TcpProxy(fixtures.Fixture):
    """Relay 127.0.0.1:<port> to ``(host, port)`` until cut."""

    def __init__(self, host, port):
        super().__init__()
        self.target = (host, port)
        self._lock = threading.Lock()
        self._sockets = set()
        self._cut = False
        # NOTE: set while bytes flow; cleared, every relayed byte waits.
        self._flowing = threading.Event()
        self._flowing.set()

    def _setUp(self):
        self._listener = socket.create_server(('127.0.0.1', 0))
        self.port = self._listener.getsockname()[1]
        self._running = True
        thread = threading.Thread(target=self._accept, daemon=True)
        thread.start()
        self.addCleanup(self._stop)

    def _stop(self):
        self._running = False
        self._listener.close()
        self.cut()
        self.thaw()

    def cut(self):
        """Reset every relayed connection and refuse new ones."""
        with self._lock:
            self._cut = True
            sockets, self._sockets = self._sockets, set()
        for sock in sockets:
            try:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                b'\x01\x00\x00\x00\x00\x00\x00\x00')
            except OSError:
                pass
            _end(sock)

    def restore(self):
        """Relay new connections again."""
        with self._lock:
            self._cut = False

    def freeze(self):
        """Stop relaying bytes, but keep every connection open.

        New connections are accepted and nothing answers them, as from a
        database server stopped with SIGSTOP: the kernel still completes
        TCP handshakes and acknowledges data.
        """
        self._flowing.clear()

    def thaw(self):
        """Relay the held bytes and all that follow."""
        self._flowing.set()

    def _accept(self):
        while self._running:
            try:
                client, _address = self._listener.accept()
            except OSError:
                return
            with self._lock:
                refused = self._cut
            if refused:
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                # NOTE: cut while the upstream connection was being made.
                refused = self._cut
                if not refused:
                    self._sockets.update((client, upstream))
            if refused:
                _end(client)
                _end(upstream)
                continue
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink),
                                 daemon=True).start()

    def _pump(self, source, sink):
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                self._flowing.wait()
                sink.sendall(data)
        except OSError:
            pass
        finally:
            _end(source)
            _end(sink)


def _end(sock):
    """End ``sock``'s connection, even while another thread reads it.

    close() alone does not: the kernel keeps a connection open until a
    read blocked on it returns, which may be never (an idle session, its
    client gone). shutdown() wakes that read.
    """
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    try:
        sock.close()
    except OSError:
        pass
