"""A normal client's latency while many slow clients hang on a real `newsarchive serve`.

The seed is indexed into a work folder, a server started on 127.0.0.1, and a few searches
timed alone; then ``--clients`` connections are opened, half sending nothing and half
sending a request line and a header and then one more byte a second, and the same
searches are timed again while they hang on. ``--source DIR`` runs the server from another
checkout of the project (to measure an older version in the same run).

    python bench/slow_clients.py
    python bench/slow_clients.py --clients 150 --source /tmp/older-checkout

Prints one table; exit status 1 when a search with slow clients took longer than
``--bound`` seconds or failed.
"""

from __future__ import annotations

import argparse
import contextlib
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import tests.server_support as support  # noqa: E402
from archive.config import Settings  # noqa: E402
from archive.core import Archive  # noqa: E402

SEEDS = ROOT / "seeds"


def timed(server: support.Server, count: int, timeout: float) -> list[float | None]:
    """Seconds each of ``count`` searches took; ``None`` for one that failed."""
    times: list[float | None] = []
    for _ in range(count):
        try:
            reply = server.get("/api/search", timeout=timeout, q="putin")
        except OSError:
            times.append(None)
            continue
        times.append(reply.seconds if reply.status == 200 else None)
    return times


def hang_on(port: int, count: int, halt: threading.Event) -> list[socket.socket]:
    """``count`` slow connections: half idle, half trickling a header a byte a second."""
    sockets = [socket.create_connection(("127.0.0.1", port)) for _ in range(count)]
    trickling = sockets[1::2]
    for each in trickling:
        each.sendall(b"GET /api/stats HTTP/1.1\r\nHost: localhost\r\n")

    def trickle() -> None:
        while not halt.wait(1.0):
            for each in trickling:
                with contextlib.suppress(OSError):
                    each.sendall(b"X")

    threading.Thread(target=trickle, daemon=True).start()
    return sockets


def row(phase: str, times: list[float | None]) -> str:
    done = [t for t in times if t is not None]
    shown = ", ".join("failed" if t is None else f"{t * 1000:.0f} ms" for t in times)
    median = f"{statistics.median(done) * 1000:.0f} ms" if done else "-"
    return f"| {phase} | {shown} | {median} |"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=150)
    parser.add_argument("--searches", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=400.0, help="seconds per search")
    parser.add_argument("--bound", type=float, default=5.0)
    parser.add_argument("--source", type=Path, default=ROOT, help="the checkout to serve from")
    args = parser.parse_args()
    support.ROOT = args.source.resolve()  # where Server runs `python -m cli`
    with tempfile.TemporaryDirectory() as work:
        data = Path(work) / "data"
        with Archive(Settings(data_dir=data)) as archive:
            archive.index([SEEDS])
        with support.Server(data) as server:
            alone = timed(server, args.searches, args.timeout)
            halt = threading.Event()
            sockets = hang_on(server.port, args.clients, halt)
            time.sleep(1.5)
            loaded = timed(server, args.searches, args.timeout)
            halt.set()
            for each in sockets:
                each.close()
    print(f"serve from {args.source}, {args.clients} slow clients\n")
    print("| phase | each search | median |\n|---|---|---|")
    print(row("alone", alone))
    print(row(f"with {args.clients} slow clients", loaded))
    failed = any(t is None or t > args.bound for t in loaded)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
