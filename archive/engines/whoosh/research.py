"""The research capabilities on Whoosh (``Engine.histogram``, ``match_ids``,
``marked_texts``, ``sample_texts``), on the same arrays as searches.

A search's matches are evaluated once as arrays (``evaluate``), folded to one per story as
a search folds them, then counted per period from the publication times, or turned into
ids through the id field's values, or read from the stored fields in the search's order.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Any

import numpy as np
from whoosh import query as wq
from whoosh.searching import Searcher

from archive.engines.whoosh.arrays import View
from archive.engines.whoosh.compile import bound_expansions
from archive.engines.whoosh.copies import one_per_story
from archive.engines.whoosh.evaluate import Matches, TooSlow, evaluate, ranked
from archive.engines.whoosh.rank import FieldsTerm
from archive.engines.whoosh.schema import published_from
from archive.errors import QueryError
from archive.models import SearchRequest
from archive.models.research import MarkedText

#: seconds in a day, for turning publication times into days
DAY = 86_400
#: the seed of the archive's sample: the same archive always gives the same sample
SAMPLE_SEED = 1987
#: fields whose matches are marked for keywords in context
MARKED = ("title", "body")


def matches(view: View, query: wq.Query, request: SearchRequest, budget: float | None) -> Matches:
    """Every match of ``query``, one per story unless the request asks for every copy."""
    query = bound_expansions(query, view.searcher.reader())
    try:
        found = evaluate(view, query, budget)
    except TooSlow:
        raise QueryError(
            f"the search took longer than {budget:g} s; make the query more specific"
        ) from None
    return found if request.copies else one_per_story(view, found)


def histogram(view: View, found: Matches, unit: str) -> dict[date, int]:
    """Dated matches per period (UTC), keyed by the period's first day."""
    docs = found.docs
    dated = view.numbers("dated")[docs] == 1
    days = np.floor_divide(view.numbers("ts")[docs][dated], DAY).astype("datetime64[D]")
    if unit == "week":
        weekday = (days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday
        days = days - weekday.astype("timedelta64[D]")
    elif unit in ("month", "year"):
        days = days.astype("datetime64[M]" if unit == "month" else "datetime64[Y]")
        days = days.astype("datetime64[D]")
    starts, counts = np.unique(days, return_counts=True)
    return {
        start: int(count) for start, count in zip(starts.tolist(), counts.tolist(), strict=True)
    }


def ids(view: View, found: Matches) -> list[str]:
    """The ids of the matches."""
    names = view.derived("ids", _joined_ids)
    return names[found.docs].tolist()


def _joined_ids(view: View) -> np.ndarray:
    parts = [view.cache.get(reader, "ids", "id", _segment_ids) for reader, _ in view.leaves]
    return np.concatenate(parts) if parts else np.empty(0, dtype=object)


def _segment_ids(reader: Any, field: str) -> np.ndarray:
    """Each document's id in one segment, from the id terms' entries: an id held by one
    document names it in its entry; one held by several (a replaced article and its
    deleted predecessor) is read from its postings, the last document winning."""
    names = np.full(reader.doc_count_all(), None, dtype=object)
    for btext, info in reader.iter_field(field):
        text = _text_of(btext)
        if info.doc_frequency() == 1:
            names[info.min_id()] = text
            continue
        matcher = reader.postings(field, btext)
        while matcher.is_active():
            names[matcher.id()] = text
            matcher.next()
    return names


def marked_texts(
    view: View, query: wq.Query | None, found: Matches, request: SearchRequest
) -> Iterator[MarkedText]:
    """The matches' stored texts in the request's order, the words of ``query`` marked
    (nothing marked without one)."""
    searcher = view.searcher
    words = {name: _positive_words(query, name) if query else frozenset() for name in MARKED}
    marker = _Marker(searcher)
    for at in ranked(view, found, request.sort, None).tolist():
        stored = searcher.stored_fields(int(found.docs[at]))
        title, body = stored.get("title", ""), stored.get("body", "")
        yield _text(
            stored,
            title_marks=marker.marks("title", title, words["title"]),
            body_marks=marker.marks("body", body, words["body"]),
        )


def sample_texts(view: View, size: int) -> Iterator[MarkedText]:
    """A fixed pseudo-random sample of ``size`` live articles, in index order."""
    live = np.flatnonzero(view.live)
    if size < len(live):
        live = np.sort(np.random.default_rng(SAMPLE_SEED).choice(live, size, replace=False))
    for docnum in live.tolist():
        yield _text(view.searcher.stored_fields(int(docnum)))


def _text(stored: dict, **marks: tuple[tuple[int, int], ...]) -> MarkedText:
    meta = json.loads(stored.get("meta") or "{}")
    return MarkedText(
        id=stored["id"],
        title=stored.get("title", ""),
        body=stored.get("body", ""),
        published=published_from(meta),
        source=stored.get("source"),
        **marks,
    )


def _positive_words(query: wq.Query, field: str) -> frozenset[str]:
    """The index terms of ``field`` the query looks for, outside any NOT."""
    found: set[str] = set()

    def walk(node: wq.Query) -> None:
        if isinstance(node, wq.Not):
            return
        if isinstance(node, wq.AndNot):
            walk(node.a)
            return
        if isinstance(node, FieldsTerm):
            if field in node.weights:
                found.add(_text_of(node.text))
            return
        if isinstance(node, wq.Term) and node.fieldname == field:
            found.add(_text_of(node.text))
        elif isinstance(node, wq.Phrase) and node.fieldname == field:
            found.update(_text_of(word) for word in node.words)
        if not node.is_leaf():
            for child in node.children():
                walk(child)

    walk(query)
    return frozenset(found)


def _text_of(word: str | bytes) -> str:
    return word.decode("utf-8") if isinstance(word, bytes) else str(word)


class _Marker:
    """Character spans of a text's words whose index form is one of the query's."""

    def __init__(self, searcher: Searcher) -> None:
        self.schema = searcher.schema

    def marks(self, field: str, text: str, words: frozenset[str]) -> tuple[tuple[int, int], ...]:
        if not words or not text:
            return ()
        analyzer = self.schema[field].analyzer
        return tuple(
            (token.startchar, token.endchar)
            for token in analyzer(text, chars=True, mode="query")
            if token.text in words
        )
