"""Load during a rebuild: concurrent searches against `newsarchive serve` while `reindex` runs.

The corpus is Reuters-21578 from ../shared repeated with new ids (``--times 5`` is about
108,000 articles), indexed once into a work folder outside the repository (reused when it
already holds the build). Then, against a real `newsarchive serve` on 127.0.0.1:

1. **baseline**: ``--clients`` concurrent searches (keep-alive HTTP, 20 realistic queries,
   snippets, facets and timeline) for ``--seconds``;
2. **rebuild**: the same load while a full `reindex --prune` builds a new generation and
   swaps it in; the load runs for ``--seconds`` and at least until the swap is done.

One source file is set aside before the rebuild (which ``--prune`` lets drop its articles;
a plain `reindex` keeps what it cannot read), so the new generation holds fewer articles
than the old one and a response from a half-swapped index would show: every
answer's total must be the query's count in the old or in the new generation, never
another. The file is put back (and indexed again) at the end.

Criteria, checked and printed in one table: zero 5xx answers, `reindex` exits 0, every
total is old or new, the server's resident memory stays under ``--max-rss-mb``; p50, p95
and p99 are shown for both phases.

    python bench/load.py --times 5 --work-dir /tmp/load-bench
    python bench/load.py --corpus FOLDER --seconds 10 --clients 20   # any folder of sources

Exit status 1 when a criterion fails.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import needs  # noqa: E402

needs.need_project()

from tests.server_support import Server  # noqa: E402

QUERIES = [
    "oil prices",
    "crude oil",
    '"trade deficit"',
    "japan tokyo",
    "interest rates",
    "gold",
    "coffee OR cocoa",
    "wheat -corn",
    "bank of england",
    "export*",
    "recesion~",
    "title:dollar",
    "opec production",
    "grain shipments",
    "takeover bid",
    "federal reserve",
    "date:1987-03",
    "merger",
    "shares profit",
    "",
]


@dataclass
class Phase:
    name: str
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    totals: dict[str, set[int]] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    peak_rss: float = 0.0
    seconds: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, q: str, status: int, total: int | None, seconds: float) -> None:
        with self.lock:
            self.latencies.append(seconds)
            self.statuses[status] = self.statuses.get(status, 0) + 1
            if total is not None:
                self.totals.setdefault(q, set()).add(total)

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return math.nan
        return ordered[min(len(ordered) - 1, math.ceil(p / 100 * len(ordered)) - 1)] * 1000

    @property
    def errors(self) -> int:
        return sum(count for status, count in self.statuses.items() if status >= 500)


def client(port: int, phase: Phase, stop: threading.Event, offset: int) -> None:
    """One client: keep-alive GETs of /api/search, the queries in turn, until stopped."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    n = offset
    while not stop.is_set():
        q = QUERIES[n % len(QUERIES)]
        n += 1
        path = "/api/search?" + urlencode({"q": q})
        started = time.perf_counter()
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            body = response.read()
        except (OSError, http.client.HTTPException) as exc:
            phase.failures.append(f"{q!r}: {exc!r}")
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            continue
        seconds = time.perf_counter() - started
        total = json.loads(body).get("total") if response.status == 200 else None
        phase.record(q, response.status, total, seconds)
    connection.close()


def counts(server: Server) -> dict[str, int | None]:
    """Each query's total in the generation the server answers from now (None if refused:
    a search may run over the time budget while the machine is busy)."""
    found: dict[str, int | None] = {}
    for q in QUERIES:
        for _ in range(5):
            reply = server.get("/api/search", q=q, per_page=1)
            found[q] = reply.json()["total"] if reply.status == 200 else None
            if found[q] is not None:
                break
            time.sleep(1)
    return found


