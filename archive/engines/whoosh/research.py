"""The research capabilities on Whoosh (``Engine.histogram``, ``match_ids``,
``marked_texts``, ``sample_texts``), on the same arrays as searches.

A search's matches are evaluated once as arrays (``evaluate``), folded to one per story as
a search folds them, then counted per period from the publication times, or turned into
ids through the id field's values, or read from the stored fields in the search's order.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import date
from typing import Any

import numpy as np
from whoosh import query as wq
from whoosh.searching import Searcher

from archive.engines.whoosh.arrays import View
from archive.engines.whoosh.copies import one_per_story
from archive.engines.whoosh.evaluate import Matches, evaluate, ranked
from archive.engines.whoosh.expand import TooSlow, bound_expansions
from archive.engines.whoosh.highlight import Marks, marks, tokens
from archive.engines.whoosh.schema import published_from
from archive.errors import QueryError
from archive.models import SearchRequest
from archive.models.research import MarkedText

#: seconds in a day, for turning publication times into days
DAY = 86_400
#: the seed of the archive's sample: the same archive always gives the same sample
SAMPLE_SEED = 1987


def matches(view: View, query: wq.Query, request: SearchRequest, budget: float | None) -> Matches:
    """Every match of ``query``, one per story unless the request asks for every copy."""
    deadline = time.perf_counter() + budget if budget else None
    try:
        query = bound_expansions(query, view.searcher.reader(), deadline)
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
    """The matches' stored texts in the request's order, the words of ``query`` marked as
    the highlighter marks them (nothing marked without a query)."""
    searcher = view.searcher
    words = Marks() if query is None else marks(query, "body", also=("title",))
    for at in ranked(view, found, request.sort, None).tolist():
        stored = searcher.stored_fields(int(found.docs[at]))
        title, body = stored.get("title", ""), stored.get("body", "")
        yield _text(
            stored,
            title_marks=_marks(title, words, searcher, "title"),
            body_marks=_marks(body, words, searcher, "body"),
        )


def _marks(text: str, words: Marks, searcher: Searcher, field: str) -> tuple[tuple[int, int], ...]:
    if not words or not text:
        return ()
    return tuple(
        (token.start, token.end) for token in tokens(text, words, searcher, field) if token.matched
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


def _text_of(word: str | bytes) -> str:
    return word.decode("utf-8") if isinstance(word, bytes) else str(word)
