"""What leaving held articles out costs a search: the default search (held articles taken
away, and a count of those it left out) against the same search with ``include_held`` (the
query alone, as searches ran before held articles were left out), in the same run.

The archive is any data directory already indexed (``--data-dir``; e.g. Reuters-21578:
``newsarchive --data-dir /tmp/reuters index ../shared/data/reuters21578``). Each round
runs every query once both ways, in a new order each round, so a change in the machine's
load falls on both alike. One table: per query kind, the median milliseconds of each way
and their ratio.

    .venv/bin/python bench/held_cost.py --data-dir /tmp/reuters --rounds 30
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from pathlib import Path

from archive.config import Settings
from archive.core import Archive
from archive.models import SearchRequest

QUERIES = {
    "one word": "oil",
    "two words": "cocoa prices",
    "phrase": '"trade deficit"',
    "OR and NOT": "(wheat OR corn) -soviet",
    "prefix": "negotiat*",
    "every article": "",
}


def timed(archive: Archive, request: SearchRequest) -> float:
    start = time.perf_counter()
    archive.search(request)
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    archive = Archive(Settings(data_dir=args.data_dir))
    runs: dict[tuple[str, bool], list[float]] = {}
    for q in QUERIES.values():  # warm the caches both ways
        for held in (False, True):
            timed(archive, SearchRequest(q=q, include_held=held))
    for _ in range(args.rounds):
        order = [(name, held) for name in QUERIES for held in (False, True)]
        random.shuffle(order)
        for name, held in order:
            request = SearchRequest(q=QUERIES[name], include_held=held)
            runs.setdefault((name, held), []).append(timed(archive, request))
    print(f"{'query':<14} {'include_held ms':>16} {'default ms':>11} {'ratio':>6}")
    for name in QUERIES:
        before = statistics.median(runs[name, True])
        after = statistics.median(runs[name, False])
        print(f"{name:<14} {before:>16.1f} {after:>11.1f} {after / before:>5.2f}x")
    archive.close()


if __name__ == "__main__":
    main()
