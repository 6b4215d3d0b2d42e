"""When no article has all the words: how many sentence-style queries are answered, and how
well, with all the words only and with the any-word ranking standing in below a threshold.

Usage: ``python bench/all_words.py [--shared PATH] [--collection cranfield|cisi]``

The Cranfield and CISI queries are sentences ("what similarity laws must be obeyed when
constructing aeroelastic models of heated high speed aircraft"), typed as plain words the
way a person types a question. Each is run once with all the words (``strict``) and once
with any word (as ``--any``; feedback off, as by default); the rows show, for each rule "the
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
for folder in (ROOT, ROOT / "bench"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from bench import needs  # noqa: E402

needs.need_project()

from ir_collections import COLLECTIONS, Collection  # noqa: E402
from relevance import ndcg_at, plain_words, precision_at, write_docs  # noqa: E402

from archive.config import Settings  # noqa: E402
from archive.core import RELAX_BELOW, Archive  # noqa: E402
from archive.models import SearchRequest  # noqa: E402

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
    needs.add_argument(parser)
    parser.add_argument(
        "--collection", choices=["cranfield", "cisi"], action="append", help="default: both"
    )
    args = parser.parse_args(argv)
    names = args.collection or ["cranfield", "cisi"]
    for name in names:
        needs.need(parser, args.shared / COLLECTIONS[name][0], f"the {name} collection")
    print(f"{'collection':<11} {'rule':<36} {'answered':>12} {'P@10':>6} {'nDCG@10':>8}")
    for name in names:
        folder, reader = COLLECTIONS[name]
        coll = reader(args.shared / folder)
        with tempfile.TemporaryDirectory() as temp:
            for label, answered, p10, ndcg in run(coll, Path(temp)):
                share = f"{answered}/{len(coll.judged)}"
                print(f"{coll.name:<11} {label:<36} {share:>12} {p10:6.3f} {ndcg:8.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
