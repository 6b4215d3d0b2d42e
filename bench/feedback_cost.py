"""What feedback costs per query on a large archive: any-word searches with and without it.

Usage: ``python bench/feedback_cost.py [--times 5] [--queries 300] [--work-dir DIR]``

The corpus is Reuters-21578 from ../shared repeated ``--times`` times with new ids, as in
``bench/web_latency.py`` (``--times 5``: about 108,000 articles); ``--work-dir`` keeps the
index for the next run. The queries are headlines of the collection (short news queries,
as users type them), each searched in any-word mode as the web and ``--any`` search (a page
of ten with snippets, facets and timeline), without feedback and with it
(``NEWSARCHIVE_FEEDBACK=always``), the two taking turns query by query so that the
machine's load falls on both alike. Reported: the median and 95th percentile of each one's
time, and of the extra time feedback takes over the same query without it, in wall-clock
time and in CPU time of the process (a search runs on one thread, so its CPU time is what
it costs a core, whatever else the machine is doing; wall time on a shared machine is best
read as the ratio of the two rows).
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for folder in (ROOT, ROOT / "bench"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from web_latency import build_archive, build_corpus  # noqa: E402

from archive.core import Archive  # noqa: E402
from archive.models import SearchRequest  # noqa: E402

RULES = ("never", "always")


def headlines(reuters: Path, count: int) -> list[str]:
    """Distinct headlines of three words or more, spread over the collection."""
    found: dict[str, None] = {}
    for path in sorted(reuters.glob("reut2-*.sgm")):
        for title in re.findall(r"<TITLE>(.*?)</TITLE>", path.read_text(encoding="latin-1")):
            words = re.findall(r"\w+(?:\.\w+)*", title)
            if len(words) >= 3:
                found.setdefault(" ".join(words).lower(), None)
    every = list(found)
    step = max(1, len(every) // count)
    return every[::step][:count]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--times", type=int, default=5, help="copies of Reuters-21578")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--reuters", type=Path, default=ROOT.parent / "shared/data/reuters21578")
    parser.add_argument("--work-dir", type=Path, help="keep the corpus and index here")
    args = parser.parse_args(argv)
    if args.work_dir:
        args.work_dir.mkdir(parents=True, exist_ok=True)
        return run(args, args.work_dir)
    with tempfile.TemporaryDirectory() as temp:
        return run(args, Path(temp))


def run(args: argparse.Namespace, work: Path) -> int:
    corpus = build_corpus(args.reuters, args.times, work)
    settings, count, _ = build_archive(corpus, work, args.times)
    queries = headlines(args.reuters, args.queries)
    archives = {rule: Archive(replace(settings, feedback=rule)) for rule in RULES}
    times: dict[str, list[float]] = {rule: [] for rule in RULES}
    cpu: dict[str, list[float]] = {rule: [] for rule in RULES}
    try:
        for q in queries[:10]:  # warm the caches
            for archive in archives.values():
                archive.search(SearchRequest(q=q, mode="any", expand=True))
        for q in queries:
            for rule, archive in archives.items():
                request = SearchRequest(q=q, mode="any", expand=True)
                started, started_cpu = time.perf_counter(), time.process_time()
                archive.search(request)
                times[rule].append((time.perf_counter() - started) * 1000)
                cpu[rule].append((time.process_time() - started_cpu) * 1000)
    finally:
        for archive in archives.values():
            archive.close()
    print(f"Reuters-21578 x{args.times}: {count:,} articles, {len(queries)} headline queries")
    head = f"{'p50 ms':>8} {'p95 ms':>8} {'extra p50':>10} {'extra p95':>10}"
    print(f"{'feedback':<8} {'time':<5} {head}")
    for rule in RULES:
        for kind, found in (("wall", times), ("cpu", cpu)):
            extra = [a - b for a, b in zip(found[rule], found["never"], strict=True)]
            print(
                f"{rule:<8} {kind:<5} {_pct(found[rule], 0.5):8.1f} {_pct(found[rule], 0.95):8.1f} "
                f"{_pct(extra, 0.5):10.1f} {_pct(extra, 0.95):10.1f}"
            )
    return 0


def _pct(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


if __name__ == "__main__":
    sys.exit(main())
