"""Web latency: p50 and p95 of ``/api/search`` and the results page, against two baselines.

The corpus is Reuters-21578 from ../shared repeated with new ids (each repetition is a copy
of the 22 SGML files under another folder, so every story gets a new id): ``--times 5`` is
about 108,000 articles. It is indexed by the archive's own pipeline in a work folder
outside the repository (a temporary one unless ``--work-dir`` is given; a work folder that
already holds the same build is reused).

In one run, for 20 realistic queries, each with snippets, facets and the timeline:

* the archive's app under waitress, over HTTP with keep-alive: ``/api/search`` and the
  HTML results page ``/search``;
* a naive Flask + Whoosh app under waitress that opens the index on every request, parses
  the query with Whoosh's ``MultifieldParser`` and computes the same top 10 with
  highlighted snippets, facet counts and day counts;
* SQLite FTS5 (porter tokenizer) on the same articles: top 10 by rank with snippets, in
  process (no HTTP).

Every query runs twice to warm up (the first run is reported apart: caches cold), then
``--rounds`` times per system, the systems taking turns on each query. One table shows p50
and p95 in milliseconds and how the archive compares (goals: 5x faster than the naive app
at p95; the page's p95 within 3x of FTS5's).

    python bench/web_latency.py --times 5 --work-dir /tmp/web-bench

``--engine opensearch`` also indexes the same articles into an OpenSearch node
(``--opensearch-url``, e.g. the one ``make opensearch`` starts) and measures the same app on
it, so the two engines' figures come from one run.
"""

from __future__ import annotations

import argparse
import http.client
import json
import logging
import math
import shutil
import sqlite3
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import needs  # noqa: E402

needs.need_project()

from flask import Flask, render_template_string, request  # noqa: E402
from waitress.server import create_server  # noqa: E402
from whoosh import highlight, sorting  # noqa: E402
from whoosh import index as windex  # noqa: E402
from whoosh.qparser import MultifieldParser  # noqa: E402

from archive.config import Settings  # noqa: E402
from archive.core import Archive  # noqa: E402
from archive.ingest.articles import SourceDoc, content_hash  # noqa: E402
from archive.ingest.formats.reuters import parse  # noqa: E402
from archive.models import Article  # noqa: E402
from web import create_app  # noqa: E402

DEFAULT_REUTERS = needs.default() / "data" / "reuters21578"
QUERIES = (
    "oil prices",
    "cocoa",
    "interest rates",
    "trade deficit",
    '"federal reserve"',
    "opec production",
    "wheat exports",
    "japan trade surplus",
    "stock market",
    "merger acquisition",
    "dollar yen",
    "crude oil",
    "bank of england",
    "coffee quota",
    "gold prices",
    "earnings per share",
    "takeover bid",
    "sugar",
    "inflation",
    '"west germany" bundesbank',
)
NAIVE_PAGE = """<!doctype html><title>{{ q }}</title><p>{{ total }} results</p>
<ol>{% for hit in hits %}<li><h2>{{ hit.title }}</h2><p>{{ hit.snippet | safe }}</p></li>
{% endfor %}</ol>
{% for name, counts in groups.items() %}<h3>{{ name }}</h3><ul>
{% for value, count in counts %}<li>{{ value }} {{ count }}</li>{% endfor %}</ul>{% endfor %}"""
NAIVE_FACETS = {"source": "source_exact", "year": "year", "tags": "tags_exact", "day": "day"}


def build_corpus(reuters: Path, times: int, work: Path) -> Path:
    """``times`` copies of the SGML files, each under its own folder."""
    corpus = work / "corpus"
    for copy in range(1, times + 1):
        folder = corpus / f"copy-{copy}"
        folder.mkdir(parents=True, exist_ok=True)
        for source in sorted(reuters.glob("reut2-*.sgm")):
            if not (folder / source.name).exists():
                shutil.copyfile(source, folder / source.name)
    return corpus


def build_archive(corpus: Path, work: Path, times: int) -> tuple[Settings, int, float]:
    """The archive over ``corpus`` (reused when ``work`` already holds this build)."""
    settings = Settings(data_dir=work / "archive")
    marker = work / f"archive-built-{times}"
    started = time.perf_counter()
    with Archive(settings) as archive:
        if not marker.exists():
            archive.index([corpus])
            marker.touch()
        count = archive.stats().articles
    return settings, count, time.perf_counter() - started


def build_opensearch(corpus: Path, work: Path, times: int, url: str) -> tuple[Settings, int, float]:
    """The same archive on OpenSearch (reused when the node still holds this build)."""
    settings = Settings(
        data_dir=work / "archive-opensearch",
        engine="opensearch",
        opensearch_url=url,
        opensearch_index=f"bench-web-{times}",
    )
    marker = work / f"opensearch-built-{times}"
    started = time.perf_counter()
    archive = Archive(settings)
    if not marker.exists() or archive.stats().articles == 0:
        # start clean: the node may hold an older build under the same name
        archive.engine.drop()  # type: ignore[attr-defined]
        archive.close()
        shutil.rmtree(settings.data_dir, ignore_errors=True)
        archive = Archive(settings)
        archive.index([corpus])
        marker.touch()
    with archive:
        count = archive.stats().articles
    return settings, count, time.perf_counter() - started


