"""When no article has all the words: how many sentence-style queries are answered, and how
well, with all the words only and with the any-word ranking standing in below a threshold.

Usage: ``python bench/all_words.py [--shared PATH] [--collection NAME]``

The Cranfield and CISI queries are sentences ("what similarity laws must be obeyed when
constructing aeroelastic models of heated high speed aircraft"), typed as plain words the
way a person types a question. Each is run once with all the words (``strict``) and once
with any word (ranked with feedback, as ``--any``); the rows show, for each rule "the
any-word ranking answers when fewer than N articles have all the words", how many queries
get an answer and the P@10 and nDCG@10 of the answers (a query without one scores 0).
The last row is ``Archive.search`` as served (its ``RELAX_BELOW``), which must equal its
rule's row.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from archive.config import Settings  # noqa: E402
from archive.core import RELAX_BELOW, Archive  # noqa: E402
from archive.models import SearchRequest  # noqa: E402
from bench.relevance import (  # noqa: E402
    COLLECTIONS,
    DEFAULT_SHARED,
    Collection,
    ndcg_at,
    plain_words,
    precision_at,
    write_docs,
)

THRESHOLDS = (1, 3, 10)
DEPTH = 10


def run(coll: Collection, work: Path) -> list[tuple[str, int, float, float]]:
    docs = work / "docs"
    docs.mkdir()
    paths = write_docs(coll, docs)
    settings = Settings(data_dir=work / "data", max_query_terms=2000, workers=1)
    strict: dict[str, tuple[int, list[str]]] = {}
    relaxed: dict[str, list[str]] = {}
    served: dict[str, list[str]] = {}
    with Archive(settings) as archive:
        archive.index([docs])
        number = {i: paths[archive.article(i).source_path] for i in archive.engine.ids()}
        bare = {"per_page": DEPTH, "snippets": False, "facets": False, "timeline": False}
        for qid, text in coll.judged:
            words = plain_words(text)
            page = archive.search(SearchRequest(q=words, copies=True, strict=True, **bare))
            strict[qid] = (page.total, [number[hit.id] for hit in page.hits])
            page = archive.search(
                SearchRequest(q=words, copies=True, mode="any", expand=True, **bare)
            )
            relaxed[qid] = [number[hit.id] for hit in page.hits]
            page = archive.search(SearchRequest(q=words, copies=True, **bare))
            served[qid] = [number[hit.id] for hit in page.hits]
    rows = [_row(coll, "all the words only", {q: r for q, (_, r) in strict.items()})]
    for below in THRESHOLDS:
        chosen = {q: relaxed[q] if total < below else r for q, (total, r) in strict.items()}
        rows.append(_row(coll, f"any-word ranking below {below}", chosen))
    rows.append(_row(coll, "any word always", relaxed))
    rows.append(_row(coll, f"as served (RELAX_BELOW={RELAX_BELOW})", served))
    return rows


def _row(
    coll: Collection, label: str, ranking: dict[str, list[str]]
) -> tuple[str, int, float, float]:
    count = max(len(ranking), 1)
    answered = sum(1 for ranked in ranking.values() if ranked)
    p10 = sum(precision_at(r, coll.qrels[q], DEPTH) for q, r in ranking.items()) / count
    ndcg = sum(ndcg_at(r, coll.qrels[q], DEPTH) for q, r in ranking.items()) / count
    return label, answered, p10, ndcg


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--collection", choices=sorted(COLLECTIONS), action="append")
    args = parser.parse_args(argv)
    print(f"{'collection':<11} {'rule':<36} {'answered':>12} {'P@10':>6} {'nDCG@10':>8}")
    for name in args.collection or list(COLLECTIONS):
        folder, reader = COLLECTIONS[name]
        coll = reader(args.shared / folder)
        with tempfile.TemporaryDirectory() as temp:
            for label, answered, p10, ndcg in run(coll, Path(temp)):
                share = f"{answered}/{len(coll.judged)}"
                print(f"{coll.name:<11} {label:<36} {share:>12} {p10:6.3f} {ndcg:8.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
