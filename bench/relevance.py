"""Ranking quality on SMART-format test collections (Cranfield, CISI).

Usage: ``python bench/relevance.py [--shared PATH] [--collection NAME] [--depth N]``

Each collection's documents are written as plain-text files (a ``Title:`` header, then the
abstract) and indexed through ``archive.Archive`` exactly as a user's files would be. Every
query runs as a ``SearchRequest`` in mode "any" (any of the words may match); the query
text is reduced to its words first, so a stray ``(`` or an upper-case ``AND`` in a
natural-language query is not read as query syntax, and every copy of a near-duplicate
abstract is ranked (``copies=True``), since each one is judged on its own. In the same
run the naive Whoosh default ranks the same documents: ``StemmingAnalyzer`` on title and
body, BM25F with its default parameters, a plain OR query over both fields.

Metrics, averaged over the queries that have judgments: MAP (over the top ``depth``),
P@10 and nDCG@10, with binary gains (Cranfield grades 1..4 count as relevant, -1 as not;
CISI's judgments are binary), the convention of the figures published for other engines.

Quirks handled (see shared/README.md): Cranfield's ``cran.qry`` numbers its queries with
gaps while ``cranqrel`` numbers them 1..225 in order, so queries are matched by position.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import needs  # noqa: E402

needs.need_project()

from archive.config import Settings  # noqa: E402
from archive.core import Archive  # noqa: E402
from archive.models import SearchRequest  # noqa: E402

Ranking = dict[str, list[str]]


@dataclass
class Collection:
    """Documents (id -> title, body), queries (id, text) and graded judgments."""

    name: str
    docs: dict[str, tuple[str, str]] = field(default_factory=dict)
    queries: list[tuple[str, str]] = field(default_factory=list)
    qrels: dict[str, dict[str, float]] = field(default_factory=dict)

    @property
    def judged(self) -> list[tuple[str, str]]:
        return [(qid, text) for qid, text in self.queries if self.qrels.get(qid)]


def read_smart(path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """Records of a SMART file: ``.I id`` then sections ``.T``, ``.A``, ``.W``, ``.X``..."""
    record: dict[str, list[str]] = {}
    number = ""
    section = ""
    for line in path.read_text(encoding="latin-1").splitlines():
        marker = re.match(r"^\.([A-Z])\b\s*(.*)$", line)
        if marker and marker[1] == "I":
            if number:
                yield number, {key: "\n".join(value).strip() for key, value in record.items()}
            number, record, section = marker[2].strip(), {}, ""
        elif marker:
            section = marker[1]
            record.setdefault(section, [])
            if marker[2].strip():
                record[section].append(marker[2])
        elif section:
            record[section].append(line)
    if number:
        yield number, {key: "\n".join(value).strip() for key, value in record.items()}


def cranfield(root: Path) -> Collection:
    coll = Collection("Cranfield")
    for number, parts in read_smart(root / "cran.all.1400"):
        coll.docs[number] = (parts.get("T", ""), parts.get("W", ""))
    # cran.qry numbers queries with gaps; cranqrel numbers them by position
    for position, (_, parts) in enumerate(read_smart(root / "cran.qry"), start=1):
        coll.queries.append((str(position), parts.get("W", "")))
    for line in (root / "cranqrel").read_text().splitlines():
        qid, doc, grade = line.split()[:3]
        if int(grade) in (1, 2, 3, 4):
            coll.qrels.setdefault(qid, {})[doc] = 1.0
    return coll


def cisi(root: Path) -> Collection:
    coll = Collection("CISI")
    for number, parts in read_smart(root / "CISI.ALL"):
        coll.docs[number] = (parts.get("T", ""), parts.get("W", ""))
    for number, parts in read_smart(root / "CISI.QRY"):
        coll.queries.append((number, parts.get("W", "")))
    for line in (root / "CISI.REL").read_text().splitlines():
        fields = line.split()
        if len(fields) >= 2:
            coll.qrels.setdefault(fields[0], {})[fields[1]] = 1.0
    return coll


COLLECTIONS: dict[str, tuple[str, Callable[[Path], Collection]]] = {
    "cranfield": ("data/ir/cranfield", cranfield),
    "cisi": ("data/ir/cisi", cisi),
}


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
    judged = coll.judged
    rows = [
        (
            average_precision(ranking.get(qid, []), coll.qrels[qid]),
            precision_at(ranking.get(qid, []), coll.qrels[qid]),
            ndcg_at(ranking.get(qid, []), coll.qrels[qid]),
        )
        for qid, _ in judged
    ]
    count = max(len(rows), 1)
    return tuple(sum(row[i] for row in rows) / count for i in range(3))  # type: ignore[return-value]


def plain_words(text: str) -> str:
    """The query's words only, lower-cased, so nothing in it reads as query syntax."""
    return " ".join(re.findall(r"\w+", text.lower()))


