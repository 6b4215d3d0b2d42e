"""One search on OpenSearch: the request body, and the answer turned into a ``SearchPage``.

Snippets come from the highlighter with private-use characters as tags, which are then
split into ``SnippetPart`` runs, so no markup from the engine ever reaches an adapter.
Facets are terms aggregations and the timeline a per-day date histogram, both over the
whole result set; ``archive.timeline`` chooses the buckets.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from archive.config import Settings
from archive.engines.opensearch_mapping import published_from
from archive.engines.opensearch_query import Query
from archive.errors import QueryError
from archive.models import Facet, FacetValue, Hit, SearchPage, SearchRequest, SnippetPart
from archive.timeline import buckets

SNIPPET_CHARS = 220
SNIPPET_FRAGMENTS = 2
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
#: highlight tags: private-use characters that never reach a page
PRE, POST = "\ue000", "\ue001"
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
        body["highlight"] = {
            "pre_tags": [PRE],
            "post_tags": [POST],
            "fields": {
                field: {
                    "type": "unified",
                    "fragment_size": SNIPPET_CHARS,
                    "number_of_fragments": SNIPPET_FRAGMENTS,
                    "highlight_query": query,
                }
                for field, query in marked.items()
            },
        }
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
    response: dict[str, Any], request: SearchRequest, settings: Settings, took_ms: float
) -> SearchPage:
    """The ``SearchPage`` for one search response."""
    if response.get("timed_out"):
        raise QueryError(
            f"the search took longer than {settings.search_time_budget:g} s; "
            "make the query more specific"
        )
    raw_hits = response["hits"]["hits"]
    hits = tuple(
        hit_from(raw, request.offset + number + 1, request.snippets)
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


def hit_from(raw: dict[str, Any], rank: int, snippets: bool) -> Hit:
    source = raw.get("_source") or {}
    meta = source.get("meta") or {}
    marked = raw.get("highlight") or {}
    # the stems' passages, else those of the words as written (prefixes, fuzzy words)
    fragments = marked.get("body") or marked.get("body.surface") or []
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
        snippet=snippet(source.get("body") or "", fragments) if snippets else (),
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


# snippets ----------------------------------------------------------------------------------


def snippet(body: str, fragments: list[str]) -> tuple[SnippetPart, ...]:
    """The highlighted passages of ``body`` in text order, with an ellipsis wherever text
    was left out; the lede when nothing was highlighted."""
    flat = " ".join(body.split())
    parts: list[SnippetPart] = []
    if fragments and PRE not in body and POST not in body:
        end = 0
        for fragment in fragments:
            runs = _runs(" ".join(fragment.split()))
            plain = "".join(run.text for run in runs)
            start = flat.find(plain, end)
            if start < 0:
                start = flat.find(plain)
            if start < 0 or start > end:
                parts.append(SnippetPart(" … " if parts else "… "))
            parts.extend(runs)
            end = start + len(plain) if start >= 0 else len(flat)
        if end < len(flat):
            parts.append(SnippetPart(" …"))
    if not any(part.match for part in parts):
        lede = flat[:SNIPPET_CHARS]
        if len(flat) > SNIPPET_CHARS:
            lede = lede.rsplit(" ", 1)[0] + " …"
        return (SnippetPart(lede),) if lede else ()
    return _merge(parts)


def _runs(fragment: str) -> list[SnippetPart]:
    """Split a highlighted fragment at its tags; a marked stretch is marked word by word."""
    runs: list[SnippetPart] = []
    for number, piece in enumerate(fragment.split(PRE)):
        marked, _, rest = piece.partition(POST) if number else ("", "", piece)
        runs.extend(_words(marked))
        runs.append(SnippetPart(rest))
    return [run for run in runs if run.text]


def _words(marked: str) -> Iterator[SnippetPart]:
    """A marked stretch (a whole phrase may come as one) as marked words and plain spaces."""
    for index, word in enumerate(marked.split(" ")):
        if index:
            yield SnippetPart(" ")
        yield SnippetPart(word, True)


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
