"""Bulk indexing through the array segment writer: a prototype pipeline against today's
pipeline and a naive Whoosh writer, on Reuters-21578 repeated with new ids.

The prototype runs the archive's own indexer (sources, catalog and journal, copy
detection, batches and commits) with two changes: the parsing workers also analyse each
article into arrays (``whoosh_segments_analysis``), and the engine writer gathers those
arrays into one segment per batch (``whoosh_segments``) instead of adding documents to
Whoosh's writer. Each run is a separate process; the table gives wall time, articles/s,
CPU time of the process tree per article, peak RSS of the tree and the speed against the
naive writer measured in the same run.

    python bench/segment_throughput.py --times 1 5
    python bench/segment_throughput.py --times 1 --stages    # and each stage alone
    python bench/segment_throughput.py --prototype CORPUS DATA_DIR --profile /tmp/main.prof

``--stages`` also runs each stage by itself in one process (parsing, fingerprints, each
field's analysis, stored fields; copy detection, late fields, adding and writing the
segment) and gives its CPU time per article.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "bench"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from index_throughput import NAIVE, build_corpus, folder_bytes, measure  # noqa: E402

#: fields whose values are known only after copy detection (in the main process)
LATE = ("copy", "group")
#: analysed articles a writer keeps before writing them as a segment (still committed
#: with the rest of the batch): bounds the main process's memory whatever the batch size
SEGMENT_BYTES = 192 * 2**20


@dataclass
class Run:
    name: str
    articles: int
    seconds: float
    cpu: float
    peak_rss: float
    index_bytes: int


def _cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(name: str, command: list[str], env: dict[str, str], folder: Path) -> tuple[Run, str]:
    before = _cpu_of_children()
    output, seconds, peak = measure(command, env)
    cpu = _cpu_of_children() - before
    text = output.strip()
    if text.startswith("{"):
        articles = int(json.loads(text)["articles_written"])
    else:
        articles = int(text.splitlines()[-1])
    run = Run(name, articles, seconds, cpu, peak, folder_bytes(folder))
    print(run, file=sys.stderr, flush=True)
    return run, output


# the prototype (runs in its own process) ------------------------------------------------

_analyser: Any = None
#: zlib level of stored fields (set before the workers start)
_stored_level = 3


def parse_and_analyse(key: str, data: bytes, max_chars: int, seconds: float) -> Any:
    """A parsing worker's job: ``parse_source``, then each article analysed into arrays."""
    global _analyser
    from archive.engines.whoosh_schema import schema, to_document
    from archive.engines.whoosh_segments_analysis import Analyser
    from archive.parsing import parse_source

    if _analyser is None:
        _analyser = Analyser(schema(), late=LATE, stored_level=_stored_level)
    parsed = parse_source(key, data, max_chars, seconds)
    parsed.analysed = _analyser.analyse([to_document(article) for article in parsed.articles])
    return parsed


class SegmentsWriter:
    """An engine writer that adds analysed batches and writes a segment per commit."""

    def __init__(self, ix: Any, schema: Any, fresh: bool) -> None:
        from archive.engines.whoosh_segments import SegmentBuilder
        from archive.engines.whoosh_segments_analysis import Analyser

        self.ix = ix
        self.fresh = fresh
        self.builder = SegmentBuilder(schema)
        self.analyser = Analyser(schema, late=LATE, stored_level=_stored_level)
        #: analysed batches waiting for their articles, by their articles' ids
        self.pending: dict[tuple[str, ...], Any] = {}
        self.deleted: list[str] = []
        self.added: list[str] = []
        #: segments written for this batch, published with it
        self.written: list[Any] = []
        self.resumed = False

    def add(self, articles: Iterable[Any]) -> None:
        from archive.engines.whoosh_schema import to_document

        articles = list(articles)
        batch = self.pending.pop(tuple(article.id for article in articles))
        late = {name: list(values) for name, values in batch.late.items()}
        for number, article in enumerate(articles):
            # the worker's document had no group; only a copy's late values differ
            if article.group not in (None, article.id):
                document = to_document(article)
                for name in LATE:
                    late[name][number] = document.get(name)
        self.analyser.complete(batch, late)
        self.builder.add(batch)
        self.added.extend(article.id for article in articles)
        if self.builder.size() > SEGMENT_BYTES:
            self.written.append(self.builder.write(self.ix))

    def delete(self, ids: Iterable[str]) -> None:
        self.deleted.extend(ids)

    def commit(self) -> None:
        from archive.engines.whoosh_segments import commit

        segments = [*self.written, self.builder.write(self.ix)]
        replaced = [] if self.fresh else self.added
        commit(self.ix, segments, {"id": [*self.deleted, *replaced]})
        self.deleted, self.added, self.written = [], [], []


