"""Why a hit ranks where it does: the words of the query it matched, field by field.

Each positive word or phrase of the compiled query is matched against the one document
and scored as the search scored it; a BM25F word's score is shared among the fields it
was found in, in proportion to what each field added. The scores of a hit's matches add
up to its score (the words added by feedback are listed too).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from whoosh import query as wq
from whoosh.searching import Searcher

from archive.engines.whoosh.rank import FieldsMatcher, FieldsTerm
from archive.models import Match


def explain_hit(searcher: Searcher, query: wq.Query, docnum: int) -> tuple[Match, ...]:
    """The matches of ``query``'s positive parts in document ``docnum``, best first."""
    found: list[Match] = []
    for leaf in _leaves(query):
        found.extend(_matches(searcher, leaf, docnum))
    return tuple(sorted(found, key=lambda match: (-match.score, match.field, match.word)))


def _leaves(query: wq.Query) -> Iterator[wq.Query]:
    """Words and phrases outside any ``NOT``."""
    if isinstance(query, wq.Not):
        return
    if isinstance(query, wq.Term | wq.Phrase):
        yield query
        return
    if query.is_leaf():
        return
    for child in query.children():
        yield from _leaves(child)


def _matches(searcher: Searcher, leaf: wq.Query, docnum: int) -> list[Match]:
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
    count = max(1, round(matcher.weight()))
    return [Match(leaf.fieldname, _text(word), count, float(matcher.score()))]


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
