"""Phrases on arrays: the documents holding every word, then the word positions checked.

Whoosh runs a phrase as a ``SpanNear2`` query: the intersection of its words' postings,
scored as the sum of their scores, keeping the documents where each word follows the
previous one within ``slop`` positions. Here the intersection and the scores come from the
arrays (``evaluate``) and only the documents holding every word have their positions
decoded and checked, with the same rule as ``SpanNear2`` (ordered, at least one position
apart).

A phrase with slop (``"peace talks"~3``) is an ``OrderedPhrase``: its words in order with
at most that many other words between the first and the last, in all (Lucene's ordered
``span_near``, so both engines agree); Whoosh's own ``Phrase`` allows the slop between
each pair of neighbours instead.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from whoosh import query as wq
from whoosh.matching import WrappingMatcher

from archive.engines.whoosh.arrays import View
from archive.engines.whoosh.compat import matching

Span = tuple[int, int]


class OrderedPhrase(wq.Phrase):
    """Words in order, at most ``slop - 1`` other words between the first and the last.

    Searches run it on arrays (``evaluate``); its Whoosh matcher, the tests' reference,
    is Whoosh's phrase matcher with the occurrences found by ``ordered_spans``."""

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        inner = wq.Phrase(self.fieldname, self.words, slop=self.slop).matcher(searcher, context)
        inner = matching.ordered_matcher(inner, self.slop, ordered_spans)
        return inner if self.boost == 1.0 else WrappingMatcher(inner, boost=self.boost)


def ordered_spans(positions: list[list[int]], slop: int) -> list[Span]:
    """(first, last) positions of the phrase's occurrences: each word after the previous
    one, at most ``slop - 1`` other positions between the first word and the last. Taking
    each next word at its first position after the previous one ends an occurrence as
    early as possible, so one pass per start decides it."""
    found: list[Span] = []
    for start in positions[0]:
        at = start
        for later in positions[1:]:
            index = bisect_right(later, at)
            if index == len(later):
                return found
            at = later[index]
        if at - start - (len(positions) - 1) <= slop - 1:
            found.append((start, at))
    return found


def phrase_docs(
    view: View,
    field: str,
    words: Sequence[bytes],
    slop: int,
    candidates: np.ndarray,
    ordered: bool = False,
) -> np.ndarray:
    """Which of ``candidates`` (documents holding every word) hold the phrase; ``ordered``
    counts the slop over the whole phrase (``OrderedPhrase``)."""
    return phrase_counts(view, field, words, slop, candidates, ordered) > 0


def phrase_counts(
    view: View,
    field: str,
    words: Sequence[bytes],
    slop: int,
    candidates: np.ndarray,
    ordered: bool = False,
) -> np.ndarray:
    """How often each of ``candidates`` (documents holding every word) holds the phrase
    (the spans Whoosh's phrase matcher finds; 0 where it does not hold)."""
    decode: Callable[[bytes], list[int]] = view.searcher.schema[field].format.decode_positions
    columns = []
    for word in words:
        docs, values = view.positions(field, word)
        columns.append(values[np.searchsorted(docs, candidates)])
    found = np.zeros(len(candidates), dtype=np.int64)
    for row in range(len(candidates)):
        positions = [decode(column[row]) for column in columns]
        if slop == 1:
            found[row] = len(_adjacent(positions))
        elif ordered:
            found[row] = len(ordered_spans([sorted(p) for p in positions], slop))
        else:
            found[row] = len(_near(positions, slop))
    return found


def _adjacent(positions: list[list[int]]) -> set[int]:
    """Where each word comes right after the previous one (``slop`` 1): the first word's
    positions."""
    starts = set(positions[0])
    for shift, later in enumerate(positions[1:], start=1):
        starts &= {position - shift for position in later}
        if not starts:
            break
    return starts


def _near(positions: list[list[int]], slop: int) -> list[Span]:
    """The spans ``SpanNear2`` (ordered, ``mindist`` 1) finds for words at these positions."""
    spans: list[Span] = [(position, position) for position in sorted(positions[0])]
    for later in positions[1:]:
        following = [(position, position) for position in sorted(later)]
        starts = [start for start, _ in following]
        found: set[Span] = set()
        for start, end in spans:
            for other_start, other_end in following[bisect_left(starts, start) :]:
                if other_end < start - slop or start > other_start:
                    continue
                if other_start > end + slop:
                    break
                if 1 <= _distance((start, end), (other_start, other_end)) <= slop:
                    found.add((min(start, other_start), max(end, other_end)))
        spans = sorted(found)
        if not spans:
            break
    return spans


def _distance(a: Span, b: Span) -> int:
    """``whoosh.query.spans.Span.distance_to``."""
    if _overlaps(a, b):
        return 0
    if a[1] < b[0]:
        return b[0] - a[1]
    return a[0] - b[1]


def _overlaps(a: Span, b: Span) -> bool:
    return (
        a[0] <= b[0] <= a[1] or a[0] <= b[1] <= a[1] or b[0] <= a[0] <= b[1] or b[0] <= a[1] <= b[1]
    )
