"""Running one search on a Whoosh searcher and converting the answer into a ``SearchPage``.

Whoosh objects (hits, results, searchers) never leave this module: everything is turned
into the archive's dataclasses while the searcher is open.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from whoosh import highlight, sorting
from whoosh import query as wq
from whoosh.collectors import TimeLimit, TimeLimitCollector
from whoosh.searching import Searcher

from archive.config import Settings
from archive.engines.whoosh_copies import group_size, without_copies
from archive.engines.whoosh_explain import explain_hit
from archive.engines.whoosh_facets import OverlapFacet, SegmentLists
from archive.engines.whoosh_query import bound_expansions
from archive.engines.whoosh_schema import published_from, tags_from
from archive.errors import QueryError
from archive.models import Facet, FacetValue, Hit, SearchPage, SearchRequest, SnippetPart
from archive.timeline import buckets

SNIPPET_CHARS = 220
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
    lists: SegmentLists | None = None,
) -> SearchPage:
    """Run ``query`` for ``request``; facets and timeline cover the whole result set.

    ``lists`` keeps per-segment data of multi-valued facets between searches.
    """
    started = time.perf_counter()
    query = bound_expansions(query, searcher.reader())
    if query is wq.NullQuery:
        return SearchPage(request=request, total=0, hits=(), took_ms=_ms(started))
    groups = _groupings(request, lists or SegmentLists())
    if not request.copies:
        query = without_copies(searcher, query)
    collector = searcher.collector(
        limit=request.offset + request.per_page, sortedby=_sort(request), groupedby=groups
    )
    timed = TimeLimitCollector(collector, timelimit=settings.search_time_budget, use_alarm=False)
    try:
        searcher.search_with_collector(query, timed)
    except TimeLimit:
        raise QueryError(
            f"the search took longer than {settings.search_time_budget:g} s; "
            "make the query more specific"
        ) from None
    results = timed.results()
    words = set(_positive_terms(query, "body"))
    page_hits = results[request.offset : request.offset + request.per_page]
    hits = tuple(
        _hit(hit, request.offset + number + 1, words, searcher, request.snippets)
        for number, hit in enumerate(page_hits)
    )
    if request.explain:
        hits = tuple(
            replace(hit, explain=explain_hit(searcher, query, found.docnum))
            for hit, found in zip(hits, page_hits, strict=True)
        )
    facets = _facets(results, request) if request.facets else ()
    unit, timeline = buckets(_counts(results, "day")) if request.timeline else ("", ())
    return SearchPage(
        request=request,
        total=len(results),
        hits=hits,
        facets=facets,
        timeline=timeline,
        timeline_unit=unit,
        took_ms=_ms(started),
    )


def scan(searcher: Searcher, query: wq.Query, request: SearchRequest) -> Iterator[Hit]:
    """Every hit of ``query`` in the request's order, without snippets, facets or a cap."""
    query = bound_expansions(query, searcher.reader())
    if query is wq.NullQuery:
        return
    if not request.copies:
        query = without_copies(searcher, query)
    results = searcher.search(query, limit=None, sortedby=_sort(request))
    for rank, hit in enumerate(results, start=1):
        yield _hit(hit, rank, set(), searcher, snippets=False)


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def _sort(request: SearchRequest) -> Any:
    if request.sort == "newest":
        return sorting.MultiFacet(
            [sorting.FieldFacet("dated", reverse=True), sorting.FieldFacet("ts", reverse=True)]
        )
    if request.sort == "oldest":
        # undated articles last: dated first, then by time
        return sorting.MultiFacet(
            [sorting.FieldFacet("dated", reverse=True), sorting.FieldFacet("ts")]
        )
    return None


def _groupings(request: SearchRequest, lists: SegmentLists) -> dict[str, Any] | None:
    groups: dict[str, Any] = {}
    if request.facets:
        for name, (field, overlap) in FACETS.items():
            if overlap:
                groups[name] = OverlapFacet(field, lists, maptype=sorting.Count)
            else:
                groups[name] = sorting.FieldFacet(field, maptype=sorting.Count)
    if request.timeline:
        groups["day"] = sorting.FieldFacet("day", maptype=sorting.Count)
    return groups or None


def _counts(results: Any, name: str) -> dict[str, int]:
    try:
        raw = results.groups(name)
    except KeyError:
        return {}
    return {str(key): int(count) for key, count in raw.items() if key not in (None, "", b"")}


