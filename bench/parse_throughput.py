"""Parsing speed of every registered format on the shared sample data.

Usage: ``python bench/parse_throughput.py [--shared PATH] [--repeat N]``

Each sample file (Reuters SGML, BBC text, feeds, agency files, NewsML-G2 examples, the
extraction benchmark's HTML pages, WARC files) is given to the format the registry's
sniffers pick for it, exactly as indexing would; gzipped pages are opened with
``archive.ingest.containers``. JSON Lines and CSV have no samples of their own, so the
BBC stories are also packed into one JSON Lines file and one CSV file in memory.
Prints one table: sources, articles, record failures and unreadable sources per format,
and the best of ``--repeat`` timings as articles/s and MB/s. A format that is registered
but cannot be imported yet is listed as unavailable and skipped.
"""

from __future__ import annotations

import argparse
import csv
import importlib
import io
import json
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import needs  # noqa: E402

needs.need_project()

from archive.errors import ParseError  # noqa: E402
from archive.ingest import containers, formats  # noqa: E402
from archive.ingest.articles import SourceDoc, content_hash  # noqa: E402
from archive.models import Article  # noqa: E402

SAMPLES = (
    "reuters21578/reut2-*.sgm",
    "bbc-news/*/*.txt",
    "formats/feeds/*",
    "formats/agency/*",
    "formats/newsml-g2/**/*.xml",
    "extraction/html/*",
    "formats/warc/*",
)
_NOT_SAMPLES = ("PROVENANCE", "MANIFEST", "LICENSE", "README")


@dataclass
class Row:
    """One format's totals for one timed pass over its sources."""

    sources: list[SourceDoc] = field(default_factory=list)
    articles: int = 0
    failures: int = 0
    errors: int = 0
    crashes: int = 0
    seconds: float = float("inf")

    @property
    def megabytes(self) -> float:
        return sum(len(doc.data) for doc in self.sources) / 1e6


def load_modules() -> tuple[list[ModuleType], list[str]]:
    """The registered format modules that import, and notes on those that do not."""
    loaded, notes = [], []
    for name in formats.MODULES:
        try:
            loaded.append(importlib.import_module(f"archive.ingest.formats.{name}"))
        except Exception as exc:  # a module another person is still writing
            notes.append(f"unavailable: {name} ({type(exc).__name__}: {exc})")
    return loaded, notes


def sample_files(shared: Path) -> Iterator[tuple[str, bytes]]:
    """(name, bytes) of every sample file, archives opened."""
    for pattern in SAMPLES:
        for path in sorted((shared / "data").glob(pattern)):
            if not path.is_file() or path.name.startswith(_NOT_SAMPLES):
                continue
            data = path.read_bytes()
            if containers.is_container(data[: formats.SNIFF_BYTES], path.name):
                for member, content in containers.members(data, str(path)):
                    if isinstance(content, bytes):
                        yield f"{path}!" + "!".join(level.name for level in member), content
            else:
                yield str(path), data


def packed_bbc(shared: Path) -> Iterator[tuple[str, bytes]]:
    """The BBC stories as one JSON Lines file and one CSV file."""
    records = []
    for path in sorted((shared / "data" / "bbc-news").glob("*/*.txt")):
        text = path.read_bytes().decode("utf-8", errors="replace")
        title, _, body = text.strip().partition("\n")
        records.append({"id": path.stem, "title": title, "body": body.strip()})
        records[-1]["tags"] = path.parent.name
    yield "bbc.jsonl", "\n".join(json.dumps(r) for r in records).encode()
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=["id", "title", "body", "tags"])
    writer.writeheader()
    writer.writerows(records)
    yield "bbc.csv", buffer.getvalue().encode()


def group(samples: Iterator[tuple[str, bytes]], modules: list[ModuleType]) -> dict[str, Row]:
    """Sources by the format the first matching sniffer names, in registry order."""
    rows: dict[str, Row] = {str(m.FORMAT): Row() for m in modules}
    for name, data in samples:
        head = data[: formats.SNIFF_BYTES]
        module = next((m for m in modules if m.sniff(head, name)), None)
        if module is not None:
            rows[str(module.FORMAT)].sources.append(SourceDoc(name, data, content_hash(data)))
    return rows


def measure(module: ModuleType, row: Row, repeat: int) -> None:
    """Parse every source of ``row`` ``repeat`` times; keep the counts and the best time."""
    for _ in range(repeat):
        articles = failures = errors = crashes = 0
        start = time.perf_counter()
        for doc in row.sources:
            try:
                for result in module.parse(doc):
                    if isinstance(result, Article):
                        articles += 1
                    else:
                        failures += 1
            except ParseError:
                errors += 1
            except Exception:  # a parser bug: counted, not fatal to the benchmark
                crashes += 1
        row.seconds = min(row.seconds, time.perf_counter() - start)
        row.articles, row.failures, row.errors, row.crashes = articles, failures, errors, crashes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    needs.add_argument(parser)
    parser.add_argument("--repeat", type=int, default=3, help="timed passes; the best counts")
    args = parser.parse_args(argv)
    needs.need(parser, args.shared / "data" / "bbc-news", "the sample data")
    modules, notes = load_modules()
    samples = [*sample_files(args.shared), *packed_bbc(args.shared)]
    rows = group(iter(samples), modules)
    print(f"Parse throughput on {len(samples)} sample sources (best of {args.repeat})")
    header = f"{'format':<9} {'sources':>7} {'articles':>8} {'failed':>6} {'errors':>6}"
    print(f"{header} {'MB':>7} {'seconds':>8} {'articles/s':>11} {'MB/s':>7}")
    for module in modules:
        row = rows[str(module.FORMAT)]
        if not row.sources:
            notes.append(f"no samples: {module.FORMAT}")
            continue
        measure(module, row, max(1, args.repeat))
        rate = row.articles / row.seconds if row.seconds else 0.0
        speed = row.megabytes / row.seconds if row.seconds else 0.0
        print(
            f"{module.FORMAT:<9} {len(row.sources):>7} {row.articles:>8} {row.failures:>6} "
            f"{row.errors:>6} {row.megabytes:>7.2f} {row.seconds:>8.3f} {rate:>11.0f} "
            f"{speed:>7.2f}"
        )
        if row.crashes:
            notes.append(f"{module.FORMAT}: {row.crashes} sources raised a non-ParseError")
    for note in notes:
        print(f"  {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
