"""Research latency: p50 and p95 of the chart, characteristic words and keywords in context,
beside the plain search for scale.

The corpus and the archive are ``web_latency``'s: Reuters-21578 from ../shared repeated
with new ids (``--times 5`` is about 108,000 articles), indexed by the archive's own
pipeline in a work folder outside the repository (reused when it already holds the build).

In one run, over HTTP with keep-alive against the archive's app under waitress:

* ``/api/search?q=...``: one page of results with snippets, facets and timeline (scale);
* ``/api/compare?q=a&q=b&q=c``: three queries per period with coverage, shares and a
  citation (ids fingerprinted and recorded) per series; and the chart page ``/compare``;
* ``/api/words?q=...``: characteristic words, phrases, sources and bylines; and ``/words``;
* ``/api/kwic?q=...``: the first page of keyword-in-context lines; and ``/kwic``.

Every request runs twice to warm up (the first run is reported apart: caches cold), then
``--rounds`` times, the routes taking turns on each query. Goals: comparing three queries
p95 <= 100 ms, words p95 <= 300 ms, the first keyword-in-context page p95 <= 200 ms.

    python bench/research_latency.py --times 5 --work-dir /tmp/web-bench
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
for folder in (ROOT, ROOT / "bench"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from web_latency import (  # noqa: E402
    DEFAULT_REUTERS,
    QUERIES,
    build_archive,
    build_corpus,
    percentile,
    serve,
    work_folder,
)

from archive.core import Archive  # noqa: E402
from web import create_app  # noqa: E402

#: three queries per chart, as a researcher would compare them
TRIPLES = (
    ("oil prices", "crude oil", "opec production"),
    ("cocoa", "coffee quota", "sugar"),
    ("interest rates", "inflation", '"federal reserve"'),
    ("trade deficit", "japan trade surplus", "dollar yen"),
    ("wheat exports", "gold prices", "stock market"),
    ("merger acquisition", "takeover bid", "earnings per share"),
    ("bank of england", '"west germany" bundesbank', "dollar yen"),
)
GOALS = {"compare 3 queries": 100.0, "words": 300.0, "first kwic page": 200.0}


def timer(port: int) -> Callable[[str], float]:
    """Milliseconds for one GET of a path with its query string, on a kept-alive connection."""
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def timed(path: str) -> float:
        started = time.perf_counter()
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read()
        elapsed = (time.perf_counter() - started) * 1000
        if response.status != 200 or not body:
            raise RuntimeError(f"{path} answered {response.status}: {body[:200]!r}")
        return elapsed

    return timed


def routes() -> dict[str, Callable[[int], str]]:
    """Route name -> the path of its ``n``-th request."""

    def one(route: str) -> Callable[[int], str]:
        return lambda n: f"{route}?{urlencode({'q': QUERIES[n % len(QUERIES)]})}"

    def three(route: str) -> Callable[[int], str]:
        return lambda n: f"{route}?{urlencode([('q', q) for q in TRIPLES[n % len(TRIPLES)]])}"

    return {
        "plain search /api/search": one("/api/search"),
        "compare 3 queries /api/compare": three("/api/compare"),
        "compare 3 queries /compare (page)": three("/compare"),
        "words /api/words": one("/api/words"),
        "words /words (page)": one("/words"),
        "first kwic page /api/kwic": one("/api/kwic"),
        "first kwic page /kwic (page)": one("/kwic"),
    }


def measure(port: int, rounds: int) -> dict[str, list[float]]:
    timed = timer(port)
    chosen = routes()
    count = len(QUERIES)
    samples: dict[str, list[float]] = {f"{name}, first run": [] for name in chosen}
    for n in range(count):
        for name, path in chosen.items():
            samples[f"{name}, first run"].append(timed(path(n)))
    for n in range(count):
        for path in chosen.values():
            timed(path(n))
    samples.update({name: [] for name in chosen})
    for _ in range(rounds):
        for n in range(count):
            for name, path in chosen.items():
                samples[name].append(timed(path(n)))
    return samples


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--times", type=int, default=5, help="copies of Reuters-21578")
    parser.add_argument("--rounds", type=int, default=5, help="measured runs of each request")
    parser.add_argument("--threads", type=int, default=8, help="waitress threads")
    parser.add_argument("--reuters", type=Path, default=DEFAULT_REUTERS)
    parser.add_argument("--work-dir", type=Path, help="keep the corpus and index here")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args(argv)
    if not (args.reuters / "reut2-000.sgm").is_file():
        parser.error(f"Reuters-21578 not found in {args.reuters}")
    with work_folder(args.work_dir, "research-bench-") as work:
        return run(args, work)


def run(args: argparse.Namespace, work: Path) -> int:
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    corpus = build_corpus(args.reuters, args.times, work)
    settings, count, seconds = build_archive(corpus, work, args.times)
    archive = Archive(settings)
    stop, port = serve(create_app(settings, archive), args.threads)
    try:
        samples = measure(port, args.rounds)
    finally:
        stop()
        archive.close()
    figures = {name: (percentile(v, 50), percentile(v, 95)) for name, v in samples.items()}
    report(figures, count, seconds, args)
    return 0


def report(
    figures: dict[str, tuple[float, float]], count: int, seconds: float, args: argparse.Namespace
) -> None:
    print(
        f"Reuters-21578 x{args.times}: {count:,} articles; build or reuse {seconds:.0f} s; "
        f"{len(QUERIES)} requests x {args.rounds} rounds per route"
    )
    print()
    plain = figures["plain search /api/search"][1]
    print(f"{'route':<44}{'p50 ms':>9}{'p95 ms':>9}{'p95 / search':>14}{'goal':>8}")
    for name, (p50, p95) in figures.items():
        goal = next((f"{v:.0f}" for k, v in GOALS.items() if name.startswith(k)), "")
        ratio = p95 / plain if plain else 0.0
        print(f"{name:<44}{p50:>9.1f}{p95:>9.1f}{ratio:>13.1f}x{goal:>8}")
    print()
    for key, goal in GOALS.items():
        worst = max(
            p95
            for name, (_, p95) in figures.items()
            if name.startswith(key) and "first run" not in name
        )
        verdict = "met" if worst <= goal else "NOT met"
        print(f"{key}: worst p95 {worst:.1f} ms against a goal of {goal:.0f} ms: {verdict}")
    if args.json:
        print(
            json.dumps(
                {name: {"p50": round(a, 2), "p95": round(b, 2)} for name, (a, b) in figures.items()}
            )
        )


if __name__ == "__main__":
    raise SystemExit(main())