def _facets(results: Any, request: SearchRequest) -> tuple[Facet, ...]:
    out = []
    for name in FACETS:
        counts = _counts(results, name)
        selected = set(getattr(request, SELECTED[name], ())) if name in SELECTED else set()
        ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:FACET_SIZE]
        if name == "year":
            ranked = sorted(ranked, reverse=True)
        values = tuple(FacetValue(value, count, value in selected) for value, count in ranked)
        if values:
            out.append(Facet(name, values))
    return tuple(out)


def _hit(hit: Any, rank: int, words: set[str], searcher: Searcher, snippets: bool) -> Hit:
    stored = hit.fields()
    meta = json.loads(stored.get("meta") or "{}")
    body = stored.get("body", "")
    return Hit(
        id=stored["id"],
        title=stored.get("title", ""),
        score=hit.score if isinstance(hit.score, float) else 0.0,
        rank=rank,
        published=published_from(meta),
        byline=stored.get("byline"),
        source=stored.get("source"),
        url=meta.get("u"),
        language=stored.get("language"),
        tags=tags_from(stored),
        snippet=snippet(body, words, searcher) if snippets else (),
        group=stored.get("group"),
        copies=group_size(searcher, stored.get("group")) - 1,
    )


def _positive_terms(query: wq.Query, field: str) -> Iterator[str]:
    """The index terms of ``field`` the query looks for, leaving out negated parts."""
    if isinstance(query, wq.Not):
        return
    if isinstance(query, wq.Term) and query.fieldname == field:
        yield str(query.text)
    elif isinstance(query, wq.Phrase) and query.fieldname == field:
        yield from (str(word) for word in query.words)
    if query.is_leaf():
        return
    for child in query.children():
        yield from _positive_terms(child, field)


def snippet(text: str, words: set[str], searcher: Searcher) -> tuple[SnippetPart, ...]:
    """The best passages of ``text`` with the matched words marked; the lede when none match."""
    flat = " ".join(text.split())
    parts: tuple[SnippetPart, ...] = ()
    if words:
        analyzer = searcher.schema["body"].analyzer
        fragmenter = highlight.ContextFragmenter(maxchars=SNIPPET_CHARS, surround=70)
        parts = (
            highlight.highlight(
                flat,
                frozenset(words),
                analyzer,
                fragmenter,
                _PartsFormatter(),
                top=2,
                scorer=highlight.BasicFragmentScorer(),
                order=highlight.FIRST,
            )
            or ()
        )
    if not parts:
        lede = flat[:SNIPPET_CHARS]
        if len(flat) > SNIPPET_CHARS:
            lede = lede.rsplit(" ", 1)[0] + " …"
        parts = (SnippetPart(lede),) if lede else ()
    return parts


class _PartsFormatter(highlight.Formatter):
    """Formats fragments as ``SnippetPart`` runs, so adapters escape and mark them safely."""

    def format_fragment(self, fragment: Any, replace: bool = False) -> list[SnippetPart]:
        text = fragment.text
        parts: list[SnippetPart] = []
        index = fragment.startchar
        for token in fragment.matches:
            if token.startchar is None or token.startchar < index:
                continue
            if token.startchar > index:
                parts.append(SnippetPart(text[index : token.startchar]))
            parts.append(SnippetPart(text[token.startchar : token.endchar], True))
            index = token.endchar
        parts.append(SnippetPart(text[index : fragment.endchar]))
        return parts

    def format(self, fragments: list[Any], replace: bool = False) -> tuple[SnippetPart, ...]:
        """Fragments in text order, with an ellipsis wherever text was left out."""
        parts: list[SnippetPart] = []
        end = 0
        for fragment in fragments:
            if fragment.startchar > end:
                parts.append(SnippetPart(" … " if parts else "… "))
            parts.extend(self.format_fragment(fragment, replace))
            end = fragment.endchar
        if fragments and end < len(fragments[-1].text):
            parts.append(SnippetPart(" …"))
        return _merge(parts)


def _merge(parts: list[SnippetPart]) -> tuple[SnippetPart, ...]:
    """Join neighbouring runs of the same kind."""
    merged: list[SnippetPart] = []
    for part in parts:
        if not part.text:
            continue
        if merged and merged[-1].match == part.match:
            merged[-1] = SnippetPart(merged[-1].text + part.text, part.match)
        else:
            merged.append(part)
    return tuple(merged)
