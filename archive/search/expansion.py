"""Query expansion by pseudo-relevance feedback (RM3), independent of the engine.

A short query names a topic in a few of the words its articles use. RM3 (Abdul-Jaleel et
al., 2004; Lavrenko and Croft's relevance model) assumes the best few answers of a first
search are about the topic, estimates from them which other words the topic uses, and
searches again with the query's own words plus those, the original words keeping half of
the weight. A word's feedback weight is its share of each feedback document's words,
summed with the documents' shares of the first search's score, times its idf, so words
common in the feedback documents but rare in the archive are preferred to words that are
merely common.

The engine supplies what it alone knows: the first search's answers as analysed words
with their scores, and document frequencies. See ``engines/whoosh/feedback.py``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Feedback:
    """How much feedback to take: documents read, words added, weight of the query."""

    documents: int = 10
    words: int = 20
    original_weight: float = 0.5


DEFAULT = Feedback()


def relevance_model(
    documents: Sequence[tuple[float, Mapping[str, int]]],
    idf: Callable[[str], float],
    words: int,
) -> dict[str, float]:
    """The ``words`` best expansion words with weights summing to 1.

    ``documents`` holds each feedback document's first-search score and its analysed word
    counts; ``idf`` gives a word's inverse document frequency in the whole archive.
    """
    total_score = sum(max(score, 0.0) for score, _ in documents)
    if not documents or total_score <= 0:
        return {}
    model: dict[str, float] = {}
    for score, counts in documents:
        length = sum(counts.values())
        if not length or score <= 0:
            continue
        share = score / total_score
        for word, count in counts.items():
            model[word] = model.get(word, 0.0) + share * count / length
    weighted = {word: weight * idf(word) for word, weight in model.items()}
    best = sorted(weighted.items(), key=lambda item: (-item[1], item[0]))[:words]
    best = [(word, weight) for word, weight in best if weight > 0]
    norm = sum(weight for _, weight in best)
    return {word: weight / norm for word, weight in best} if norm else {}


def expansion_weights(
    query_weight: float, model: Mapping[str, float], feedback: Feedback = DEFAULT
) -> dict[str, float]:
    """Boosts for the expansion words, on the scale where each query word's boost is its
    count in the query (``query_weight`` is the sum of those counts).

    RM3 interpolates ``original_weight * P(w|query) + (1 - original_weight) * P(w|R)``;
    multiplying both sides by ``query_weight / original_weight`` keeps the query as it is
    and gives the expansion words these boosts.
    """
    if not model or query_weight <= 0 or not 0 < feedback.original_weight <= 1:
        return {}
    scale = (1 - feedback.original_weight) / feedback.original_weight * query_weight
    return {word: scale * weight for word, weight in model.items()}


def idf(doc_frequency: int, doc_count: int) -> float:
    """log(N / df), zero for a word found in every document."""
    if doc_frequency <= 0 or doc_count <= 0:
        return 0.0
    return max(math.log(doc_count / doc_frequency), 0.0)
