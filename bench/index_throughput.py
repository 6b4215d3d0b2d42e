"""Bulk-indexing throughput: the archive's pipeline against a naive Whoosh writer.

The corpus is Reuters-21578 from ../shared, repeated with new ids (each repetition is a
copy of the 22 SGML files under another folder, so every story gets a new id):
``--times 1`` is 21,578 stories, ``--times 5`` about 108,000. For each size it runs, as
separate processes, the archive's full run, a no-op run (nothing changed), a run with 1%
new files, and the naive baseline on the same articles (one Whoosh writer,
StemmingAnalyzer, all text stored, default settings, one commit), and SQLite FTS5 as a
reference (the same articles parsed by the archive's own parser in one process, inserted
into an FTS5 table in one transaction; the time includes the parse). Then folders of one
article per file: the BBC News stories (index, reindex, and a run after one file changed)
and the saved web pages of the readability test suite (HTML). One table.

    python bench/index_throughput.py --times 1 5
    python bench/index_throughput.py --times 1 --profile /tmp/prof   # and a profile

``--profile DIR`` also indexes the 1x corpus in one process (``NEWSARCHIVE_WORKERS=1``:
parse, analysis into arrays and the segment writer one after the other) under cProfile
and prints where the time goes (``DIR/index.prof``).

``--engine opensearch`` also makes the three archive runs on an OpenSearch node
(``--opensearch-url``, e.g. the one ``make opensearch`` starts), each beside the Whoosh run
of the same step, so both engines' figures come from one run. The OpenSearch rows count
the client's memory only (the node's heap is fixed) and the size the node reports for the
index's primaries.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import needs  # noqa: E402

needs.need_project()


NAIVE = r"""
import glob, sys
from whoosh import fields, index
from whoosh.analysis import StemmingAnalyzer
from archive.ingest.articles import SourceDoc, content_hash
from archive.ingest.formats.reuters import parse
from archive.models import Article

corpus, target = sys.argv[1], sys.argv[2]
schema = fields.Schema(
    id=fields.ID(unique=True, stored=True),
    title=fields.TEXT(analyzer=StemmingAnalyzer(), stored=True),
    body=fields.TEXT(analyzer=StemmingAnalyzer(), stored=True),
    byline=fields.TEXT(stored=True), source=fields.TEXT(stored=True),
    tags=fields.KEYWORD(stored=True, commas=True), date=fields.DATETIME(stored=True),
)
ix = index.create_in(target, schema)
writer = ix.writer()
count = 0
for path in sorted(glob.glob(corpus + "/**/*.sgm", recursive=True)):
    data = open(path, "rb").read()
    for item in parse(SourceDoc(path, data, content_hash(data))):
        if not isinstance(item, Article):
            continue
        writer.add_document(
            id=item.id, title=item.title, body=item.body, byline=item.byline,
            source=item.source, tags=",".join(item.tags),
            date=item.published.value if item.published else None,
        )
        count += 1
writer.commit()
print(count)
"""


FTS5 = r"""
import glob, sqlite3, sys
from archive.indexing.parsing import parse_source

corpus, target = sys.argv[1], sys.argv[2]
db = sqlite3.connect(target + "/articles.sqlite3")
db.execute("CREATE VIRTUAL TABLE articles USING fts5(id UNINDEXED, title, body)")
count = 0
with db:
    for path in sorted(glob.glob(corpus + "/**/*.sgm", recursive=True)):
        parsed = parse_source(path, open(path, "rb").read())
        rows = [(a.id, a.title, a.body) for a in parsed.articles]
        db.executemany("INSERT INTO articles VALUES (?, ?, ?)", rows)
        count += len(rows)
db.close()
print(count)
"""


@dataclass
class Run:
    name: str
    articles: int
    seconds: float
    megabytes: float
    peak_rss: float
    index_bytes: int


def measure(command: list[str], env: dict[str, str]) -> tuple[str, float, float]:
    """Run ``command``; return its stdout, wall seconds and peak RSS (MiB) of its process tree."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    peak = 0.0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        import psutil

        parent = psutil.Process(process.pid)
        while not done.is_set():
            try:
                tree = [parent, *parent.children(recursive=True)]
                total = sum(p.memory_info().rss for p in tree if p.is_running())
            except psutil.Error:
                total = 0
            peak = max(peak, total / 2**20)
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = process.communicate()
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    if process.returncode not in (0, 3):
        raise SystemExit(f"{' '.join(command)} failed with exit code {process.returncode}")
    return output, seconds, peak


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def build_corpus(shared: Path, target: Path, times: int) -> list[Path]:
    files = sorted((shared / "data" / "reuters21578").glob("*.sgm"))
    for copy in range(times):
        folder = target / f"copy-{copy:02d}"
        folder.mkdir(parents=True)
        for file in files:
            shutil.copyfile(file, folder / file.name)
    return files


