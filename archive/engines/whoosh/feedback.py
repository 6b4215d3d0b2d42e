"""RM3 pseudo-relevance feedback on Whoosh: the engine's half of ``archive.search.expansion``.

The expanded query keeps the original as the required part and adds the expansion words
as optional ones (``AndMaybe``), so feedback changes the order of the answers and never
which articles match or how many: filters, ``NOT`` and "all words" keep their meaning.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from whoosh import query as wq
from whoosh.searching import Searcher

from archive.engines.whoosh.compile import bound_expansions
from archive.engines.whoosh.rank import FieldsTerm
from archive.search.expansion import DEFAULT, Feedback, expansion_weights, idf, relevance_model

#: characters of each feedback article read (the lede and what follows carry the topic)
FEEDBACK_CHARS = 20_000


def expand(searcher: Searcher, query: wq.Query, feedback: Feedback = DEFAULT) -> wq.Query:
    """``query`` with RM3 expansion words added as optional, weighted parts."""
    query = bound_expansions(query, searcher.reader())
    words = list(_positive_words(query))
    if not words or query is wq.NullQuery:
        return query
    first = searcher.search(query, limit=feedback.documents)
    analyzer = searcher.schema["body"].analyzer
    documents = []
    for hit in first:
        stored = hit.fields()
        text = f"{stored.get('title', '')}\n{stored.get('body', '')[:FEEDBACK_CHARS]}"
        documents.append((float(hit.score or 0.0), Counter(t.text for t in analyzer(text))))
    count = searcher.doc_count_all()
    model = relevance_model(
        documents,
        lambda word: idf(searcher.doc_frequency("body", word), count),
        feedback.words,
    )
    boosts = expansion_weights(sum(word.boost for word in words), model, feedback)
    if not boosts:
        return query
    weights = words[0].weights
    extra = [FieldsTerm(weights, word, boost=boost) for word, boost in sorted(boosts.items())]
    return wq.AndMaybe(query, wq.Or(extra))


def _positive_words(query: wq.Query) -> Iterator[FieldsTerm]:
    """The bare words of the query outside any ``NOT``."""
    if isinstance(query, wq.Not):
        return
    if isinstance(query, FieldsTerm):
        yield query
        return
    if query.is_leaf():
        return
    for child in query.children():
        yield from _positive_words(child)
