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
  "any of the words"), BM25F with ``k1`` 2.0, no feedback (``NEWSARCHIVE_FEEDBACK=never``);
* newsarchive any + feedback: RM3 on every query (``NEWSARCHIVE_FEEDBACK=always``);
* any + feedback, k1 1.2: the former default's settings (``--any`` ranked with feedback,
  BM25's ``k1`` 1.2), with today's analysis and feedback;
* bm25s (BM25 with its defaults, Snowball stems, English stop words);
* SQLite FTS5 with the ``porter`` tokenizer, ranked by its ``bm25()``.

The archive indexes each collection's documents as plain-text files through
``archive.Archive``, exactly as a user's files; query text is reduced to its words first
(so a stray ``(`` or ``AND`` is not query syntax), and every copy of a near-duplicate is
ranked (``copies=True``), since each is judged on its own. Metrics, over the judged
queries: MAP (top ``depth``; 100 for the known-item collections, where one or two
documents are relevant), P@10 and nDCG@10 with binary gains.

Cross-validation (``crossval``): each choice is made, for each collection, on the other
collections only and reported on the held-out one: BM25's ``k1``, and two rules for when
to run feedback (a score-gap predictor, the first search's tenth score against its first;
and the query's length).
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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
for folder in (ROOT, ROOT / "bench"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from bench import needs  # noqa: E402

needs.need_project()

import crossval  # noqa: E402
from ir_collections import COLLECTIONS, Collection  # noqa: E402

from archive.config import Settings  # noqa: E402
from archive.core import Archive  # noqa: E402
from archive.engines.whoosh import engine as whoosh_engine  # noqa: E402
from archive.engines.whoosh import evaluate as arrays_evaluate  # noqa: E402
from archive.engines.whoosh import rank  # noqa: E402
from archive.engines.whoosh.arrays import view  # noqa: E402
from archive.engines.whoosh.expand import bound_expansions  # noqa: E402
from archive.models import SearchRequest  # noqa: E402
from archive.query import Limits, parse  # noqa: E402
from archive.search.expansion import DEFAULT  # noqa: E402

Ranking = dict[str, list[str]]
#: spreads tried by the cross-validation
SPREADS = [-1.0] + [round(0.05 * step, 2) for step in range(21)]
#: query lengths tried (negated: feedback runs for queries of at least this many words)
WORDS = [-math.inf] + [-float(n) for n in range(30, 0, -1)]
#: BM25 k1 values tried by the cross-validation
K1S = [0.8, 1.2, 1.6, 2.0, 2.5, 3.0]


def plain_words(text: str) -> str:
    """The query's words only, so nothing in it reads as query syntax."""
    return " ".join(re.findall(r"\w+(?:\.\w+)*", text))


# metrics -------------------------------------------------------------------------------


def average_precision(ranked: list[str], gains: dict[str, float]) -> float:
    found = 0
    total = 0.0
    for position, doc in enumerate(ranked, start=1):
        if doc in gains:
            found += 1
            total += found / position
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


def write_docs(coll: Collection, folder: Path) -> dict[str, str]:
    """One text file per document; returns file path -> document number."""
    paths = {}
    for number, (title, body) in coll.docs.items():
        path = folder / f"{int(number):05d}.txt"
        # a header, so that a text starting with "<" (Reuters' "<Parlux Inc> said") is not
        # taken for markup; without a title the archive derives one from the lede
        head = f"Title: {' '.join(title.split())}" if title.strip() else f"Source: {coll.name}"
        path.write_text(f"{head}\n\n{body}\n", encoding="utf-8")
        paths[str(path.resolve())] = number
    return paths


class ArchiveRuns:
    """One collection indexed once through ``Archive``, searched with each feedback rule."""

    def __init__(self, coll: Collection, work: Path, depth: int) -> None:
        self.coll = coll
        self.depth = depth
        docs = work / "docs"
        docs.mkdir()
        paths = write_docs(coll, docs)
        self.settings = Settings(
            data_dir=work / "data", max_per_page=depth, max_query_terms=2000, workers=1
        )
        with Archive(self.settings) as archive:
            archive.index([docs])
            self.number = {i: paths[archive.article(i).source_path] for i in archive.engine.ids()}
        #: per query, the first search's ten best scores (what the feedback rule reads)
        self.first: dict[str, list[float]] = {}

    def run(self, feedback: str, k1: float = rank.K1) -> Ranking:
        ranking: Ranking = {}
        with bm25_k1(k1), Archive(replace(self.settings, feedback=feedback)) as archive:
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
                if feedback == "never" and k1 == rank.K1:
                    self.first[qid] = [hit.score for hit in page.hits[: DEFAULT.documents]]
        return ranking

    def by_k1(self, values: list[float]) -> dict[float, float]:
        """nDCG@10 without feedback for each k1, from the engine's arrays (the top ten only,
        so that many values cost little)."""
        out = {}
        limits = Limits(max_terms=5000)
        with Archive(self.settings) as archive:
            engine = archive.engine
            searcher = engine._searcher()  # a bench may reach inside
            arrays = view(searcher, engine.arrays)
            queries = [
                (qid, engine.compiler.compile(parse(plain_words(t), mode="any", limits=limits)))
                for qid, t in self.coll.judged
            ]
            for k1 in values:
                searcher.weighting = rank.Okapi(k1=k1)
                total = 0.0
                for qid, query in queries:
                    matches = arrays_evaluate.evaluate(
                        arrays, bound_expansions(query, searcher.reader())
                    )
                    order = arrays_evaluate.ranked(arrays, matches, "relevance", 10)
                    top = matches.docs[order].tolist()
                    found = [self.number[searcher.stored_fields(n)["id"]] for n in top]
                    total += ndcg_at(found, self.coll.qrels[qid])
                out[k1] = total / max(len(queries), 1)
            searcher.weighting = rank.weighting()
        return out


@contextmanager
def bm25_k1(k1: float) -> Iterator[None]:
    """Searchers opened meanwhile rank with BM25's ``k1`` (to show a former setting)."""
    shipped = whoosh_engine.weighting
    whoosh_engine.weighting = lambda: rank.Okapi(k1=k1)  # type: ignore[assignment]
    try:
        yield
    finally:
        whoosh_engine.weighting = shipped  # type: ignore[assignment]


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


# cross-validation -----------------------------------------------------------------------


def per_query(coll: Collection, ranking: Ranking) -> dict[str, float]:
    return {qid: ndcg_at(ranking.get(qid, []), coll.qrels[qid]) for qid, _ in coll.judged}


def spread(first: list[float]) -> float:
    """How far the first search's tenth score falls below its first, as a share of it
    (a score-gap predictor: small when the best answers score alike)."""
    if len(first) < DEFAULT.documents or first[0] <= 0:
        return math.inf
    return (first[0] - first[-1]) / first[0]


def _never(show: Callable[[float], str]) -> Callable[[float], str]:
    """``show``, and "never" for the value under which feedback never runs."""
    return lambda value: "never" if value in (-1.0, -math.inf) else show(value)


def cross_validation(study: dict[str, dict[str, Any]]) -> list[str]:
    """The feedback predictors and BM25's k1, each chosen by leave-one-collection-out."""
    lines = []
    rules: list[tuple[str, str, list[float], Callable[[float], str]]] = [
        ("feedback when spread <=", "spread", SPREADS, _never(lambda v: f"{v:g}")),
        ("feedback when words >=", "words", WORDS, _never(lambda v: f"{-v:g}")),
    ]
    for name, predictor, values, show in rules:
        data = {
            coll: (found["plain"], found["expanded"], found[predictor])
            for coll, found in study.items()
        }
        study_rule = crossval.feedback_study(data, values)
        lines += crossval.leave_one_out(name, study_rule, values[0], show)
    lines += crossval.leave_one_out(
        "k1", {coll: found["k1"] for coll, found in study.items()}, rank.K1, former=1.2
    )
    return lines


# main ----------------------------------------------------------------------------------


def evaluate(
    coll: Collection, depth: int, work: Path
) -> tuple[list[tuple[str, tuple[float, float, float], float]], dict[str, Any]]:
    rows = []
    depth = min(depth, coll.depth)
    runs = ArchiveRuns(coll, work, depth)
    found: dict[str, Ranking] = {}
    systems: list[tuple[str, Callable[[], Ranking | None]]] = [
        ("newsarchive default (any)", lambda: runs.run("never")),
        ("newsarchive any + feedback", lambda: runs.run("always")),
        ("any + feedback, k1 1.2", lambda: runs.run("always", k1=1.2)),
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
    words = {qid: -float(len(set(plain_words(text).lower().split()))) for qid, text in coll.judged}
    study = {
        "plain": per_query(coll, found["newsarchive default (any)"]),
        "expanded": per_query(coll, found["newsarchive any + feedback"]),
        "spread": {qid: spread(first) for qid, first in runs.first.items()},
        "words": words,
        "k1": runs.by_k1(K1S),
    }
    return rows, study


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    needs.add_argument(parser)
    parser.add_argument("--collection", choices=sorted(COLLECTIONS), action="append")
    parser.add_argument("--depth", type=int, default=1000, help="ranks kept per query")
    parser.add_argument("--per-query", type=Path, help="write each query's figures (JSON)")
    args = parser.parse_args(argv)
    names = args.collection or list(COLLECTIONS)
    for name in names:
        needs.need(parser, args.shared / COLLECTIONS[name][0], f"the {name} collection")
    needs.need_packages(parser, "bm25s", "Stemmer")
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
    print("\ncross-validation (leave one collection out):")
    for line in cross_validation(study):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
