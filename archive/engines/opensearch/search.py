"""One search on OpenSearch: the request body, and the answer turned into a ``SearchPage``.

Snippets come from the cluster's highlighter (``highlight``).
Facets are terms aggregations and the timeline a per-day date histogram, both over the
whole result set; ``archive.search.timeline`` chooses the buckets.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from archive.config import Settings
from archive.engines.opensearch.compile import Query
from archive.engines.opensearch.highlight import (
    highlight_body,
    snippet,
    tagged_texts,
)
from archive.engines.opensearch.mapping import published_from
from archive.errors import QueryError
from archive.models import Facet, FacetValue, Hit, SearchPage, SearchRequest
from archive.search.timeline import buckets

#: facet name -> keyword field
FACETS = {
    "source": "source.exact",
    "byline": "byline.exact",
    "year": "year",
    "tags": "tags.exact",
    "language": "language",
}
FACET_SIZE = 12
SELECTED = {"source": "sources", "byline": "bylines", "tags": "tags", "language": "languages"}
#: the stored fields a hit shows
HIT_FIELDS = ["id", "title", "byline", "source", "language", "tags", "group", "meta"]


def search_body(
    query: Query,
    request: SearchRequest,
    settings: Settings,
    marked: dict[str, Query] | None = None,
) -> dict[str, Any]:
    """The body of one page's search, with facets and timeline as ``request`` asks;
    snippets mark the matches of ``marked`` (field of the body -> query) in the body."""
    body: dict[str, Any] = {
        "query": query,
        "from": request.offset,
        "size": request.per_page,
        "sort": sort(request),
        "track_total_hits": True,
        "timeout": f"{int(settings.search_time_budget * 1000)}ms",
        "_source": HIT_FIELDS + (["body"] if request.snippets else []),
    }
    if request.snippets and marked is not None:
        body["highlight"] = highlight_body(marked)
    if request.explain:
        body["explain"] = True
    aggs: dict[str, Any] = {}
    if request.facets:
        for name, field in FACETS.items():
            aggs[name] = {
                "terms": {
                    "field": field,
                    "size": FACET_SIZE,
                    "shard_size": FACET_SIZE * 10,
                    "order": [{"_count": "desc"}, {"_key": "asc"}],
                }
            }
    if request.timeline:
        aggs["day"] = {
            "date_histogram": {
                "field": "published",
                "calendar_interval": "day",
                "time_zone": "UTC",
                "format": "yyyy-MM-dd",
                "min_doc_count": 1,
            }
        }
    if aggs:
        body["aggs"] = aggs
    return body


def sort(request: SearchRequest) -> list[Any]:
    """The sort clauses; undated articles come last either way, ties go by id."""
    tiebreak = {"id": "asc"}
    if request.sort in ("newest", "oldest"):
        order = "desc" if request.sort == "newest" else "asc"
        return [{"published": {"order": order, "missing": "_last"}}, tiebreak]
    return [{"_score": "desc"}, tiebreak]


def page_from(
    response: dict[str, Any],
    request: SearchRequest,
    settings: Settings,
    took_ms: float,
    forms: Mapping[str, str] | None = None,
) -> SearchPage:
    """The ``SearchPage`` for one search response (``forms``: see ``highlight.snippet``)."""
    if response.get("timed_out"):
        raise QueryError(
            f"the search took longer than {settings.search_time_budget:g} s; "
            "make the query more specific"
        )
    raw_hits = response["hits"]["hits"]
    hits = tuple(
        hit_from(raw, request.offset + number + 1, request.snippets, forms)
        for number, raw in enumerate(raw_hits)
    )
    aggs = response.get("aggregations") or {}
    facets = _facets(aggs, request) if request.facets else ()
    unit, timeline = buckets(_day_counts(aggs)) if request.timeline else ("", ())
    return SearchPage(
        request=request,
        total=int(response["hits"]["total"]["value"]),
        hits=hits,
        facets=facets,
        timeline=timeline,
        timeline_unit=unit,
        took_ms=took_ms,
    )


def hit_from(
    raw: dict[str, Any], rank: int, snippets: bool, forms: Mapping[str, str] | None = None
) -> Hit:
    source = raw.get("_source") or {}
    meta = source.get("meta") or {}
    fragments = tagged_texts(raw.get("highlight") or {}, "body")
    score = raw.get("_score")
    return Hit(
        id=source["id"],
        title=source.get("title") or "",
        score=float(score) if isinstance(score, int | float) else 0.0,
        rank=rank,
        published=published_from(meta),
        byline=source.get("byline"),
        source=source.get("source"),
        url=meta.get("u"),
        language=source.get("language"),
        tags=tuple(source.get("tags") or ()),
        snippet=snippet(source.get("body") or "", fragments, forms) if snippets else (),
        group=source.get("group"),
    )


def _facets(aggs: dict[str, Any], request: SearchRequest) -> tuple[Facet, ...]:
    out = []
    for name in FACETS:
        raw = aggs.get(name, {}).get("buckets", [])
        ranked = [(str(b["key"]), int(b["doc_count"])) for b in raw if str(b["key"])]
        if name == "year":
            ranked = sorted(ranked, reverse=True)
        selected = set(getattr(request, SELECTED[name], ())) if name in SELECTED else set()
        values = tuple(FacetValue(value, count, value in selected) for value, count in ranked)
        if values:
            out.append(Facet(name, values))
    return tuple(out)


def _day_counts(aggs: dict[str, Any]) -> dict[str, int]:
    raw = aggs.get("day", {}).get("buckets", [])
    return {str(b["key_as_string"]): int(b["doc_count"]) for b in raw if b["doc_count"]}
