"""`newsarchive serve` with many idle or slow connections, and on a port in use.

Clients that connect and send nothing, or send their headers a byte at a time, hold a
connection but no worker thread; the server keeps up to ``connection_limit`` of them and
closes the idle ones after ``channel_timeout``, so a normal client is still answered at
once. A port in use is one line and a non-zero exit, no traceback.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time

import pytest

from archive.config import Settings
from archive.core import Archive
from tests.conftest import ROOT, SEEDS
from tests.server_support import Server

pytestmark = pytest.mark.slow

SLOW_CLIENTS = 150
#: what a normal request may take while the slow clients hang on (alone: tens of ms)
BOUND_SECONDS = 5.0


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    data = tmp_path_factory.mktemp("connections") / "data"
    with Archive(Settings(data_dir=data)) as archive:
        archive.index([SEEDS])
    return data


class SlowClients:
    """``count`` connections: half send nothing, half trickle a header a byte a second."""

    def __init__(self, port: int, count: int) -> None:
        self.sockets = [socket.create_connection(("127.0.0.1", port)) for _ in range(count)]
        for trickling in self.sockets[1::2]:
            trickling.sendall(b"GET /api/stats HTTP/1.1\r\nHost: localhost\r\n")
        self._halt = threading.Event()
        self._thread = threading.Thread(target=self._trickle, daemon=True)
        self._thread.start()

    def _trickle(self) -> None:
        while not self._halt.wait(1.0):
            for trickling in self.sockets[1::2]:
                with contextlib.suppress(OSError):
                    trickling.sendall(b"X")

    def still_open(self) -> int:
        """How many of the trickling connections the server has not closed."""
        count = 0
        for trickling in self.sockets[1::2]:
            trickling.setblocking(False)
            try:
                closed = trickling.recv(1, socket.MSG_PEEK) == b""
            except BlockingIOError:
                closed = False
            except OSError:
                closed = True
            trickling.setblocking(True)
            count += not closed
        return count

    def close(self) -> None:
        self._halt.set()
        self._thread.join(5)
        for each in self.sockets:
            each.close()


def test_a_normal_client_is_answered_while_150_slow_ones_hang_on(data):
    with Server(data) as server:
        slow = SlowClients(server.port, SLOW_CLIENTS)
        try:
            time.sleep(1.5)  # every slow client connected and trickling
            for _ in range(3):
                reply = server.get("/api/search", timeout=60, q="putin")
                assert reply.status == 200 and reply.seconds < BOUND_SECONDS, reply.seconds
            assert slow.still_open() == SLOW_CLIENTS // 2
        finally:
            slow.close()


def test_idle_connections_are_closed_after_the_channel_timeout(data):
    env = {"NEWSARCHIVE_CHANNEL_TIMEOUT": "1", "NEWSARCHIVE_CLEANUP_INTERVAL": "1"}
    with Server(data, env=env) as server:
        idle = socket.create_connection(("127.0.0.1", server.port))
        idle.settimeout(15)
        started = time.monotonic()
        try:
            assert idle.recv(1) == b""  # closed by the server
        finally:
            idle.close()
        assert time.monotonic() - started < 10
        assert server.get("/api/stats").status == 200


def test_serve_on_a_port_in_use_is_one_line(data):
    with Server(data) as server:
        command = [sys.executable, "-m", "cli", "--data-dir", str(data), "serve"]
        command += ["--port", str(server.port)]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        result = subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
        )
        assert server.get("/api/stats").status == 200
    assert result.returncode == 1
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("newsarchive: error: cannot listen on 127.0.0.1 port ")
    assert "Address already in use" in line
