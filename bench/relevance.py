"""Ranking quality on test collections: the archive beside bm25s and SQLite FTS5.

Usage: ``python bench/relevance.py [--shared PATH] [--collection NAME ...] [--depth N]``

Needs the test data beside the checkout (``../shared``, or ``--shared``) and the bench
extras (``pip install -e '.[bench]'``: bm25s and PyStemmer; SQLite's FTS5 comes with
Python).

Collections (``ir_collections``): Cranfield and CISI (long natural-language queries, many
judged documents each) and two news collections built as known-item searches on the BBC
stories and on Reuters-21578 (the headline is the query, the story is indexed without it).

Systems, on the same documents in one run:

* newsarchive default: what a natural-language query gets, any word (``--any``, the web's
  "any of the words") with feedback where ``archive.expansion.likely_to_help`` expects it
  to help (``NEWSARCHIVE_FEEDBACK=auto``);
* newsarchive any, without feedback, and with feedback always (RM3 on every query);
* bm25s (BM25 with its defaults, Snowball stems, English stop words);
* SQLite FTS5 with the ``porter`` tokenizer, ranked by its ``bm25()``.

The archive indexes each collection's documents as plain-text files through
``archive.Archive``, exactly as a user's files; query text is reduced to its words first
(so a stray ``(`` or ``AND`` is not query syntax), and every copy of a near-duplicate is
ranked (``copies=True``), since each is judged on its own. Metrics, over the judged
queries: MAP (top ``depth``; 100 for the known-item collections, where one or two
documents are relevant), P@10 and nDCG@10 with binary gains.

Cross-validation: the feedback rule's one parameter (the score spread below which feedback
runs) is chosen, for each collection, on the other collections only (the mean of their
nDCG@10) and reported on the held-out one; the chosen value on all collections is what
``archive.expansion.SPREAD`` holds.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for folder in (ROOT, ROOT / "bench"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
DEFAULT_SHARED = ROOT.parent / "shared"

from ir_collections import COLLECTIONS, Collection  # noqa: E402

from archive.config import Settings  # noqa: E402
from archive.core import Archive  # noqa: E402
from archive.expansion import DEFAULT  # noqa: E402
from archive.models import SearchRequest  # noqa: E402

Ranking = dict[str, list[str]]
#: spreads tried by the cross-validation
SPREADS = [round(0.05 * step, 2) for step in range(21)]


def plain_words(text: str) -> str:
    """The query's words only, so nothing in it reads as query syntax."""
    return " ".join(re.findall(r"\w+(?:\.\w+)*", text))


# metrics -------------------------------------------------------------------------------


def average_precision(ranked: list[str], gains: dict[str, float]) -> float:
    found = 0
    total = 0.0
    for rank, doc in enumerate(ranked, start=1):
        if doc in gains:
            found += 1
            total += found / rank
    return total / len(gains) if gains else 0.0


def precision_at(ranked: list[str], gains: dict[str, float], k: int = 10) -> float:
    return sum(1 for doc in ranked[:k] if doc in gains) / k


def ndcg_at(ranked: list[str], gains: dict[str, float], k: int = 10) -> float:
    dcg = sum(gains.get(doc, 0.0) / math.log2(rank + 1) for rank, doc in enumerate(ranked[:k], 1))
    ideal = sorted(gains.values(), reverse=True)[:k]
    best = sum(gain / math.log2(rank + 1) for rank, gain in enumerate(ideal, 1))
    return dcg / best if best else 0.0


def scores(coll: Collection, ranking: Ranking) -> tuple[float, float, float]:
    """(MAP, P@10, nDCG@10) averaged over the judged queries."""
    rows = [
        (
            average_precision(ranking.get(qid, []), coll.qrels[qid]),
            precision_at(ranking.get(qid, []), coll.qrels[qid]),
            ndcg_at(ranking.get(qid, []), coll.qrels[qid]),
        )
        for qid, _ in coll.judged
    ]
    count = max(len(rows), 1)
    return tuple(sum(row[i] for row in rows) / count for i in range(3))  # type: ignore[return-value]