def archive_run(
    name: str, data_dir: Path, corpus: Path, env: dict[str, str], opensearch_url: str = ""
) -> Run:
    engine = (
        ["--engine", "opensearch", "--opensearch-url", opensearch_url] if opensearch_url else []
    )
    command = [
        sys.executable,
        "-m",
        "cli",
        "--data-dir",
        str(data_dir),
        *engine,
        "index",
        str(corpus),
        "--json",
    ]
    output, seconds, peak = measure(command, env)
    report = json.loads(output)
    megabytes = folder_bytes(corpus) / 1e6 if report["articles_written"] else 0.0
    if opensearch_url:
        size = opensearch_bytes(opensearch_url, env["NEWSARCHIVE_OPENSEARCH_INDEX"])
    else:
        size = folder_bytes(data_dir / "index")
    return Run(name, report["articles_written"], seconds, megabytes, peak, size)


def opensearch_bytes(url: str, alias: str) -> int:
    """The store size of the primaries of the archive's live generation on the node."""
    with urllib.request.urlopen(f"{url}/{alias}/_stats/store", timeout=30) as response:
        stats = json.load(response)
    return int(stats["_all"]["primaries"]["store"]["size_in_bytes"])


def opensearch_drop(url: str, alias: str) -> None:
    """Delete the benchmark's indices (its generations and its lock) from the node."""
    request = urllib.request.Request(f"{url}/{alias}-gen-*,{alias}-lock", method="DELETE")
    urllib.request.urlopen(request, timeout=60).close()


def naive_run(
    corpus: Path, target: Path, env: dict[str, str], name: str = "naive whoosh", script: str = NAIVE
) -> Run:
    target.mkdir()
    output, seconds, peak = measure([sys.executable, "-c", script, str(corpus), str(target)], env)
    return Run(
        name,
        int(output.strip()),
        seconds,
        folder_bytes(corpus) / 1e6,
        peak,
        folder_bytes(target),
    )


def one_size(
    shared: Path, work: Path, times: int, naive: bool, opensearch_url: str = ""
) -> list[Run]:
    corpus = work / f"corpus-{times}"
    files = build_corpus(shared, corpus, times)
    alias = f"bench-index-{os.getpid()}-{times}"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NEWSARCHIVE_OPENSEARCH_INDEX": alias}
    engines = [("", work / f"data-{times}", "")]
    if opensearch_url:
        engines.append(("opensearch ", work / f"opensearch-data-{times}", opensearch_url))
    runs = []
    try:
        for step in ("full", "no-op"):
            for prefix, data_dir, url in engines:
                runs.append(archive_run(prefix + step, data_dir, corpus, env, url))
        if naive:  # the same articles as the full run, before the 1% is added
            runs.append(naive_run(corpus, work / f"naive-{times}", env))
            fts5 = work / f"fts5-{times}"
            runs.append(naive_run(corpus, fts5, env, "sqlite fts5", FTS5))
        extra = corpus / "new"
        extra.mkdir()
        for file in files[: max(1, math.ceil(len(files) * times / 100))]:
            shutil.copyfile(file, extra / file.name)
        for prefix, data_dir, url in engines:
            runs.append(archive_run(prefix + "1% new", data_dir, corpus, env, url))
    finally:
        if opensearch_url:
            opensearch_drop(opensearch_url, alias)
    return runs


