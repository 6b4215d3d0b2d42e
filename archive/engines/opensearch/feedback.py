"""RM3 pseudo-relevance feedback on OpenSearch: the engine's half of ``archive.search.expansion``.

As on the embedded engine (``whoosh.feedback``): the first search's best answers (of all
its matches, copies included) are read as the text analyser indexes them (the cluster's
term vectors of each one's headline and first ``FEEDBACK_CHARS`` characters, with the
archive's document frequencies), the relevance model picks the expansion words, and they
join the query as optional words scored over headline and text (``text``): the query
becomes a ``must`` and the words a ``should`` beside it, so feedback changes the order of
the answers and never which articles match or how many.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Mapping
from typing import Any

from opensearchpy import OpenSearch

from archive.engines.opensearch.compile import Query, indexed
from archive.querytree import And, Node, Or, Term
from archive.search.expansion import (
    DEFAULT,
    FEEDBACK_CHARS,
    MAX_WORD_ARTICLES,
    Feedback,
    expansion_weights,
    idf,
    relevance_model,
)

#: a word as OpenSearch's standard tokenizer sees it (as ``compile`` splits words)
_WORD = re.compile(r"\w+(?:['’]\w+)*")


def query_weight(tree: Node) -> int:
    """How many bare words (over headline and text) the query looks for outside any NOT,
    a repeated word counted each time: the query's side of RM3's interpolation."""
    return sum(_bare_words(tree).values())


def _bare_words(tree: Node) -> Counter[str]:
    found: Counter[str] = Counter()
    for word in _bare(tree):
        if len(_WORD.findall(word)) == 1 and indexed(word, "text"):
            found[word.lower()] += 1
    return found


def _bare(tree: Node) -> Iterator[str]:
    if isinstance(tree, Term) and tree.field is None:
        yield tree.text
    elif isinstance(tree, And | Or):
        for child in tree.children:
            yield from _bare(child)


def first_body(query: Query, feedback: Feedback = DEFAULT) -> dict[str, Any]:
    """The first search: its best answers, with what feedback reads of them."""
    return {
        "query": query,
        "size": feedback.documents,
        "sort": [{"_score": "desc"}, {"id": "asc"}],
        "track_total_hits": False,
        "_source": ["title", "body"],
    }


def vectors_body(response: Mapping[str, Any]) -> dict[str, Any]:
    """Term vectors of the first search's answers as the text analyser reads them."""
    docs = []
    for hit in response["hits"]["hits"]:
        source = hit.get("_source") or {}
        text = f"{source.get('title') or ''}\n{(source.get('body') or '')[:FEEDBACK_CHARS]}"
        docs.append(
            {
                "doc": {"body": text},
                "fields": ["body"],
                "term_statistics": True,
                "field_statistics": True,
                "positions": False,
                "offsets": False,
            }
        )
    return {"docs": docs}


def expansion(
    first: Mapping[str, Any],
    vectors: Mapping[str, Any],
    weight: int,
    feedback: Feedback = DEFAULT,
) -> Query | None:
    """The expansion words as an optional query, from the first search's answer and its
    term vectors; ``None`` when feedback finds no word to add."""
    documents = []
    frequencies: dict[str, int] = {}
    count = 0
    hits = first["hits"]["hits"]
    for hit, found in zip(hits, vectors.get("docs", []), strict=False):
        body = (found.get("term_vectors") or {}).get("body") or {}
        count = max(count, int((body.get("field_statistics") or {}).get("doc_count", 0)))
        terms = body.get("terms") or {}
        documents.append(
            (float(hit.get("_score") or 0.0), {w: int(t["term_freq"]) for w, t in terms.items()})
        )
        for word, stats in terms.items():
            frequencies[word] = int(stats.get("doc_freq", 0))

    def word_weight(word: str) -> float:
        frequency = frequencies.get(word, 0)
        return idf(frequency, count) if frequency <= MAX_WORD_ARTICLES else 0.0

    model = relevance_model(documents, word_weight, feedback.words, max_idf=idf(1, count))
    boosts = expansion_weights(weight, model, feedback)
    if not boosts:
        return None
    should = [
        {"term": {"text": {"value": word, "boost": boost}}}
        for word, boost in sorted(boosts.items())
    ]
    return {"bool": {"should": should, "minimum_should_match": 1}}


def with_expansion(query: Query, extra: Query) -> Query:
    """``query``'s matches, with the expansion words' scores added where they match."""
    return {"bool": {"must": [query], "should": [extra]}}


def with_feedback(client: OpenSearch, index: str, query: Query, weight: int) -> Query:
    """``query`` with the expansion words feedback finds for it (``weight``: its
    ``query_weight``), or as it is when it finds none; two requests: the first search and
    its answers' term vectors."""
    first = client.search(index=index, body=first_body(query))
    if not first["hits"]["hits"]:
        return query
    vectors = client.mtermvectors(index=index, body=vectors_body(first))
    extra = expansion(first, vectors, weight)
    return query if extra is None else with_expansion(query, extra)