# systems -------------------------------------------------------------------------------


class ArchiveRuns:
    """One collection indexed once through ``Archive``, searched with each feedback rule."""

    def __init__(self, coll: Collection, work: Path, depth: int) -> None:
        self.coll = coll
        self.depth = depth
        docs = work / "docs"
        docs.mkdir()
        paths = {}
        for number, (title, body) in coll.docs.items():
            path = docs / f"{int(number):05d}.txt"
            head = f"Title: {' '.join(title.split())}\n\n" if title.strip() else ""
            path.write_text(f"{head}{body}\n", encoding="utf-8")
            paths[str(path.resolve())] = number
        self.settings = Settings(
            data_dir=work / "data", max_per_page=depth, max_query_terms=2000, workers=1
        )
        with Archive(self.settings) as archive:
            archive.index([docs])
            self.number = {i: paths[archive.article(i).source_path] for i in archive.engine.ids()}
        #: per query, the first search's ten best scores (what the feedback rule reads)
        self.first: dict[str, list[float]] = {}

    def run(self, feedback: str) -> Ranking:
        ranking: Ranking = {}
        with Archive(replace(self.settings, feedback=feedback)) as archive:
            for qid, text in self.coll.judged:
                request = SearchRequest(
                    q=plain_words(text),
                    mode="any",
                    expand=True,
                    per_page=self.depth,
                    snippets=False,
                    facets=False,
                    timeline=False,
                    copies=True,
                )
                page = archive.search(request)
                ranking[qid] = [self.number[hit.id] for hit in page.hits]
                if feedback == "never":
                    self.first[qid] = [hit.score for hit in page.hits[: DEFAULT.documents]]
        return ranking


def run_bm25s(coll: Collection, depth: int) -> Ranking | None:
    """bm25s with its defaults, Snowball stems and English stop words."""
    try:
        import bm25s
        import Stemmer
    except ImportError:
        return None
    ids = list(coll.docs)
    stemmer = Stemmer.Stemmer("english")
    corpus = [f"{title} {body}" for title, body in coll.docs.values()]
    retriever = bm25s.BM25()
    tokens = bm25s.tokenize(corpus, stopwords="en", stemmer=stemmer, show_progress=False)
    retriever.index(tokens, show_progress=False)
    ranking: Ranking = {}
    for qid, text in coll.judged:
        query = bm25s.tokenize(
            [plain_words(text).lower()], stopwords="en", stemmer=stemmer, show_progress=False
        )
        if not query.vocab:
            ranking[qid] = []
            continue
        found, _ = retriever.retrieve(query, k=min(depth, len(ids)), show_progress=False)
        ranking[qid] = [ids[i] for i in found[0]]
    return ranking


def run_fts5(coll: Collection, depth: int) -> Ranking:
    """SQLite FTS5, ``porter`` tokenizer, any word (OR), ranked by ``bm25()``."""
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE docs USING fts5(number UNINDEXED, text, tokenize='porter')")
    db.executemany(
        "INSERT INTO docs (number, text) VALUES (?, ?)",
        [(number, f"{title}\n{body}") for number, (title, body) in coll.docs.items()],
    )
    ranking: Ranking = {}
    for qid, text in coll.judged:
        words = re.findall(r"\w+", text.lower())
        if not words:
            ranking[qid] = []
            continue
        match = " OR ".join(f'"{word}"' for word in dict.fromkeys(words))
        rows = db.execute(
            "SELECT number FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT ?",
            (match, depth),
        )
        ranking[qid] = [row[0] for row in rows]
    db.close()
    return ranking


# feedback rule -------------------------------------------------------------------------


def per_query(coll: Collection, ranking: Ranking) -> dict[str, float]:
    return {qid: ndcg_at(ranking.get(qid, []), coll.qrels[qid]) for qid, _ in coll.judged}


