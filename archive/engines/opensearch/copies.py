"""One hit per story on OpenSearch: hiding the later copies of each group among a search's
matches, as ``whoosh.copies`` does on the embedded engine.

Every article has a ``group`` (its own id when it heads one) and the articles that joined
an existing group are flagged ``copy``. For a search, the groups with a matching copy are
found, their matching members read earliest first (the first published, undated after
dated, the group's head first among equals), and all but the first of each group are
excluded by id, so ranking, totals, facets and the timeline count one article per story.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from typing import Any

from opensearchpy import OpenSearch

from archive.engines.opensearch.compile import Query
from archive.models import Hit

#: groups per terms filter (OpenSearch refuses more than 65,536 terms by default)
GROUPS_PER_REQUEST = 10_000

Scroll = Callable[[dict[str, Any], bool], Iterator[dict[str, Any]]]


def without_copies(query: Query, scroll: Scroll) -> Query:
    """``query`` showing one article per group of copies."""
    hidden = hidden_copies(query, scroll)
    if not hidden:
        return query
    return {"bool": {"must": [query], "must_not": [{"ids": {"values": hidden}}]}}


def hidden_copies(query: Query, scroll: Scroll) -> list[str]:
    """The ids of the matching copies to leave out: all but each group's earliest."""
    flagged = {
        "query": {"bool": {"must": [query], "filter": [{"term": {"copy": True}}]}},
        "_source": False,
        "docvalue_fields": ["group"],
    }
    groups = sorted({_group(hit) for hit in scroll(flagged, False)})
    hidden: list[str] = []
    for start in range(0, len(groups), GROUPS_PER_REQUEST):
        chunk = groups[start : start + GROUPS_PER_REQUEST]
        members = {
            "query": {"bool": {"must": [query], "filter": [{"terms": {"group": chunk}}]}},
            "sort": [
                {"published": {"order": "asc", "missing": "_last"}},
                {"copy": "asc"},
                {"id": "asc"},
            ],
            "_source": False,
            "docvalue_fields": ["group"],
        }
        seen: set[str] = set()
        for hit in scroll(members, True):
            group = _group(hit)
            if group in seen:
                hidden.append(hit["_id"])
            seen.add(group)
    return hidden


def group_sizes_body(groups: Iterable[str]) -> dict[str, Any]:
    """A search counting the articles of each of ``groups``."""
    wanted = sorted(set(groups))
    return {
        "size": 0,
        "query": {"terms": {"group": wanted}},
        "aggs": {"groups": {"terms": {"field": "group", "size": max(1, len(wanted))}}},
    }


def group_sizes(response: dict[str, Any]) -> dict[str, int]:
    """Articles per group, from the answer to ``group_sizes_body``."""
    buckets = (response.get("aggregations") or {}).get("groups", {}).get("buckets", [])
    return {str(bucket["key"]): int(bucket["doc_count"]) for bucket in buckets}


def _group(hit: dict[str, Any]) -> str:
    values = (hit.get("fields") or {}).get("group") or [hit["_id"]]
    return str(values[0])


def with_copies(client: OpenSearch, index: str, hits: tuple[Hit, ...]) -> tuple[Hit, ...]:
    """The hits with the number of other copies of their story filled in (one request)."""
    groups = [hit.group for hit in hits if hit.group]
    if not groups:
        return hits
    sizes = group_sizes(client.search(index=index, body=group_sizes_body(groups)))
    return tuple(
        replace(hit, copies=max(0, sizes.get(hit.group, 1) - 1)) if hit.group else hit
        for hit in hits
    )