def folders(shared: Path, work: Path) -> list[Run]:
    """The BBC stories (index, reindex, one file changed) and the readability pages (HTML)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    bbc = work / "bbc"
    shutil.copytree(shared / "data" / "bbc-news", bbc)
    data = work / "data-bbc"
    runs = [archive_run("bbc full", data, bbc, env)]
    runs.append(reindex_run("bbc reindex", data, env))
    story = sorted(bbc.glob("*/*.txt"))[0]  # a story, not the folder's PROVENANCE.txt
    story.write_text(story.read_text(errors="replace") + "\nOne more line.\n")
    runs.append(archive_run("bbc 1 changed", data, bbc, env))
    pages = work / "html"
    pages.mkdir()
    for page in sorted((shared / "data" / "extraction-readability" / "pages").iterdir()):
        if (page / "source.html").is_file():
            shutil.copyfile(page / "source.html", pages / f"{page.name}.html")
    runs.append(archive_run("html full", work / "data-html", pages, env))
    return runs


def reindex_run(name: str, data_dir: Path, env: dict[str, str]) -> Run:
    command = [sys.executable, "-m", "cli", "--data-dir", str(data_dir), "reindex", "--json"]
    output, seconds, peak = measure(command, env)
    report = json.loads(output)
    return Run(name, report["articles_written"], seconds, 0.0, peak, folder_bytes(data_dir))


def profile(shared: Path, work: Path, folder: Path) -> str:
    """The 1x corpus indexed in one process under cProfile: where the time goes."""
    import pstats

    corpus = work / "profile-corpus"
    build_corpus(shared, corpus, 1)
    folder.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NEWSARCHIVE_WORKERS": "1"}
    out = folder / "index.prof"
    command = [sys.executable, "-m", "cProfile", "-o", str(out), "-m", "cli"]
    command += ["--data-dir", str(work / "profile-data"), "index", str(corpus), "--json"]
    measure(command, env)
    report = io.StringIO()
    stats = pstats.Stats(str(out), stream=report)
    stats.sort_stats("tottime").print_stats(25)
    stats.sort_stats("cumulative").print_stats(45)
    return report.getvalue()


def table(results: dict[int, list[Run]]) -> str:
    lines = [
        f"{'size':>6} {'run':<18} {'articles':>9} {'seconds':>8} {'art/s':>8} {'MB/s':>6} "
        f"{'peak RSS MiB':>12} {'index MB':>9} {'vs full':>8} {'vs naive':>9}"
    ]
    for times, runs in results.items():
        size = f"{times}x" if times else "files"
        full = runs[0]
        naive = next((r for r in runs if r.name == "naive whoosh"), None)
        for run in runs:
            rate = run.articles / run.seconds if run.seconds else 0.0
            ratio_full = f"{run.seconds / full.seconds:7.1%}"
            ratio_naive = ""
            if naive and (run.name.endswith("full") or run.name == "sqlite fts5"):
                ratio_naive = f"{rate / (naive.articles / naive.seconds):8.1f}x"
            lines.append(
                f"{size:>6} {run.name:<18} {run.articles:>9} {run.seconds:>8.1f} {rate:>8.0f} "
                f"{run.megabytes / run.seconds:>6.2f} {run.peak_rss:>12.0f} "
                f"{run.index_bytes / 1e6:>9.1f} {ratio_full:>8} {ratio_naive:>9}"
            )
    sizes = [times for times in results if times]
    if len(sizes) > 1:
        small, large = results[sizes[0]][0], results[sizes[-1]][0]
        growth = (large.seconds / large.articles) / (small.seconds / small.articles)
        lines.append(f"cost per article, {sizes[-1]}x vs {sizes[0]}x corpus: {growth:.2f}x")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--times", type=int, nargs="+", default=[1])
    needs.add_argument(parser)
    parser.add_argument("--work-dir", type=Path, default=None)
    parser.add_argument("--no-naive", action="store_true", help="skip the naive baseline")
    parser.add_argument(
        "--engine",
        choices=["whoosh", "opensearch"],
        default="whoosh",
        help="opensearch: measure it too, beside Whoosh",
    )
    parser.add_argument("--opensearch-url", default="http://127.0.0.1:9200")
    parser.add_argument("--no-folders", action="store_true", help="skip the BBC and HTML rows")
    parser.add_argument("--profile", type=Path, default=None, help="write and print a profile")
    args = parser.parse_args()
    reuters = args.shared / "data" / "reuters21578" / "reut2-000.sgm"
    needs.need(parser, reuters, "Reuters-21578")
    needs.need_packages(parser, "psutil")
    opensearch_url = args.opensearch_url if args.engine == "opensearch" else ""
    work = args.work_dir or Path(tempfile.mkdtemp(prefix="newsarchive-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        results = {
            t: one_size(args.shared, work / f"t{t}", t, not args.no_naive, opensearch_url)
            for t in args.times
        }
        if not args.no_folders:
            results[0] = folders(args.shared, work / "folders")
        report = profile(args.shared, work / "profile", args.profile) if args.profile else ""
    finally:
        if args.work_dir is None:
            shutil.rmtree(work, ignore_errors=True)
    print(table(results))
    if report:
        print(report)


if __name__ == "__main__":
    main()