def with_rule(first: list[float], spread: float) -> bool:
    """``archive.expansion.likely_to_help`` on a first search's best scores."""
    if len(first) < DEFAULT.documents or first[0] <= 0:
        return False
    return (first[0] - first[-1]) / first[0] <= spread


def rule_ndcg(study: dict[str, tuple[dict, dict, dict]], name: str, spread: float) -> float:
    plain, expanded, first = study[name]
    values = [expanded[q] if with_rule(first[q], spread) else plain[q] for q in plain]
    return sum(values) / max(len(values), 1)


def cross_validate(study: dict[str, tuple[dict, dict, dict]]) -> list[str]:
    """For each collection: the spread best on the others, and its nDCG@10 there."""
    lines = []
    for held in study:
        others = [name for name in study if name != held]
        if not others:
            break
        best = max(
            SPREADS,
            key=lambda s: (sum(rule_ndcg(study, name, s) for name in others) / len(others), -s),
        )
        never, always = rule_ndcg(study, held, -1.0), rule_ndcg(study, held, math.inf)
        lines.append(
            f"{held:<11} spread {best:4.2f} (chosen on {', '.join(others)}): nDCG@10 "
            f"{rule_ndcg(study, held, best):.3f}  (no feedback {never:.3f}, always {always:.3f})"
        )
    overall = max(
        SPREADS, key=lambda s: (sum(rule_ndcg(study, n, s) for n in study) / len(study), -s)
    )
    lines.append(f"chosen on all collections: spread {overall:.2f}")
    return lines


# main ----------------------------------------------------------------------------------


def evaluate(
    coll: Collection, depth: int, work: Path
) -> tuple[list[tuple[str, tuple[float, float, float], float]], tuple[dict, dict, dict]]:
    rows = []
    depth = min(depth, coll.depth)
    runs = ArchiveRuns(coll, work, depth)
    found: dict[str, Ranking] = {}
    systems: list[tuple[str, Callable[[], Ranking | None]]] = [
        ("newsarchive any, no feedback", lambda: runs.run("never")),
        ("newsarchive default (auto)", lambda: runs.run("auto")),
        ("newsarchive any + feedback", lambda: runs.run("always")),
        ("bm25s", lambda: run_bm25s(coll, depth)),
        ("SQLite FTS5 porter", lambda: run_fts5(coll, depth)),
    ]
    for label, run in systems:
        started = time.perf_counter()
        ranking = run()
        if ranking is None:
            print(f"# {label}: not installed (pip install -e '.[bench]')", file=sys.stderr)
            continue
        found[label] = ranking
        rows.append((label, scores(coll, ranking), time.perf_counter() - started))
    study = (
        per_query(coll, found["newsarchive any, no feedback"]),
        per_query(coll, found["newsarchive any + feedback"]),
        runs.first,
    )
    return rows, study


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--collection", choices=sorted(COLLECTIONS), action="append")
    parser.add_argument("--depth", type=int, default=1000, help="ranks kept per query")
    parser.add_argument("--per-query", type=Path, help="write each query's figures (JSON)")
    args = parser.parse_args(argv)
    if not (args.shared / "data").is_dir():
        parser.error(f"the test data is not at {args.shared}; give its folder with --shared")
    names = args.collection or list(COLLECTIONS)
    print(f"{'collection':<11} {'system':<30} {'MAP':>6} {'P@10':>6} {'nDCG@10':>8} {'secs':>6}")
    study = {}
    for name in names:
        folder, reader = COLLECTIONS[name]
        coll = reader(args.shared / folder)
        with tempfile.TemporaryDirectory() as temp:
            rows, study[coll.name] = evaluate(coll, args.depth, Path(temp))
        for label, (ap, p10, ndcg), secs in rows:
            print(f"{coll.name:<11} {label:<30} {ap:6.3f} {p10:6.3f} {ndcg:8.3f} {secs:6.1f}")
        sys.stdout.flush()
    if args.per_query:
        args.per_query.write_text(json.dumps(study))
    print("\ncross-validation of the feedback rule (leave one collection out):")
    for line in cross_validate(study):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
