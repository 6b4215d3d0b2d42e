"""A search's question and its answer: what the engines return and the adapters render."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from archive.models.articles import PubDate

Sort = Literal["relevance", "newest", "oldest"]
Mode = Literal["all", "any"]
SORTS: tuple[str, ...] = ("relevance", "newest", "oldest")


@dataclass(frozen=True)
class SearchRequest:
    """Everything a search needs: the user's query text, filters, sort and page."""

    q: str = ""
    page: int = 1
    per_page: int = 10
    sort: Sort = "relevance"
    date_from: date | None = None
    date_to: date | None = None
    sources: tuple[str, ...] = ()
    bylines: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    mode: Mode = "all"
    snippets: bool = True
    facets: bool = True
    timeline: bool = True
    #: reorder the answers with pseudo-relevance feedback (RM3); what matches stays the same
    expand: bool = False
    #: every copy of a story as its own hit, and counted in facets and timeline; otherwise
    #: one hit per group of copies, the earliest copy standing for the group
    copies: bool = False
    #: per hit, the fields and words that matched and what each added to the score
    explain: bool = False
    #: insist on all the words: no any-word ranking when (almost) no article has them all
    strict: bool = False

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        for key in ("date_from", "date_to"):
            data[key] = data[key].isoformat() if data[key] else None
        for key in ("sources", "bylines", "tags", "languages"):
            data[key] = list(data[key])
        return data


@dataclass(frozen=True)
class SnippetPart:
    """A run of snippet text; ``match`` marks the words the query matched."""

    text: str
    match: bool = False


@dataclass(frozen=True)
class Match:
    """One word of the query found in one field of a hit, and what it added to the score."""

    field: str
    word: str
    count: int
    score: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "word": self.word,
            "count": self.count,
            "score": round(self.score, 4),
        }

    @property
    def label(self) -> str:
        """What matched, in words: "oil in body ×3", "published 2002-01-01 to …"."""
        if self.field == "not":
            return f"without {self.word}"
        if self.field == "date":
            return f"published {self.word}"
        if self.field == "any":
            return self.word
        return f"{self.word} in {self.field} ×{self.count}"


@dataclass(frozen=True)
class Hit:
    """One search result, already converted out of the engine's own objects."""

    id: str
    title: str
    score: float
    rank: int
    published: PubDate | None = None
    byline: str | None = None
    source: str | None = None
    url: str | None = None
    language: str | None = None
    tags: tuple[str, ...] = ()
    snippet: tuple[SnippetPart, ...] = ()
    #: the group of copies this article belongs to, and how many other copies it stands for
    group: str | None = None
    copies: int = 0
    #: why the hit ranks where it does (when the request asks to explain)
    explain: tuple[Match, ...] = ()

    @property
    def snippet_text(self) -> str:
        return "".join(part.text for part in self.snippet)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "rank": self.rank,
            "score": round(self.score, 4),
            "title": self.title,
            "published": self.published.to_dict() if self.published else None,
            "byline": self.byline,
            "source": self.source,
            "url": self.url,
            "language": self.language,
            "tags": list(self.tags),
            "snippet": [{"text": p.text, "match": p.match} for p in self.snippet],
            "snippet_text": self.snippet_text,
            "group": self.group,
            "copies": self.copies,
            "explain": [match.to_dict() for match in self.explain],
        }


@dataclass(frozen=True)
class Completion:
    """What a search box offers while a word is typed: whole queries and article titles."""

    prefix: str
    queries: tuple[str, ...] = ()
    #: (article id, title) of articles whose headline matches what was typed
    titles: tuple[tuple[str, str], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "prefix": self.prefix,
            "queries": list(self.queries),
            "titles": [{"id": i, "title": t} for i, t in self.titles],
        }


@dataclass(frozen=True)
class FacetValue:
    value: str
    count: int
    selected: bool = False


@dataclass(frozen=True)
class Facet:
    """Counts of one field's values over the whole result set, largest first."""

    name: str
    values: tuple[FacetValue, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "values": [dataclasses.asdict(v) for v in self.values],
        }


@dataclass(frozen=True)
class Bucket:
    """One bar of the timeline: matching articles published in [start, end)."""

    label: str
    start: date
    end: date
    count: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "count": self.count,
        }


@dataclass(frozen=True)
class SearchPage:
    """One page of answers to a ``SearchRequest``: what every adapter renders."""

    request: SearchRequest
    total: int
    hits: tuple[Hit, ...]
    explanation: str = ""
    facets: tuple[Facet, ...] = ()
    timeline: tuple[Bucket, ...] = ()
    timeline_unit: str = ""
    terms: tuple[str, ...] = ()
    took_ms: float = 0.0
    #: a query that would find more, spelled from the archive's own words ("did you mean")
    suggestion: str | None = None
    #: how many articles have all the words, when (almost) none do and the any-word
    #: ranking answers instead (``Archive.search``); ``None`` when all the words answered
    all_words: int | None = None

    @property
    def mode(self) -> str:
        """The mode that answered: the request's, or "any" standing in for "all"."""
        return "any" if self.all_words is not None else self.request.mode

    @property
    def pages(self) -> int:
        per_page = max(self.request.per_page, 1)
        return max(1, -(-self.total // per_page))

    def to_dict(self) -> dict[str, Any]:
        return {
            "request": self.request.to_dict(),
            "total": self.total,
            "page": self.request.page,
            "pages": self.pages,
            "mode": self.mode,
            "all_words": self.all_words,
            "took_ms": round(self.took_ms, 2),
            "explanation": self.explanation,
            "suggestion": self.suggestion,
            "terms": list(self.terms),
            "hits": [hit.to_dict() for hit in self.hits],
            "facets": [facet.to_dict() for facet in self.facets],
            "timeline": {
                "unit": self.timeline_unit,
                "buckets": [bucket.to_dict() for bucket in self.timeline],
            },
        }
