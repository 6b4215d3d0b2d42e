"""Whoosh's matchers where the archive changes them: a fix to ``AndNotMatcher`` and a
phrase matcher that counts slop over the whole phrase.

The archive's searches run on arrays (``evaluate``) and never use these; they keep Whoosh's
own matchers, which the tests use as the reference for the arrays, giving the same answers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from whoosh.query.spans import Span, SpanNear2


def and_not_first(self: Any) -> None:
    """``AndNotMatcher._find_first`` that also skips the excluded matcher forward.

    The original looks for an excluded first document only when both matchers start on
    the same one, so ``a ANDNOT b`` kept ``a``'s first document whenever ``b`` started
    earlier and also held it.
    """
    if self.a.is_active() and self.b.is_active():
        self._find_next()


SpansOf = Callable[[list[list[int]], int], list[tuple[int, int]]]


def ordered_matcher(inner: Any, slop: int, spans_of: SpansOf) -> Any:
    """``inner`` (the matcher of a ``Phrase`` with ``slop``) with its occurrences found by
    ``spans_of`` (word positions, slop -> (first, last) positions); a matcher that is not
    a ``SpanNear2`` one (a phrase no document holds) is returned as it is."""
    if not isinstance(inner, SpanNear2.SpanNear2Matcher):
        return inner
    return _OrderedMatcher(inner.ms, slop=slop, spans_of=spans_of)


class _OrderedMatcher(SpanNear2.SpanNear2Matcher):
    """``SpanNear2``'s matcher with the occurrences found by ``spans_of``."""

    def __init__(self, ms: list[Any], slop: int, spans_of: SpansOf) -> None:
        self.spans_of = spans_of  # before Whoosh's constructor looks for the first spans
        super().__init__(ms, slop=slop)

    def copy(self) -> _OrderedMatcher:
        return _OrderedMatcher([m.copy() for m in self.ms], self.slop, self.spans_of)

    def _get_spans(self) -> list[Span]:
        positions = [sorted(span.start for span in m.spans()) for m in self.ms]
        return [Span(start, end) for start, end in self.spans_of(positions, self.slop)]
