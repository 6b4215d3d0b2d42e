"""RM3 pseudo-relevance feedback on arrays: the engine's half of ``archive.search.expansion``.

The first search's matches are already scored (``evaluate``); the best few are read
(``forms`` gives their analysed words), the relevance model picks the expansion words, and
the expansion words' BM25F scores are added to the matches that hold them (Whoosh's
AND-MAYBE), so feedback changes the order of the answers and never which articles match or
how many: filters, ``NOT`` and "all words" keep their meaning.

``rerank`` runs feedback when the archive's ``feedback`` setting is ``always``; by default
(``never``) it does not: measured across four test collections, feedback helped the long
queries of Cranfield and CISI and hurt news searches, and no rule that predicts when it
helps held up in cross-validation (bench/relevance.py).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from whoosh import query as wq

from archive.engines.whoosh.arrays import View
from archive.engines.whoosh.evaluate import Matches, evaluate, ranked, with_optional
from archive.engines.whoosh.forms import forms
from archive.engines.whoosh.rank import FieldsTerm
from archive.search.expansion import (
    DEFAULT,
    FEEDBACK_CHARS,
    MAX_WORD_ARTICLES,
    Feedback,
    expansion_weights,
    idf,
    relevance_model,
)


def rerank(
    view: View, query: wq.Query, matches: Matches, rule: str, feedback: Feedback = DEFAULT
) -> tuple[Matches, wq.Query | None]:
    """``matches`` (all of ``query``'s) rescored with RM3 expansion words when ``rule`` is
    "always", and the expansion words as a query (``None`` when feedback did not run)."""
    words = list(positive_words(query))
    if rule != "always" or not words or not len(matches):
        return matches, None
    top = ranked(view, matches, "relevance", feedback.documents)
    extra = expansion(view, words, matches.docs[top], matches.scores[top], feedback)
    if extra is None:
        return matches, None
    return with_optional(matches, evaluate(view, extra)), extra


def expansion(
    view: View,
    words: list[FieldsTerm],
    docs: np.ndarray,
    scores: np.ndarray,
    feedback: Feedback = DEFAULT,
) -> wq.Query | None:
    """The expansion words, as optional weighted words, that feedback from the articles
    ``docs`` (the first search's best, scoring ``scores``) adds to a query of ``words``."""
    searcher = view.searcher
    analysed = forms(searcher)
    documents = []
    for docnum, score in zip(docs.tolist(), scores.tolist(), strict=True):
        stored = searcher.stored_fields(docnum)
        text = f"{stored.get('title', '')}\n{stored.get('body', '')[:FEEDBACK_CHARS]}"
        documents.append((float(score), analysed.counts(text)))
    count = searcher.doc_count_all()

    def weight(word: str) -> float:
        frequency = searcher.doc_frequency("body", word)
        return idf(frequency, count) if frequency <= MAX_WORD_ARTICLES else 0.0

    model = relevance_model(documents, weight, feedback.words, max_idf=idf(1, count))
    boosts = expansion_weights(sum(word.boost for word in words), model, feedback)
    if not boosts:
        return None
    weights = words[0].weights
    return wq.Or([FieldsTerm(weights, word, boost=boost) for word, boost in sorted(boosts.items())])


def positive_words(query: wq.Query) -> Iterator[FieldsTerm]:
    """The bare words of the query outside any ``NOT``."""
    if isinstance(query, wq.Not):
        return
    if isinstance(query, wq.AndNot):  # what it takes away is not looked for
        yield from positive_words(query.a)
        return
    if isinstance(query, FieldsTerm):
        yield query
        return
    if query.is_leaf():
        return
    for child in query.children():
        yield from positive_words(child)