def prototype(corpus: str, data_dir: str) -> dict[str, Any]:
    """Index ``corpus`` into ``data_dir`` through the prototype; returns the report."""
    from concurrent.futures import Future, ProcessPoolExecutor

    from archive.catalog import Catalog
    from archive.indexer import Indexer
    from archive.parsing import Parsed

    from archive.config import Settings
    from archive.engines.whoosh import WhooshEngine
    from archive.workers import die_with_parent

    settings = Settings.load(data_dir=data_dir)
    settings.data_dir.mkdir(parents=True, exist_ok=True)

    class Engine(WhooshEngine):
        @contextmanager
        def writer(self, timeout: float, bulk: bool = False) -> Iterator[SegmentsWriter]:
            ix = self._live(create=True)
            lock = ix.lock("WRITELOCK")
            lock.acquire(blocking=True)
            try:
                self.current = SegmentsWriter(ix, self.schema, fresh=ix.is_empty())
                yield self.current
                self.current.commit()
            finally:
                lock.release()

    class PrototypeIndexer(Indexer):
        def _parsed(
            self, files: Any, tally: Any, fresh: bool, batch: Any, progress: Any, parallel: bool
        ) -> Iterator[Parsed]:
            jobs = self._jobs(files, tally, fresh, batch, progress)
            limits = (self.settings.max_article_chars, self.settings.max_parse_seconds)
            workers = self.settings.workers or os.cpu_count() or 1
            with ProcessPoolExecutor(max_workers=workers, initializer=die_with_parent) as pool:
                window: list[Future[Any]] = []
                for job in jobs:
                    window.append(pool.submit(parse_and_analyse, job.key, job.data, *limits))
                    if len(window) >= workers * 8:
                        yield self._stash(window.pop(0).result())
                for future in window:
                    yield self._stash(future.result())

        def _stash(self, parsed: Any) -> Parsed:
            ids = tuple(article.id for article in parsed.articles)
            self.engine.current.pending[ids] = parsed.analysed
            del parsed.analysed
            return parsed

    engine = Engine(settings)
    catalog = Catalog(settings.catalog_path)
    try:
        report = PrototypeIndexer(settings, engine, catalog).index([corpus])
    finally:
        catalog.close()
        engine.close()
    return {"articles_written": report.articles_written, "seconds": report.seconds}


# the writer alone -----------------------------------------------------------------------


