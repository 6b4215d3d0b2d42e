"""Explain on Whoosh's matchers: the reference ``archive/engines/whoosh/explain.py`` (on
arrays) is held to in tests/test_whoosh_evaluate.py.

Each positive word or phrase of the compiled query is matched against the one document
by Whoosh's own matchers and scored as they score it; a BM25F word's score is shared among
the fields it was found in, in proportion to what each field added. This is how explain
ran before searches moved to arrays.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from whoosh import query as wq
from whoosh.searching import Searcher

from archive.engines.whoosh.rank import FieldsMatcher, FieldsTerm
from archive.models import Match


def explain_hit(searcher: Searcher, query: wq.Query, docnum: int) -> tuple[Match, ...]:
    """The matches of ``query``'s positive parts in document ``docnum``, best first.

    Matchers are made on the segment holding the document, with its own numbering, as
    Whoosh's searches make them (a matcher over several segments loses its place)."""
    segment, local = _segment(searcher, docnum)
    found: list[Match] = []
    for leaf, factor in _leaves(query, lambda part: _holds(segment, part, local)):
        found.extend(replace(m, score=m.score * factor) for m in _matches(segment, leaf, local))
    return tuple(sorted(found, key=lambda match: (-match.score, match.field, match.word)))


def _holds(searcher: Searcher, query: wq.Query, docnum: int) -> bool:
    """Whether ``query`` as a whole matches the document."""
    matcher = query.matcher(searcher, searcher.boolean_context())
    if matcher.is_active() and matcher.id() < docnum:
        matcher.skip_to(docnum)
    return bool(matcher.is_active() and matcher.id() == docnum)


def _segment(searcher: Searcher, docnum: int) -> tuple[Searcher, int]:
    """The searcher of the segment holding ``docnum``, and its number there."""
    holder, start = searcher, 0
    for leaf, offset in searcher.leaf_searchers():
        if offset <= docnum:
            holder, start = leaf, offset
    return holder, docnum - start


def _leaves(
    query: wq.Query, holds: Callable[[wq.Query], bool], factor: float = 1.0
) -> Iterator[tuple[wq.Query, float]]:
    """Words and phrases outside any ``NOT`` (and outside what only selects, boost 0), and
    what else a hit can match by: every article, dates, the absence of words; each with
    the boost of the AND or OR holding it (which Whoosh ignores for an AND or OR of one).
    Parts that do not hold for the document as a whole (an AND missing a word, a NOT
    whose word is there) add nothing and are left out."""
    if query.boost == 0 or not holds(query):
        return
    if isinstance(query, wq.AndNot):
        yield from _leaves(query.a, holds, factor)
        yield _Without(query.b), factor
        return
    if isinstance(query, wq.Term | wq.Phrase | wq.Not | wq.Every | wq.NumericRange):
        yield query, factor
        return
    if query.is_leaf():
        return
    if isinstance(query, wq.CompoundQuery) and len(query.subqueries) > 1:
        factor *= query.boost
    for child in query.children():
        yield from _leaves(child, holds, factor)


class _Without(wq.Not):
    """The part an ``AndNot`` takes away: named in the explanation, adding nothing."""

    def __init__(self, query: wq.Query) -> None:
        super().__init__(query, boost=0.0)


def _matches(searcher: Searcher, leaf: wq.Query, docnum: int) -> list[Match]:
    if isinstance(leaf, wq.Not | wq.Every | wq.NumericRange):
        return _condition(searcher, leaf, docnum)
    matcher = leaf.matcher(searcher, searcher.context())
    if not matcher.is_active():
        return []
    if matcher.id() < docnum:
        matcher.skip_to(docnum)
    if not matcher.is_active() or matcher.id() != docnum:
        return []
    if isinstance(leaf, FieldsTerm) and isinstance(matcher, FieldsMatcher):
        return _shared(leaf, matcher, docnum)
    word = " ".join(_text(w) for w in leaf.words) if isinstance(leaf, wq.Phrase) else leaf.text
    if isinstance(leaf, wq.Phrase) and matcher.supports("positions"):
        # a phrase occurs as often as its matcher finds spans (its weight is not a count)
        count = max(1, len(matcher.spans()))
    else:  # a boosted term matcher weighs its frequency times the boost
        count = max(1, round(matcher.weight() / (leaf.boost or 1.0)))
    return [Match(leaf.fieldname, _text(word), count, float(matcher.score()))]


def _condition(searcher: Searcher, leaf: wq.Query, docnum: int) -> list[Match]:
    """A part that holds for the document without a word to show: NOT, a date range,
    every article."""
    matcher = wq.Not(leaf.query).matcher(searcher) if isinstance(leaf, _Without) else None
    matcher = matcher or leaf.matcher(searcher, searcher.context())
    if matcher.is_active() and matcher.id() < docnum:
        matcher.skip_to(docnum)
    if not matcher.is_active() or matcher.id() != docnum:
        return []
    score = 0.0 if isinstance(leaf, _Without) else float(matcher.score())
    if isinstance(leaf, wq.Not):
        return [Match("not", " ".join(_words(leaf.query)) or "…", 0, score)]
    if isinstance(leaf, wq.NumericRange):
        return [Match("date", _days(leaf.start, leaf.end), 1, score)]
    return [Match("any", "every article", 1, score)]


def _words(query: wq.Query) -> Iterator[str]:
    """The words a query looks for, for naming it."""
    if isinstance(query, wq.Term):
        yield _text(query.text)
    elif isinstance(query, wq.Phrase):
        yield f"“{' '.join(_text(word) for word in query.words)}”"
    elif not query.is_leaf():
        for child in query.children():
            yield from _words(child)


def _days(start: int | None, end: int | None) -> str:
    first = datetime.fromtimestamp(start, UTC).date().isoformat() if start is not None else "…"
    last = datetime.fromtimestamp(end, UTC).date().isoformat() if end is not None else "…"
    return f"{first} to {last}"


def _shared(leaf: FieldsTerm, matcher: FieldsMatcher, docnum: int) -> list[Match]:
    frequencies = matcher.frequencies()
    parts = matcher.stats.parts(frequencies, docnum)
    total = sum(parts.values()) or 1.0
    score = float(matcher.score())
    return [
        Match(name, _text(leaf.text), round(frequencies[name]), score * part / total)
        for name, part in parts.items()
    ]


def _text(value: Any) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)
