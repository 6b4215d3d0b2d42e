"""A real `newsarchive serve` (waitress) in a subprocess on a loopback port, and a client.

For the tests that need the whole stack under load, crashes or hostile requests; the
unit-level web tests use Flask's test client instead.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from tests.conftest import ROOT


@contextmanager
def serving(archive: Any, threads: int = 4) -> Iterator[str]:
    """The app over ``archive`` under waitress on a free port of 127.0.0.1, in a background
    thread of this process, until the block ends; yields its base address."""
    from waitress.server import create_server

    from web import create_app

    server = create_server(create_app(archive=archive), host="127.0.0.1", port=0, threads=threads)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        server.close()
        thread.join(timeout=5)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Reply:
    status: int
    body: bytes
    seconds: float
    headers: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        return json.loads(self.body)


def fetch(url: str, timeout: float = 30) -> Reply:
    """GET ``url``; an HTTP error status is an answer too, not an exception."""
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            body, status, headers = response.read(), response.status, dict(response.headers)
    except urllib.error.HTTPError as error:
        body, status, headers = error.read(), error.code, dict(error.headers)
        error.close()
    return Reply(status, body, time.perf_counter() - started, headers)


class Server:
    """``newsarchive serve`` on a free port of 127.0.0.1 until the block ends.

    The port is probed free first; when another process (a parallel test worker) takes it
    before the server binds, the server starts again on another one. ``prefix`` runs the
    command under another (``setpriv``, ``unshare``); the server is ready when
    ``/api/stats`` answers ``ready`` (503 for an archive with nothing indexed).
    """

    def __init__(
        self,
        data_dir: Path,
        threads: int = 8,
        env: dict[str, str] | None = None,
        prefix: tuple[str, ...] = (),
        ready: int = 200,
    ):
        self.data_dir, self.threads, self.env = data_dir, threads, env
        self.prefix, self.ready = prefix, ready
        self._start()

    def _start(self) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        command = [*self.prefix, sys.executable, "-m", "cli", "--data-dir", str(self.data_dir)]
        command += ["serve", "--host", "127.0.0.1", "--port", str(self.port)]
        command += ["--threads", str(self.threads)]
        self.log_path = self.data_dir.parent / f"serve-{self.port}.log"
        self.log = open(self.log_path, "w")  # noqa: SIM115
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT), **(self.env or {})},
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def url(self, path: str, **params: Any) -> str:
        return f"{self.base}{path}" + (f"?{urlencode(params, doseq=True)}" if params else "")

    def get(self, path: str, timeout: float = 30, **params: Any) -> Reply:
        return fetch(self.url(path, **params), timeout)

    def __enter__(self) -> Server:
        deadline = time.monotonic() + 60
        tries = 3
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.log.close()
                taken = "Address already in use" in self.log_path.read_text()
                tries -= 1
                if not taken or not tries:
                    raise RuntimeError(f"serve exited with {self.process.returncode}")
                self._start()
            try:
                if self.get("/api/stats", timeout=2).status == self.ready:
                    return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("serve did not answer within 60 s")

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()

    def memory(self) -> int:
        """Resident memory of the server process, in bytes."""
        import psutil

        return int(psutil.Process(self.process.pid).memory_info().rss)


class Poller(threading.Thread):
    """Asks one search again and again until stopped, keeping every answer's status and total."""

    def __init__(self, server: Server, q: str = "harbour", pause: float = 0.02) -> None:
        super().__init__(daemon=True)
        self.server, self.q, self.pause = server, q, pause
        self.answers: list[tuple[int, int | None, float]] = []
        self.errors: list[str] = []
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            try:
                reply = self.server.get("/api/search", timeout=10, q=self.q, per_page=1)
                total = reply.json().get("total") if reply.status == 200 else None
                self.answers.append((reply.status, total, reply.seconds))
            except (OSError, ValueError) as exc:
                self.errors.append(repr(exc))
            time.sleep(self.pause)

    def stop(self) -> None:
        self._halt.set()
        self.join(30)