class Clock:
    """CPU time spent in named stages (``with clock("name"): ...``)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        started = time.process_time()
        yield
        self.seconds[name] = self.seconds.get(name, 0.0) + time.process_time() - started


def stages(corpus: Path, folder: Path) -> str:
    """Each stage of the prototype run alone over the corpus in one process, CPU time per
    article: what the workers do, then what the main process does."""
    from archive.dedup import Deduper, fingerprint
    from archive.engines.whoosh_schema import schema, to_document
    from archive.engines.whoosh_segments import SegmentBuilder, commit
    from archive.engines.whoosh_segments_analysis import Analyser
    from archive.parsing import parse_source
    from whoosh import index

    clock = Clock()
    folder.mkdir(parents=True)
    ix = index.create_in(str(folder), schema())
    worker = Analyser(ix.schema, late=LATE)
    main, builder = Analyser(ix.schema, late=LATE), SegmentBuilder(ix.schema)
    deduper = Deduper(folder / "dedup.sqlite3")
    plans = [plan for plan in worker.plans if plan.kind and plan.name not in LATE]
    count = 0
    for path in sorted(corpus.rglob("*.sgm")):
        data = path.read_bytes()
        with clock("parse (with fingerprints)"):
            parsed = parse_source(str(path), data)
        with clock("  of which fingerprints"):
            prints = [fingerprint(article) for article in parsed.articles]
        with clock("to_document"):
            docs = [to_document(article) for article in parsed.articles]
        for plan in plans:
            values = [doc.get(plan.name) for doc in docs]
            with clock(f"  field {plan.name}"):
                worker.postings(plan, values)
        with clock("analysis (all fields, stored)"):
            batch = worker.analyse(docs)
        with clock("main: copy groups (dedup)"):
            articles = deduper.assign(parsed.articles, prints)
        late = {name: list(values) for name, values in batch.late.items()}
        for number, article in enumerate(articles):
            if article.group not in (None, article.id):
                for name, value in to_document(article).items():
                    if name in late:
                        late[name][number] = value
        with clock("main: late fields"):
            main.complete(batch, late)
        with clock("main: adding batches"):
            builder.add(batch)
        count += len(parsed.articles)
    with clock("main: writing the segment"):
        commit(ix, [builder.write(ix)])
    deduper.commit()
    deduper.close()
    seconds = clock.seconds
    fields_total = sum(value for key, value in seconds.items() if key.startswith("  field"))
    seconds["  stored fields (the rest)"] = seconds["analysis (all fields, stored)"] - fields_total
    lines = [f"stages alone, {count} articles, CPU us per article:"]
    for name, spent in seconds.items():
        lines.append(f"  {name:<36} {spent / count * 1e6:8.1f}")
    lines.append(f"  index {folder_bytes(folder) / 1e6:.1f} MB")
    return "\n".join(lines)


# the benchmark --------------------------------------------------------------------------


def one_size(shared: Path, work: Path, times: int, archive: bool, levels: list[int]) -> list[Run]:
    corpus = work / f"corpus-{times}"
    build_corpus(shared, corpus, times)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    runs = []
    naive = work / f"naive-{times}"
    naive.mkdir()
    runs.append(
        timed("naive whoosh", [sys.executable, "-c", NAIVE, str(corpus), str(naive)], env, naive)[0]
    )
    for level in levels:
        data = work / f"segments-{times}-{level}"
        command = [sys.executable, __file__, "--prototype", str(corpus), str(data)]
        command += ["--stored-level", str(level)]
        name = "segments full" + ("" if level == 3 else f" z{level}")
        runs.append(timed(name, command, env, data / "index")[0])
    if archive:
        data = work / f"archive-{times}"
        command = [
            sys.executable,
            "-m",
            "cli",
            "--data-dir",
            str(data),
            "index",
            str(corpus),
            "--json",
        ]
        runs.append(timed("archive full", command, env, data / "index")[0])
    return runs


def table(results: dict[int, list[Run]]) -> str:
    lines = [
        f"{'size':>5} {'run':<17} {'articles':>9} {'seconds':>8} {'art/s':>7} "
        f"{'CPU ms/art':>10} {'peak RSS MiB':>12} {'index MB':>9} {'vs naive':>9}"
    ]
    for times, runs in results.items():
        naive = runs[0]
        for run in runs:
            rate = run.articles / run.seconds
            ratio = rate / (naive.articles / naive.seconds)
            lines.append(
                f"{times:>4}x {run.name:<17} {run.articles:>9} {run.seconds:>8.1f} {rate:>7.0f} "
                f"{run.cpu / run.articles * 1e3:>10.2f} {run.peak_rss:>12.0f} "
                f"{run.index_bytes / 1e6:>9.1f} {ratio:>8.2f}x"
            )
    sizes = list(results)
    if len(sizes) > 1:
        for name in ("segments full", "archive full"):
            pair = [
                next((r for r in results[s] if r.name == name), None) for s in (sizes[0], sizes[-1])
            ]
            if pair[0] and pair[1]:
                growth = (pair[1].seconds / pair[1].articles) / (pair[0].seconds / pair[0].articles)
                lines.append(f"{name}: cost per article {sizes[-1]}x vs {sizes[0]}x: {growth:.2f}x")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--times", type=int, nargs="+", default=[1])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--work-dir", type=Path, default=None)
    parser.add_argument("--no-archive", action="store_true", help="skip today's pipeline")
    parser.add_argument("--stages", action="store_true", help="also time each stage alone")
    parser.add_argument(
        "--prototype", nargs=2, metavar=("CORPUS", "DATA_DIR"), help=argparse.SUPPRESS
    )
    parser.add_argument("--profile", type=Path, help="profile the prototype's main process")
    parser.add_argument(
        "--stored-levels",
        type=int,
        nargs="+",
        default=[3],
        help="zlib levels of stored fields to run the prototype with (3: Whoosh's)",
    )
    parser.add_argument("--stored-level", type=int, default=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prototype:
        import cProfile

        global _stored_level
        _stored_level = args.stored_level
        profile = cProfile.Profile()
        if args.profile:
            profile.enable()
        report = prototype(*args.prototype)
        profile.disable()
        if args.profile:
            profile.dump_stats(str(args.profile))
        print(json.dumps(report))
        return
    work = args.work_dir or Path(tempfile.mkdtemp(prefix="newsarchive-segments-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        results = {}
        for times in args.times:
            results[times] = one_size(
                args.shared, work / f"t{times}", times, not args.no_archive, args.stored_levels
            )
            if args.stages:
                folder = work / f"t{times}"
                print(stages(folder / f"corpus-{times}", folder / "alone"), flush=True)
    finally:
        if args.work_dir is None:
            shutil.rmtree(work, ignore_errors=True)
    print(table(results))


if __name__ == "__main__":
    main()
