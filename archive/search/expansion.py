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
with their scores, and document frequencies, and adds the expansion words to the query as
optional words, so feedback changes the order of the answers and never which articles
match. See ``engines/whoosh/feedback.py`` and ``engines/opensearch/feedback.py``.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

#: characters of each feedback article read (the lede and what follows carry the topic)
FEEDBACK_CHARS = 20_000
#: words in more articles than this are not added: their postings are long to read (most
#: of the cost of feedback on a large archive was "mln", "pct", "said", ...) and a word in
#: thousands of articles says little about one topic
MAX_WORD_ARTICLES = 5_000


@dataclass(frozen=True)
class Feedback:
    """How much feedback to take: documents read, words added, weight of the query.

    Ten words, as Anserini's RM3 takes by default: with twenty, feedback cost up to 30 ms
    of CPU a query at 108,000 articles (bench/feedback_cost.py), each word's postings being
    looked up in every field and segment; ten keep it under 20 ms and most of the gain
    (Cranfield 0.418 against 0.423, CISI 0.415 against 0.427 nDCG@10).
    """

    documents: int = 10
    words: int = 10
    original_weight: float = 0.5


DEFAULT = Feedback()


def relevance_model(
    documents: Sequence[tuple[float, Mapping[str, int]]],
    idf: Callable[[str], float],
    words: int,
    max_idf: float | None = None,
) -> dict[str, float]:
    """The ``words`` best expansion words with weights summing to 1.

    ``documents`` holds each feedback document's first-search score and its analysed word
    counts; ``idf`` gives a word's inverse document frequency in the whole archive. With
    ``max_idf``, the highest ``idf`` can give, words are taken most likely first and
    ``idf`` is asked only while a word could still be among the best (same result, far
    fewer look-ups).
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
    weighted = _weighted(model, idf, words, max_idf)
    best = sorted(weighted.items(), key=lambda item: (-item[1], item[0]))[:words]
    best = [(word, weight) for word, weight in best if weight > 0]
    norm = sum(weight for _, weight in best)
    return {word: weight / norm for word, weight in best} if norm else {}


def _weighted(
    model: Mapping[str, float], idf: Callable[[str], float], words: int, max_idf: float | None
) -> dict[str, float]:
    """Each word's feedback weight times its idf, for every word that can be among the best."""
    if max_idf is None:
        return {word: weight * idf(word) for word, weight in model.items()}
    weighted: dict[str, float] = {}
    best: list[float] = []  # the ``words`` highest so far, ascending
    for word, weight in sorted(model.items(), key=lambda item: -item[1]):
        if len(best) >= words and weight * max_idf < best[0]:
            break
        value = weight * idf(word)
        weighted[word] = value
        if len(best) < words or value > best[0]:
            bisect.insort(best, value)
            del best[: max(0, len(best) - words)]
    return weighted


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
