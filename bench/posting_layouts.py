"""How fast posting lists decode in each posting block layout the segment writer can write.

Reuters-21578 is indexed once by Whoosh's own writer and once per layout by the array
segment writer (``engines.whoosh.segments``), then the postings of the most frequent terms (the
ones a cold search pays most for) and of a sample of all terms are decoded the way
searches decode them (``engines.whoosh.arrays``: document numbers and weights, and document
numbers and positions for phrases), nothing cached, best of ``--repeat`` in CPU time. Whoosh's own
matchers are timed too (two-word AND queries through ``searcher.search``), since a few
paths still use them. Prints one table, each figure also against Whoosh's own layout.

    python bench/posting_layouts.py [--articles 21578] [--repeat 3]
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from whoosh import index  # noqa: E402
from whoosh import query as wq  # noqa: E402

from archive.engines.whoosh import compat  # noqa: E402
from archive.engines.whoosh.arrays import _postings  # noqa: E402
from archive.engines.whoosh.schema import schema, to_document  # noqa: E402
from archive.engines.whoosh.segments.analysis import Analyser  # noqa: E402
from archive.engines.whoosh.segments.builder import SegmentBuilder, commit  # noqa: E402
from archive.engines.whoosh.segments.postings import Layout  # noqa: E402
from archive.indexing.parsing import parse_source  # noqa: E402

LAYOUTS = {
    "whoosh 128 zlib3 tuples": Layout(128, 3, False),
    "128 none tuples": Layout(128, 0, False),
    "128 none arrays": Layout(128, 0, True),
    "128 zlib1 arrays": Layout(128, 1, True),
    "512 none arrays": Layout(512, 0, True),
    "1024 none tuples": Layout(1024, 0, False),
    "1024 none arrays": Layout(1024, 0, True),
    "4096 none arrays": Layout(4096, 0, True),
}


def documents(shared: Path, limit: int) -> list[dict[str, Any]]:
    found = []
    for path in sorted((shared / "data" / "reuters21578").glob("*.sgm")):
        found += [to_document(a) for a in parse_source(str(path), path.read_bytes()).articles]
    return found[:limit]


def whoosh_index(folder: Path, docs: list[dict[str, Any]]) -> Any:
    folder.mkdir()
    ix = index.create_in(str(folder), schema())
    writer = ix.writer(limitmb=256)
    for doc in docs:
        writer.add_document(**doc)
    writer.commit()
    return ix


def array_index(folder: Path, docs: list[dict[str, Any]], layout: Layout) -> Any:
    folder.mkdir()
    ix = index.create_in(str(folder), schema())
    analyser, builder = Analyser(ix.schema), SegmentBuilder(ix.schema, layout)
    for start in range(0, len(docs), 1000):
        builder.add(analyser.analyse(docs[start : start + 1000]))
    commit(ix, [builder.write(ix)])
    return ix


def decode(ix: Any, terms: list[tuple[str, bytes]], values: bool, repeat: int) -> float:
    """Best time to decode every term's postings once (µs per term)."""
    best = float("inf")
    with ix.searcher() as searcher:
        reader = next(iter(searcher.leaf_searchers()))[0].reader()
        for _ in range(repeat):
            started = time.process_time()
            for field, text in terms:
                _postings(reader.postings(field, text), values)
            best = min(best, time.process_time() - started)
    return best / len(terms) * 1e6


def matchers(ix: Any, pairs: list[tuple[bytes, bytes]], repeat: int) -> float:
    """Best time of two-word AND queries through Whoosh's matchers (ms per query)."""
    best = float("inf")
    with ix.searcher() as searcher:
        for _ in range(repeat):
            started = time.process_time()
            for a, b in pairs:
                query = wq.And([wq.Term("body", a.decode()), wq.Term("body", b.decode())])
                searcher.search(query, limit=10)
            best = min(best, time.process_time() - started)
    return best / len(pairs) * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--articles", type=int, default=30_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    compat.apply()
    docs = documents(args.shared, args.articles)
    work = Path(tempfile.mkdtemp(prefix="newsarchive-layouts-"))
    try:
        indexes = {"Whoosh's own writer": whoosh_index(work / "whoosh", docs)}
        for number, (name, layout) in enumerate(LAYOUTS.items()):
            indexes[name] = array_index(work / f"layout{number}", docs, layout)
        with indexes["Whoosh's own writer"].searcher() as searcher:
            reader = searcher.reader()
            body = [(t, reader.doc_frequency("body", t)) for t in reader.lexicon("body")]
            every = [("body", t) for t, _ in body] + [("title", t) for t in reader.lexicon("title")]
        body.sort(key=lambda item: -item[1])
        frequent = [("body", t) for t, _ in body[:200]]
        sample = random.Random(1).sample(every, min(3000, len(every)))
        pairs = [(frequent[i][1], frequent[i + 1][1]) for i in range(0, 100, 2)]
        postings = sum(df for _, df in body[:200])
        print(f"{len(docs)} articles; the 200 most frequent body terms hold {postings} postings")
        rows = []
        for name, ix in indexes.items():
            size = sum(p.stat().st_size for p in Path(ix.storage.folder).glob("*.seg"))
            rows.append(
                (
                    name,
                    size / 1e6,
                    decode(ix, frequent, False, args.repeat),
                    decode(ix, frequent, True, args.repeat),
                    decode(ix, sample, False, args.repeat),
                    matchers(ix, pairs, args.repeat),
                )
            )
        base = rows[0]
        print(
            f"{'layout':<24} {'MB':>6} {'frequent us/term':>17} {'+positions':>14} "
            f"{'sample us/term':>15} {'AND ms':>10}"
        )
        for row in rows:
            cells = [f"{v:.1f} ({v / b:.2f}x)" for v, b in zip(row[2:], base[2:], strict=True)]
            line = f"{row[0]:<24} {row[1]:>6.1f} {cells[0]:>17} {cells[1]:>14} {cells[2]:>15}"
            print(f"{line} {cells[3]:>10}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