def run_phase(
    server: Server, name: str, clients: int, seconds: float, rebuild: list[str] | None
) -> tuple[Phase, subprocess.CompletedProcess | None]:
    phase = Phase(name)
    stop = threading.Event()
    threads = [
        threading.Thread(target=client, args=(server.port, phase, stop, n), daemon=True)
        for n in range(clients)
    ]
    import psutil

    process = psutil.Process(server.process.pid)
    started = time.monotonic()
    for thread in threads:
        thread.start()
    reindex: subprocess.Popen | None = None
    if rebuild:
        time.sleep(min(2.0, seconds / 10))
        reindex = subprocess.Popen(
            rebuild, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
    while time.monotonic() - started < seconds or (reindex and reindex.poll() is None):
        phase.peak_rss = max(phase.peak_rss, process.memory_info().rss / 2**20)
        time.sleep(0.5)
    stop.set()
    for thread in threads:
        thread.join(60)
    phase.seconds = time.monotonic() - started
    done = None
    if reindex is not None:
        out, err = reindex.communicate()
        done = subprocess.CompletedProcess(rebuild, reindex.returncode, out, err)
    return phase, done


def reuters_corpus(shared: Path, times: int, work: Path) -> Path:
    corpus = work / "corpus"
    for copy in range(1, times + 1):
        folder = corpus / f"copy-{copy}"
        folder.mkdir(parents=True, exist_ok=True)
        for source in sorted((shared / "data" / "reuters21578").glob("reut2-*.sgm")):
            if not (folder / source.name).exists():
                shutil.copyfile(source, folder / source.name)
    return corpus


def set_aside(corpus: Path, folder: Path) -> list[tuple[Path, Path]]:
    """The first source file and its copies in the other repetitions, with where they go
    while the rebuild runs (every copy, or the copies would still answer for it)."""
    files = sorted(path for path in corpus.rglob("*") if path.is_file())
    if not files:
        return []
    folder.mkdir(exist_ok=True)
    same = [path for path in files if path.name == files[0].name]
    return [(path, folder / f"{n}-{path.name}") for n, path in enumerate(same)]


def cli(data_dir: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "cli", "--data-dir", str(data_dir), *args]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--times", type=int, default=5, help="copies of Reuters-21578")
    parser.add_argument("--corpus", type=Path, help="a folder of sources instead of Reuters")
    needs.add_argument(parser)
    parser.add_argument("--work-dir", type=Path, help="kept between runs (default: temporary)")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--threads", type=int, default=8, help="the server's worker threads")
    parser.add_argument("--max-rss-mb", type=float, default=1536)
    options = parser.parse_args()
    needs.need_packages(parser, "psutil")
    if options.corpus is None:
        reuters = options.shared / "data" / "reuters21578" / "reut2-000.sgm"
        needs.need(parser, reuters, "Reuters-21578 (or give --corpus FOLDER)")
    elif not options.corpus.is_dir():
        parser.error(f"--corpus {options.corpus} is not a folder")
    work = options.work_dir or Path(tempfile.mkdtemp(prefix="newsarchive-load-"))
    work.mkdir(parents=True, exist_ok=True)
    corpus = options.corpus or reuters_corpus(options.shared, options.times, work)
    data_dir = work / "archive"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    indexed = subprocess.run(cli(data_dir, "index", "-q", str(corpus)), cwd=ROOT, env=env)
    if indexed.returncode not in (0, 3):
        return 1
    print(f"indexed {corpus} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    aside = set_aside(corpus, work / "set-aside")
    with Server(data_dir, threads=options.threads) as server:
        old = counts(server)
        baseline, _ = run_phase(server, "baseline", options.clients, options.seconds, None)
        for source, kept in aside:
            shutil.move(source, kept)
        try:
            rebuild, reindex = run_phase(
                server,
                "rebuild",
                options.clients,
                options.seconds,
                cli(data_dir, "reindex", "--prune", "-q"),
            )
            new = counts(server)
        finally:
            for source, kept in aside:
                shutil.move(kept, source)
    subprocess.run(cli(data_dir, "index", "-q", str(corpus)), cwd=ROOT, env=env, check=False)
    return report(options, old, new, baseline, rebuild, reindex)


def report(options, old, new, baseline: Phase, rebuild: Phase, reindex) -> int:
    between = {
        q: sorted(totals - {old[q], new[q]})
        for q, totals in rebuild.totals.items()
        if old[q] is not None and new[q] is not None and totals - {old[q], new[q]}
    }
    checks = {
        "zero 5xx": baseline.errors == 0 and rebuild.errors == 0,
        "no failed request": not baseline.failures and not rebuild.failures,
        "reindex and swap succeeded": reindex is not None and reindex.returncode == 0,
        "the swap changed the count": old[""] != new[""],
        "every total old or new": not between,
        f"server memory under {options.max_rss_mb:.0f} MiB": max(
            baseline.peak_rss, rebuild.peak_rss
        )
        < options.max_rss_mb,
    }
    print(
        f"\narticles: {old['']} before the rebuild, {new['']} after; "
        f"{options.clients} clients, server threads {options.threads}"
    )
    print(
        f"{'phase':<10}{'seconds':>9}{'requests':>10}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}"
        f"{'p99 ms':>9}{'5xx':>6}{'peak RSS MiB':>14}"
    )
    for phase in (baseline, rebuild):
        print(
            f"{phase.name:<10}{phase.seconds:>9.0f}{len(phase.latencies):>10}"
            f"{len(phase.latencies) / phase.seconds:>8.1f}{phase.percentile(50):>9.0f}"
            f"{phase.percentile(95):>9.0f}{phase.percentile(99):>9.0f}{phase.errors:>6}"
            f"{phase.peak_rss:>14.0f}"
        )
    print(
        f"p99 during the rebuild: {rebuild.percentile(99) / baseline.percentile(99):.1f}x "
        "the baseline's"
    )
    for phase in (baseline, rebuild):
        print(f"{phase.name} statuses: {dict(sorted(phase.statuses.items()))}")
    for name, ok in checks.items():
        print(f"{'ok  ' if ok else 'FAIL'} {name}")
    if between:
        print(f"totals neither old nor new: {between}")
    if reindex is not None and reindex.returncode != 0:
        print(f"reindex: exit {reindex.returncode}: {reindex.stderr[-2000:]}")
    for failure in (baseline.failures + rebuild.failures)[:5]:
        print(f"failed request: {failure}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