def articles(corpus: Path) -> Iterator[Article]:
    for path in sorted(corpus.glob("copy-*/reut2-*.sgm")):
        data = path.read_bytes()
        for item in parse(SourceDoc(str(path), data, content_hash(data))):
            if isinstance(item, Article):
                yield item


def build_fts(corpus: Path, work: Path) -> tuple[sqlite3.Connection, int]:
    """An FTS5 table of the same articles' titles and bodies."""
    path = work / "fts5.sqlite3"
    if not path.exists():
        building = sqlite3.connect(work / "fts5.tmp")
        building.execute(
            "CREATE VIRTUAL TABLE docs USING fts5(title, body, tokenize='porter unicode61')"
        )
        building.executemany(
            "INSERT INTO docs(title, body) VALUES (?, ?)",
            ((a.title, a.body) for a in articles(corpus)),
        )
        building.commit()
        building.close()
        (work / "fts5.tmp").rename(path)
    db = sqlite3.connect(path, check_same_thread=False)
    return db, db.execute("SELECT count(*) FROM docs").fetchone()[0]


def fts_search(db: sqlite3.Connection, q: str) -> list[tuple]:
    return db.execute(
        "SELECT rowid, title, snippet(docs, 1, '<mark>', '</mark>', ' … ', 24) "
        "FROM docs WHERE docs MATCH ? ORDER BY rank LIMIT 10",
        (q,),
    ).fetchall()


def naive_app(settings: Settings) -> Flask:
    """The tutorial way: open the index, parse, search and highlight on every request."""
    generation = (settings.index_root / "CURRENT").read_text(encoding="ascii").strip()
    folder = str(settings.index_root / generation)
    app = Flask("naive")

    @app.get("/search")
    def search() -> str:
        q = request.args.get("q", "")
        ix = windex.open_dir(folder)
        with ix.searcher() as searcher:
            query = MultifieldParser(["title", "body"], ix.schema).parse(q)
            groups = {
                name: sorting.FieldFacet(field, allow_overlap=name == "tags", maptype=sorting.Count)
                for name, field in NAIVE_FACETS.items()
            }
            results = searcher.search(query, limit=10, groupedby=groups)
            results.fragmenter = highlight.ContextFragmenter(maxchars=220, surround=70)
            hits = [
                {"title": hit["title"], "snippet": hit.highlights("body", top=2)} for hit in results
            ]
            counts = {
                name: sorted(results.groups(name).items(), key=lambda kv: -kv[1])[:12]
                for name in NAIVE_FACETS
            }
            return render_template_string(
                NAIVE_PAGE, q=q, total=len(results), hits=hits, groups=counts
            )

    return app


def serve(app: Flask, threads: int) -> tuple[Callable[[], None], int]:
    server = create_server(app, host="127.0.0.1", port=0, threads=threads)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    return server.close, server.effective_port


def http_timer(port: int, route: str) -> Callable[[str], float]:
    """Milliseconds for one GET of ``route?q=...`` on a kept-alive connection."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def timed(q: str) -> float:
        started = time.perf_counter()
        connection.request("GET", f"{route}?{urlencode({'q': q})}")
        response = connection.getresponse()
        body = response.read()
        elapsed = (time.perf_counter() - started) * 1000
        if response.status != 200 or not body:
            raise RuntimeError(f"{route} answered {response.status} for {q!r}")
        return elapsed

    return timed


def fts_timer(db: sqlite3.Connection) -> Callable[[str], float]:
    def timed(q: str) -> float:
        started = time.perf_counter()
        fts_search(db, q)
        return (time.perf_counter() - started) * 1000

    return timed


def measure(systems: dict[str, Callable[[str], float]], rounds: int) -> dict[str, list[float]]:
    """Milliseconds per query and system; systems take turns on each query, so a slow
    moment of the machine falls on all of them alike. The first run of each query (caches
    cold: decoded postings, SQLite's pages) is reported apart as "first run"."""
    samples: dict[str, list[float]] = {f"{name}, first run": [] for name in systems}
    for q in QUERIES:
        for name, timed in systems.items():
            samples[f"{name}, first run"].append(timed(q))
    for q in QUERIES:
        for timed in systems.values():
            timed(q)
    samples.update({name: [] for name in systems})
    for _ in range(rounds):
        for q in QUERIES:
            for name, timed in systems.items():
                samples[name].append(timed(q))
    return samples


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share / 100 * len(ordered)) - 1)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--times", type=int, default=5, help="copies of Reuters-21578")
    parser.add_argument("--rounds", type=int, default=5, help="measured runs of each query")
    parser.add_argument("--threads", type=int, default=8, help="waitress threads")
    parser.add_argument("--reuters", type=Path, default=DEFAULT_REUTERS)
    parser.add_argument("--work-dir", type=Path, help="keep the corpus and indexes here")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    parser.add_argument(
        "--engine",
        choices=["whoosh", "opensearch"],
        default="whoosh",
        help="opensearch: measure the app on it too, beside Whoosh",
    )
    parser.add_argument("--opensearch-url", default="http://127.0.0.1:9200")
    args = parser.parse_args(argv)
    needs.need(parser, args.reuters / "reut2-000.sgm", "Reuters-21578 (--reuters DIR)")
    with work_folder(args.work_dir, "web-bench-") as work:
        return run(args, work)


