"""Running one search on a Whoosh searcher and converting the answer into a ``SearchPage``.

Whoosh objects (hits, results, searchers) never leave this module: everything is turned
into the archive's dataclasses while the searcher is open.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import replace

from whoosh import query as wq
from whoosh.searching import Searcher

from archive.config import Settings
from archive.engines.whoosh.arrays import ArrayCache, View, view
from archive.engines.whoosh.copies import group_size, one_per_story
from archive.engines.whoosh.evaluate import Matches, TooSlow, evaluate, ranked
from archive.engines.whoosh.expand import bound_expansions
from archive.engines.whoosh.explain import explain
from archive.engines.whoosh.facets import counts
from archive.engines.whoosh.feedback import rerank
from archive.engines.whoosh.highlight import Marks, marks, snippet
from archive.engines.whoosh.schema import published_from, tags_from
from archive.errors import QueryError
from archive.models import Facet, FacetValue, Hit, SearchPage, SearchRequest
from archive.search.timeline import buckets

#: facet name -> (whoosh field, several values per article)
FACETS = {
    "source": ("source_exact", False),
    "byline": ("byline_exact", False),
    "year": ("year", False),
    "tags": ("tags_exact", True),
    "language": ("language", False),
}
FACET_SIZE = 12
SELECTED = {"source": "sources", "byline": "bylines", "tags": "tags", "language": "languages"}


def run_search(
    searcher: Searcher,
    query: wq.Query,
    request: SearchRequest,
    settings: Settings,
    cache: ArrayCache | None = None,
) -> SearchPage:
    """Run ``query`` for ``request``; facets and timeline cover the whole result set.

    ``cache`` keeps per-segment arrays between searches (``arrays``). A request that asks
    for feedback (``expand``) is reranked as the ``feedback`` setting rules (``feedback``).
    """
    started = time.perf_counter()
    arrays = view(searcher, cache or ArrayCache())
    budget = settings.search_time_budget
    try:
        query = bound_expansions(query, searcher.reader(), started + budget if budget else None)
    except TooSlow:
        raise _too_slow(budget) from None
    rule = settings.feedback if request.expand else "never"
    matches, extra = _matches(arrays, query, request, budget, rule)
    limit = request.offset + request.per_page
    order = ranked(arrays, matches, request.sort, limit)[request.offset :]
    words = marks(query, "body")
    hits = tuple(
        _hit(arrays, int(matches.docs[at]), float(matches.scores[at]), rank, words, request)
        for rank, at in enumerate(order.tolist(), start=request.offset + 1)
    )
    if request.explain:
        if extra is not None:  # explain lists the words feedback added too
            query = wq.AndMaybe(query, extra)
        why = explain(arrays, query, matches.docs[order].tolist())
        hits = tuple(replace(hit, explain=found) for hit, found in zip(hits, why, strict=True))
    facets = _facets(arrays, matches, request) if request.facets else ()
    unit, timeline = buckets(counts(arrays, "day", matches.docs)) if request.timeline else ("", ())
    return SearchPage(
        request=request,
        total=len(matches),
        hits=hits,
        facets=facets,
        timeline=timeline,
        timeline_unit=unit,
        took_ms=_ms(started),
    )


def scan(
    searcher: Searcher,
    query: wq.Query,
    request: SearchRequest,
    settings: Settings,
    cache: ArrayCache | None = None,
) -> Iterator[Hit]:
    """Every hit of ``query`` in the request's order (as a page ranks them), without
    snippets, facets or a cap."""
    arrays = view(searcher, cache or ArrayCache())
    rule = settings.feedback if request.expand else "never"
    matches, _ = _matches(arrays, bound_expansions(query, searcher.reader()), request, None, rule)
    plain = replace(request, snippets=False)
    for rank, at in enumerate(ranked(arrays, matches, request.sort, None).tolist(), start=1):
        yield _hit(arrays, int(matches.docs[at]), float(matches.scores[at]), rank, Marks(), plain)


def _matches(
    arrays: View, query: wq.Query, request: SearchRequest, budget: float | None, rule: str
) -> tuple[Matches, wq.Query | None]:
    """The query's matches, reranked by feedback as ``rule`` says, one per story unless the
    request asks for every copy; and the words feedback added, if it ran."""
    try:
        matches, extra = rerank(arrays, query, evaluate(arrays, query, budget), rule)
    except TooSlow:
        raise _too_slow(budget) from None
    return (matches if request.copies else one_per_story(arrays, matches)), extra


def _too_slow(budget: float | None) -> QueryError:
    return QueryError(f"the search took longer than {budget:g} s; make the query more specific")


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def _facets(arrays: View, matches: Matches, request: SearchRequest) -> tuple[Facet, ...]:
    out = []
    for name, (field, several) in FACETS.items():
        found = counts(arrays, field, matches.docs, several)
        selected = set(getattr(request, SELECTED[name], ())) if name in SELECTED else set()
        top = sorted(found.items(), key=lambda item: (-item[1], item[0]))[:FACET_SIZE]
        if name == "year":
            top = sorted(top, reverse=True)
        values = tuple(FacetValue(value, count, value in selected) for value, count in top)
        if values:
            out.append(Facet(name, values))
    return tuple(out)


def _hit(
    arrays: View,
    docnum: int,
    score: float,
    rank: int,
    words: Marks,
    request: SearchRequest,
) -> Hit:
    searcher = arrays.searcher
    stored = searcher.stored_fields(docnum)
    meta = json.loads(stored.get("meta") or "{}")
    body = stored.get("body", "")
    return Hit(
        id=stored["id"],
        title=stored.get("title", ""),
        score=score,
        rank=rank,
        published=published_from(meta),
        byline=stored.get("byline"),
        source=stored.get("source"),
        url=meta.get("u"),
        language=stored.get("language"),
        tags=tags_from(stored),
        snippet=snippet(body, words, searcher) if request.snippets else (),
        group=stored.get("group"),
        copies=group_size(arrays, docnum) - 1,
    )
