"""Article-body extraction quality and speed on two page sets, ours beside the peers.

Usage: ``python bench/extraction_eval.py [--shared PATH] [--pages] [--meta] [--only NAME,...]``
(needs ``pip install -e '.[bench]'`` for the peers; one not installed says so in its row)

Sets (under ``shared/data``):

* ``extraction``: 91 news pages with human-made true bodies;
* ``extraction-readability``: 130 pages with Readability.js's own output as the body (a
  second opinion, not truth) and expected metadata.

Metric, the extraction benchmark's own (see its PROVENANCE.txt): word 4-gram shingles of
predicted and true body; per page, true positives, false positives and false negatives
normalised to sum to 1; precision and recall averaged over pages (a page with no predicted
shingles is left out of precision, one with no true shingles out of recall); F1 from the
two averages. Each page goes through every extractor in turn (so machine noise falls on
all of them alike), each call timed alone; the table gives the mean and 95th percentile
milliseconds per page. Ours is timed as the archive runs it: the whole HTML parser,
metadata included. On the readability set the archive's title, byline, date and language
are compared with the expected metadata (``metadata_agreement``); ``--meta`` lists every
disagreement.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import needs  # noqa: E402

needs.need_project()


_TOKEN = re.compile(r"\w+")

from bench import metadata_agreement  # noqa: E402
from bench.extraction_peers import EXTRACTORS, html_text, ours_article  # noqa: E402

Counts = tuple[float, float, float]


@dataclass(frozen=True)
class Page:
    """One page of a set: its id, raw bytes, the body to compare with, its address."""

    id: str
    raw: bytes
    truth: str
    url: str | None
    meta: dict = field(default_factory=dict)


def shingles(text: str, size: int = 4) -> Counter[tuple[str, ...]]:
    """Word n-grams of ``text``; a text shorter than ``size`` words is one short shingle."""
    tokens = _TOKEN.findall(text or "")
    return Counter(
        tuple(tokens[i : i + size]) for i in range(max(1, len(tokens) - size + 1)) if tokens
    )


def page_counts(true: str, predicted: str) -> Counts:
    """One page's (tp, fp, fn) over shingles, normalised to sum to 1 (all 0 when empty)."""
    expected, found = shingles(true), shingles(predicted)
    tp = sum((expected & found).values())
    fp = sum((found - expected).values())
    fn = sum((expected - found).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def summary(counts: Iterable[Counts]) -> tuple[float, float, float]:
    """(F1, precision, recall) over pages, as the benchmark computes them."""
    rows = list(counts)
    precisions = [tp / (tp + fp) for tp, fp, _ in rows if tp + fp > 0]
    recalls = [tp / (tp + fn) for tp, _, fn in rows if tp + fn > 0]
    precision = sum(precisions) / len(precisions) if precisions else 0.0
    recall = sum(recalls) / len(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return f1, precision, recall


def pages(shared: Path) -> Iterator[tuple[str, bytes, str, str]]:
    """(page id, raw HTML, true body, url) for every extraction-benchmark page, in id order."""
    folder = shared / "data" / "extraction"
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    for page_id in sorted(truth):
        raw = gzip.decompress((folder / "html" / f"{page_id}.html.gz").read_bytes())
        yield page_id, raw, truth[page_id]["articleBody"], truth[page_id]["url"]


def readability_pages(shared: Path) -> Iterator[Page]:
    """Every page of the readability set, its expected body as plain text, in name order."""
    for folder in sorted((shared / "data" / "extraction-readability" / "pages").iterdir()):
        expected = (folder / "expected.html").read_text(encoding="utf-8")
        meta = json.loads((folder / "expected-metadata.json").read_text(encoding="utf-8"))
        raw = (folder / "source.html").read_bytes()
        yield Page(folder.name, raw, html_text(expected), None, meta)


def load_sets(shared: Path) -> dict[str, list[Page]]:
    return {
        "extraction": [Page(i, raw, true, url) for i, raw, true, url in pages(shared)],
        "readability": list(readability_pages(shared)),
    }


@dataclass
class Run:
    """One extractor's results on one set."""

    counts: list[Counts] = field(default_factory=list)
    millis: list[float] = field(default_factory=list)


def evaluate(sets: dict[str, list[Page]], names: list[str]) -> tuple[dict, dict, dict]:
    """Every named extractor on every page; ({(set, name): Run}, tallies, our bodies)."""
    runs = {(s, n): Run() for s in sets for n in names}
    tallies = metadata_agreement.new_tallies()
    bodies: dict[tuple[str, str], str] = {}
    for name in names:  # warm up: imports and caches are not a page's cost
        if extractor := EXTRACTORS[name]:
            extractor(sets["extraction"][0].raw, sets["extraction"][0].url)
    for set_name, set_pages in sets.items():
        for page in set_pages:
            for name in names:
                extractor = EXTRACTORS[name]
                if extractor is None:
                    continue
                started = time.perf_counter()
                if name == "newsarchive":
                    body, article = ours_article(page.raw, page.url)
                else:
                    body, article = extractor(page.raw, page.url), None
                runs[set_name, name].millis.append((time.perf_counter() - started) * 1000)
                runs[set_name, name].counts.append(page_counts(page.truth, body))
                if name == "newsarchive":
                    bodies[set_name, page.id] = body
                    if set_name == "readability":
                        metadata_agreement.compare(tallies, page.id, page.meta, article)
    return runs, tallies, bodies


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else sum(values)


def print_table(sets: dict[str, list[Page]], names: list[str], runs: dict) -> None:
    sizes = ", ".join(f"{name} {len(p)} pages" for name, p in sets.items())
    print(f"Extraction quality ({sizes}; word 4-gram shingles, per-page averages)")
    header = f"{'extractor':<22}"
    for set_name in sets:
        header += f" | {set_name:<11} {'F1':>6} {'P':>6} {'R':>6} {'ms':>6} {'p95':>6}"
    print(header)
    for name in names:
        line = f"{name:<22}"
        for set_name in sets:
            run = runs[set_name, name]
            if EXTRACTORS[name] is None:
                line += f" | {'not installed':<46}"
                continue
            f1, precision, recall = summary(run.counts)
            mean = statistics.fmean(run.millis)
            line += (
                f" | {'':<11} {f1:>6.3f} {precision:>6.3f} {recall:>6.3f}"
                f" {mean:>6.1f} {p95(run.millis):>6.1f}"
            )
        print(line)


def print_meta(tallies: dict, *, details: bool) -> None:
    print("\nMetadata agreement on the readability set (pages whose expected value is set)")
    print(f"{'field':<10} {'agree':>7} {'compared':>9} {'share':>7} {'missing':>8} {'differ':>7}")
    for name, tally in tallies.items():
        differ = tally.compared - tally.agree - tally.missing
        print(
            f"{name:<10} {tally.agree:>7} {tally.compared:>9} {tally.share:>7.3f}"
            f" {tally.missing:>8} {differ:>7}"
        )
    if details:
        for name, tally in tallies.items():
            for page, wanted, ours in tally.differing:
                print(f"  {name:<8} {page:<40} expected {wanted[:70]!r}  ours {ours[:70]!r}")


def print_pages(sets: dict[str, list[Page]], runs: dict) -> None:
    for set_name, set_pages in sets.items():
        counts = runs[set_name, "newsarchive"].counts
        for page, (tp, fp, fn) in zip(set_pages, counts, strict=True):
            f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
            print(
                f"{set_name:<11} {page.id[:40]:<40} {f1:.3f} P {tp / (tp + fp or 1):.3f}"
                f" R {tp / (tp + fn or 1):.3f}"
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    needs.add_argument(parser)
    parser.add_argument("--pages", action="store_true", help="also print each page's F1 (ours)")
    parser.add_argument("--meta", action="store_true", help="list each metadata disagreement")
    parser.add_argument("--only", help="comma-separated extractor names (default: all)")
    args = parser.parse_args(argv)
    for folder in ("extraction/ground-truth.json", "extraction-readability/pages"):
        needs.need(parser, args.shared / "data" / folder, "the extraction benchmark")
    names = list(EXTRACTORS)
    if args.only:
        wanted = ["newsarchive", *args.only.split(",")]
        names = [n for n in names if n in wanted]
    sets = load_sets(args.shared)
    runs, tallies, _ = evaluate(sets, names)
    if args.pages:
        print_pages(sets, runs)
    print_table(sets, names, runs)
    print_meta(tallies, details=args.meta)
    return 0


if __name__ == "__main__":
    sys.exit(main())