@contextmanager
def work_folder(kept: Path | None, prefix: str) -> Iterator[Path]:
    """``kept`` (made if missing), or a temporary folder removed afterwards."""
    if kept is not None:
        kept.mkdir(parents=True, exist_ok=True)
        yield kept
        return
    with tempfile.TemporaryDirectory(prefix=prefix) as temporary:
        yield Path(temporary)


def run(args: argparse.Namespace, work: Path) -> int:
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    corpus = build_corpus(args.reuters, args.times, work)
    settings, count, build_seconds = build_archive(corpus, work, args.times)
    db, fts_count = build_fts(corpus, work)
    archive = Archive(settings)
    stop_ours, ours = serve(create_app(settings, archive), args.threads)
    stop_naive, naive = serve(naive_app(settings), args.threads)
    try:
        samples = measure(
            {
                "archive /api/search": http_timer(ours, "/api/search"),
                "archive /search (page)": http_timer(ours, "/search"),
                "naive Flask + Whoosh page": http_timer(naive, "/search"),
                "SQLite FTS5 top 10 + snippets": fts_timer(db),
            },
            args.rounds,
        )
        if args.engine == "opensearch":
            samples.update(opensearch_samples(corpus, work, args))
    finally:
        stop_ours()
        stop_naive()
        archive.close()
        db.close()
    figures = {name: (percentile(v, 50), percentile(v, 95)) for name, v in samples.items()}
    report(figures, count, fts_count, build_seconds, args)
    return 0


def opensearch_samples(
    corpus: Path, work: Path, args: argparse.Namespace
) -> dict[str, list[float]]:
    """The archive's app on the OpenSearch engine, over the same articles."""
    settings, count, seconds = build_opensearch(corpus, work, args.times, args.opensearch_url)
    print(f"OpenSearch: {count:,} articles; build or reuse {seconds:.0f} s")
    archive = Archive(settings)
    stop, port = serve(create_app(settings, archive), args.threads)
    try:
        return measure(
            {
                "opensearch /api/search": http_timer(port, "/api/search"),
                "opensearch /search (page)": http_timer(port, "/search"),
            },
            args.rounds,
        )
    finally:
        stop()
        archive.close()


def report(
    figures: dict[str, tuple[float, float]],
    count: int,
    fts_count: int,
    build_seconds: float,
    args: argparse.Namespace,
) -> None:
    page95 = figures["archive /search (page)"][1]
    api95 = figures["archive /api/search"][1]
    naive95 = figures["naive Flask + Whoosh page"][1]
    fts95 = figures["SQLite FTS5 top 10 + snippets"][1]
    samples = len(QUERIES) * args.rounds
    print(
        f"Reuters-21578 x{args.times}: {count:,} articles in the archive "
        f"({fts_count:,} in FTS5); build or reuse {build_seconds:.0f} s; "
        f"{len(QUERIES)} queries x {args.rounds} rounds = {samples} samples each"
    )
    print()
    print(f"{'system':<46}{'p50 ms':>10}{'p95 ms':>10}")
    for name, (p50, p95) in figures.items():
        print(f"{name:<46}{p50:>10.1f}{p95:>10.1f}")
    print()
    print(
        f"naive p95 / archive page p95: {naive95 / page95:.1f}x (goal >= 5x); "
        f"naive p95 / archive API p95: {naive95 / api95:.1f}x"
    )
    print(f"archive page p95 / FTS5 p95: {page95 / fts95:.1f}x (goal <= 3x)")
    cold = figures.get("archive /search (page), first run")
    cold_fts = figures.get("SQLite FTS5 top 10 + snippets, first run")
    if cold and cold_fts:
        print(f"first runs: archive page p95 / FTS5 p95: {cold[1] / cold_fts[1]:.1f}x")
    if "opensearch /search (page)" in figures:
        opensearch95 = figures["opensearch /search (page)"][1]
        print(f"OpenSearch page p95 / Whoosh page p95: {opensearch95 / page95:.1f}x")
    if args.json:
        print(
            json.dumps(
                {
                    name: {"p50": round(p50, 2), "p95": round(p95, 2)}
                    for name, (p50, p95) in figures.items()
                }
            )
        )


if __name__ == "__main__":
    raise SystemExit(main())