# systems -------------------------------------------------------------------------------


def write_docs(coll: Collection, folder: Path) -> dict[str, str]:
    """One text file per document; returns file path -> document id."""
    paths = {}
    for number, (title, body) in coll.docs.items():
        path = folder / f"{int(number):05d}.txt"
        title_line = " ".join(title.split())
        path.write_text(f"Title: {title_line}\n\n{body}\n", encoding="utf-8")
        paths[str(path.resolve())] = number
    return paths


def run_archive(coll: Collection, work: Path, depth: int, **request: object) -> Ranking:
    """Index the collection through ``Archive`` and rank every query in mode "any"."""
    docs = work / "docs"
    docs.mkdir()
    paths = write_docs(coll, docs)
    settings = Settings(data_dir=work / "data", max_per_page=depth, max_query_terms=2000, workers=1)
    ranking: Ranking = {}
    with Archive(settings) as archive:
        archive.index([docs])
        number = {i: paths[archive.article(i).source_path] for i in archive.engine.ids()}
        for qid, text in coll.judged:
            page = archive.search(
                SearchRequest(
                    q=plain_words(text),
                    mode="any",
                    per_page=depth,
                    snippets=False,
                    facets=False,
                    timeline=False,
                    copies=True,
                    **request,  # type: ignore[arg-type]
                )
            )
            ranking[qid] = [number[hit.id] for hit in page.hits]
    return ranking


def run_naive_whoosh(coll: Collection, work: Path, depth: int) -> Ranking:
    """The Whoosh default: StemmingAnalyzer, BM25F defaults, OR over title and body."""
    from whoosh import fields, index, qparser
    from whoosh.analysis import StemmingAnalyzer

    schema = fields.Schema(
        id=fields.ID(stored=True, unique=True),
        title=fields.TEXT(analyzer=StemmingAnalyzer()),
        body=fields.TEXT(analyzer=StemmingAnalyzer()),
    )
    folder = work / "naive"
    folder.mkdir()
    ix = index.create_in(str(folder), schema)
    with ix.writer() as writer:
        for number, (title, body) in coll.docs.items():
            writer.add_document(id=number, title=title, body=body)
    parser = qparser.MultifieldParser(["title", "body"], schema, group=qparser.OrGroup)
    ranking: Ranking = {}
    with ix.searcher() as searcher:
        for qid, text in coll.judged:
            results = searcher.search(parser.parse(plain_words(text)), limit=depth)
            ranking[qid] = [hit["id"] for hit in results]
    return ranking


def run_bm25s(coll: Collection, depth: int) -> Ranking | None:
    """bm25s with its defaults and English stop words, when it is installed (optional)."""
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
        tokens = bm25s.tokenize(
            [plain_words(text)], stopwords="en", stemmer=stemmer, show_progress=False
        )
        found, _ = retriever.retrieve(tokens, k=min(depth, len(ids)), show_progress=False)
        ranking[qid] = [ids[i] for i in found[0]]
    return ranking


# main ----------------------------------------------------------------------------------


def evaluate(coll: Collection, depth: int) -> list[tuple[str, tuple[float, float, float], float]]:
    rows = []
    systems: list[tuple[str, Callable[[Path], Ranking | None]]] = [
        ("newsarchive (any + feedback)", lambda w: run_archive(coll, w, depth, expand=True)),
        ("newsarchive (any)", lambda w: run_archive(coll, w, depth)),
        ("naive Whoosh", lambda w: run_naive_whoosh(coll, w, depth)),
        ("bm25s (if installed)", lambda w: run_bm25s(coll, depth)),
    ]
    for label, run in systems:
        with tempfile.TemporaryDirectory() as temp:
            started = time.perf_counter()
            ranking = run(Path(temp))
            if ranking is not None:
                rows.append((label, scores(coll, ranking), time.perf_counter() - started))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    needs.add_argument(parser)
    parser.add_argument("--collection", choices=sorted(COLLECTIONS), action="append")
    parser.add_argument("--depth", type=int, default=1000, help="ranks kept per query")
    args = parser.parse_args(argv)
    names = args.collection or list(COLLECTIONS)
    for name in names:
        needs.need(parser, args.shared / COLLECTIONS[name][0], f"the {name} collection")
    print(f"{'collection':<11} {'system':<30} {'MAP':>6} {'P@10':>6} {'nDCG@10':>8} {'secs':>6}")
    for name in names:
        folder, reader = COLLECTIONS[name]
        coll = reader(args.shared / folder)
        for label, (ap, p10, ndcg), secs in evaluate(coll, args.depth):
            print(f"{coll.name:<11} {label:<30} {ap:6.3f} {p10:6.3f} {ndcg:8.3f} {secs:6.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
