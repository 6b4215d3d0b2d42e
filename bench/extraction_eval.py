"""Article-body extraction quality on the shared extraction benchmark.

Usage: ``python bench/extraction_eval.py [--shared PATH] [--pages]``

Scores our HTML parser's body, trafilatura's and readability-lxml's against the true
article bodies of ``data/extraction`` with the benchmark's own metric (see its
PROVENANCE.txt): word 4-gram shingles of predicted and true body; per page, true
positives, false positives and false negatives normalised to sum to 1; precision and
recall averaged over pages (a page with no predicted shingles is left out of precision,
one with no true shingles out of recall); F1 from the two averages.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import needs  # noqa: E402

needs.need_project()


_TOKEN = re.compile(r"\w+")

Counts = tuple[float, float, float]


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
    """(page id, raw HTML, true body, url) for every benchmark page, in id order."""
    folder = shared / "data" / "extraction"
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    for page_id in sorted(truth):
        raw = gzip.decompress((folder / "html" / f"{page_id}.html.gz").read_bytes())
        yield page_id, raw, truth[page_id]["articleBody"], truth[page_id]["url"]


def ours(raw: bytes, url: str) -> str:
    """The body our HTML parser stores for the page."""
    from archive.errors import ParseError
    from archive.ingest.common import SourceDoc, content_hash
    from archive.ingest.html import parse_html

    doc = SourceDoc(path=url, data=raw, content_hash=content_hash(raw))
    try:
        return parse_html(doc, raw, url=url).body
    except ParseError:
        return ""


def trafilatura_body(raw: bytes, url: str) -> str:
    """Trafilatura with its default settings, as the published scores ran it."""
    import trafilatura

    return trafilatura.extract(raw, url=url) or ""


def readability_body(raw: bytes, url: str) -> str:
    """readability-lxml's summary as plain text."""
    import lxml.html
    from readability import Document

    from archive.ingest.encoding import decode

    summary_html = Document(decode(raw), url=url).summary(html_partial=True)
    return str(lxml.html.fromstring(summary_html).text_content())


EXTRACTORS: dict[str, Callable[[bytes, str], str]] = {
    "newsarchive": ours,
    "trafilatura": trafilatura_body,
    "readability-lxml": readability_body,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    needs.add_argument(parser)
    parser.add_argument("--pages", action="store_true", help="also print each page's F1 (ours)")
    args = parser.parse_args(argv)
    truth = args.shared / "data" / "extraction" / "ground-truth.json"
    needs.need(parser, truth, "the extraction benchmark")
    needs.need_packages(parser, "readability")
    data = list(pages(args.shared))
    rows = []
    for name, extractor in EXTRACTORS.items():
        started = time.perf_counter()
        counts = [page_counts(true, extractor(raw, url)) for _, raw, true, url in data]
        seconds = time.perf_counter() - started
        rows.append((name, *summary(counts), seconds))
        if args.pages and name == "newsarchive":
            for (page_id, *_rest, url), (tp, fp, fn) in zip(data, counts, strict=True):
                f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
                print(f"{page_id[:12]}  {f1:.3f}  {url}")
    print(f"Extraction quality on {len(data)} pages (word 4-gram shingles, per-page averages)")
    print(f"{'extractor':<18} {'F1':>7} {'precision':>10} {'recall':>8} {'seconds':>8}")
    for name, f1, precision, recall, seconds in rows:
        print(f"{name:<18} {f1:>7.4f} {precision:>10.4f} {recall:>8.4f} {seconds:>8.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
