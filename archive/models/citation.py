"""A citation: enough about a figure to say later whether it still holds.

A figure (a count, a chart's series, an export) is cited by the search as typed, the
archive's engine and generation, the time, the count and a fingerprint of the matching
articles: the sha256 of their ids, sorted, one per line ("id\\n" each). Anyone holding an
export can recompute the fingerprint; ``newsarchive cite --check`` re-runs the search.

The compact form is one line a footnote can carry::

    newsarchive-cite:1?q=cocoa&from=1987-01-01&n=142&sha256=3f1c…&engine=whoosh&gen=gen-000002&at=2025-12-02T19:30:00Z
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import parse_qsl, urlencode

from archive.errors import QueryError
from archive.models.search import SearchRequest

PREFIX = "newsarchive-cite:1?"
#: request field -> compact key, for the repeatable filters
_LISTS = {"sources": "source", "bylines": "byline", "tags": "tag", "languages": "lang"}


@dataclass(frozen=True)
class Citation:
    """What a figure is: a search, where and when it ran, its count and fingerprint."""

    request: SearchRequest
    count: int
    fingerprint: str
    engine: str
    generation: str
    at: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.request.q,
            "filters": filters_of(self.request),
            "count": self.count,
            "fingerprint": f"sha256:{self.fingerprint}",
            "engine": self.engine,
            "generation": self.generation,
            "at": self.at,
            "compact": self.compact(),
        }

    def compact(self) -> str:
        """The citation as one line (``PREFIX`` and URL-encoded fields)."""
        request = self.request
        pairs: list[tuple[str, str]] = [("q", request.q)] if request.q else []
        for name, key in _LISTS.items():
            pairs.extend((key, value) for value in getattr(request, name))
        if request.date_from:
            pairs.append(("from", request.date_from.isoformat()))
        if request.date_to:
            pairs.append(("to", request.date_to.isoformat()))
        if request.mode != "all":
            pairs.append(("mode", request.mode))
        if request.copies:
            pairs.append(("copies", "1"))
        if request.include_held:
            pairs.append(("include_held", "1"))
        pairs += [
            ("n", str(self.count)),
            ("sha256", self.fingerprint),
            ("engine", self.engine),
            ("gen", self.generation),
            ("at", self.at),
        ]
        return PREFIX + urlencode(pairs, safe=":")


@dataclass(frozen=True)
class CitationCheck:
    """Whether a cited figure still holds, and if not, what changed since."""

    citation: Citation
    now: Citation
    #: whether the ids behind the citation are recorded here (so changes can be counted)
    recorded: bool
    added: int | None = None
    removed: int | None = None
    #: a few of the added and removed ids, to look at
    added_ids: tuple[str, ...] = field(default=())
    removed_ids: tuple[str, ...] = field(default=())

    @property
    def holds(self) -> bool:
        return self.citation.fingerprint == self.now.fingerprint

    def to_dict(self) -> dict[str, Any]:
        return {
            "holds": self.holds,
            "recorded": self.recorded,
            "added": self.added,
            "removed": self.removed,
            "added_ids": list(self.added_ids),
            "removed_ids": list(self.removed_ids),
            "cited": self.citation.to_dict(),
            "now": self.now.to_dict(),
        }


def parse_citation(text: str) -> Citation:
    """A citation from its compact form or its JSON (``Citation.to_dict``); ``QueryError``
    saying what is wrong otherwise."""
    text = text.strip()
    if text.startswith("{"):
        return _from_json(text)
    if not text.startswith(PREFIX):
        raise QueryError(f"a citation starts with {PREFIX!r} or is a JSON object")
    fields: dict[str, list[str]] = {}
    for key, value in parse_qsl(text[len(PREFIX) :], keep_blank_values=True):
        fields.setdefault(key, []).append(value)

    def one(key: str, default: str | None = None) -> str:
        values = fields.get(key)
        if not values:
            if default is None:
                raise QueryError(f"the citation has no {key!r}")
            return default
        return values[0]

    request = SearchRequest(
        q=one("q", ""),
        date_from=_day(one("from", "")),
        date_to=_day(one("to", "")),
        sources=tuple(fields.get("source", ())),
        bylines=tuple(fields.get("byline", ())),
        tags=tuple(fields.get("tag", ())),
        languages=tuple(fields.get("lang", ())),
        mode="any" if one("mode", "all") == "any" else "all",
        copies=one("copies", "") == "1",
        include_held=one("include_held", "") == "1",
    )
    return Citation(
        request=request,
        count=_count(one("n")),
        fingerprint=_hex(one("sha256")),
        engine=one("engine", ""),
        generation=one("gen", ""),
        at=one("at", ""),
    )


def request_from(query: str, filters: Mapping[str, Any]) -> SearchRequest:
    """A search from its query and its filters in the shape ``filters_of`` gives them."""

    def values(name: str) -> tuple[str, ...]:
        return tuple(str(value) for value in filters.get(name) or ())

    return SearchRequest(
        q=str(query or ""),
        date_from=_day(str(filters.get("date_from") or "")),
        date_to=_day(str(filters.get("date_to") or "")),
        sources=values("sources"),
        bylines=values("bylines"),
        tags=values("tags"),
        languages=values("languages"),
        mode="any" if filters.get("mode") == "any" else "all",
        copies=bool(filters.get("copies")),
        include_held=bool(filters.get("include_held")),
    )


def _from_json(text: str) -> Citation:
    try:
        data = json.loads(text)
        request = request_from(data.get("query") or "", data.get("filters") or {})
        fingerprint = str(data["fingerprint"]).removeprefix("sha256:")
        return Citation(
            request=request,
            count=_count(str(data["count"])),
            fingerprint=_hex(fingerprint),
            engine=str(data.get("engine") or ""),
            generation=str(data.get("generation") or ""),
            at=str(data.get("at") or ""),
        )
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        if isinstance(exc, QueryError):
            raise
        raise QueryError(f"the citation is not valid JSON of a citation: {exc}") from None


def filters_of(request: SearchRequest) -> dict[str, Any]:
    """The filters of a request as its ``to_dict`` gives them, without paging or switches."""
    data = request.to_dict()
    keep = ("date_from", "date_to", "sources", "bylines", "tags", "languages", "mode", "copies")
    found = {key: data[key] for key in keep}
    if request.include_held:  # only when asked: older citations and saved searches match
        found["include_held"] = True
    return found


def _day(text: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise QueryError(f"the citation's date {text[:20]!r} is not YYYY-MM-DD") from None


def _count(text: str) -> int:
    if not text.isdigit():
        raise QueryError(f"the citation's count {text[:20]!r} is not a number")
    return int(text)


def _hex(text: str) -> str:
    text = text.lower()
    if len(text) != 64 or any(char not in "0123456789abcdef" for char in text):
        raise QueryError("the citation's fingerprint is not a sha256 in hex")
    return text
