"""Saved searches: a search kept by name, what it matches now and what is new since seen."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from archive.models.citation import Citation, filters_of
from archive.models.search import Hit, SearchRequest


@dataclass(frozen=True)
class SavedSearch:
    """A search kept by name; ``total`` and ``new`` are counted when it is read."""

    name: str
    request: SearchRequest
    created: str
    #: when its matches were last marked as seen, and how many are not seen yet
    seen_at: str | None
    total: int = 0
    new: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "q": self.request.q,
            "filters": filters_of(self.request),
            "created": self.created,
            "seen_at": self.seen_at,
            "total": self.total,
            "new": self.new,
        }


@dataclass(frozen=True)
class SavedView:
    """A saved search with its matches not seen yet, newest first (at most ``shown``)."""

    saved: SavedSearch
    hits: tuple[Hit, ...]
    citation: Citation

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.saved.to_dict(),
            "new_hits": [hit.to_dict() for hit in self.hits],
            "citation": self.citation.to_dict(),
        }


@dataclass(frozen=True)
class SavedGain:
    """How many articles a saved search gained since its gains were last counted."""

    name: str
    gained: int
    total: int

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "gained": self.gained, "total": self.total}
