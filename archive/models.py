"""The archive's value objects: what flows between ingest, engines, the facade and the adapters.

All are frozen dataclasses so they can be shared between threads and cached freely.
``to_dict`` gives the JSON shape the CLI and the API print.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

Precision = Literal["year", "month", "day", "minute", "second"]
Sort = Literal["relevance", "newest", "oldest"]
Mode = Literal["all", "any"]
SORTS: tuple[str, ...] = ("relevance", "newest", "oldest")


@dataclass(frozen=True)
class PubDate:
    """A publication date: a UTC instant, how precise the source was, and its own words.

    A partial date (only a year, or a year and a month) keeps that precision; ``value`` is
    then the first instant of the period, never a made-up day.
    """

    value: datetime
    precision: Precision
    original: str

    def display(self) -> str:
        """The date as precisely as it is known, for people."""
        if self.precision == "year":
            return f"{self.value:%Y}"
        if self.precision == "month":
            return f"{self.value:%B %Y}"
        if self.precision == "day":
            return f"{self.value.day} {self.value:%B %Y}"
        return f"{self.value.day} {self.value:%B %Y %H:%M} UTC"

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": self.value.isoformat(),
            "precision": self.precision,
            "original": self.original,
            "display": self.display(),
        }


@dataclass(frozen=True)
class Article:
    """One news article, as parsed from a source and as stored in the index.

    ``id`` is stable: derived from the source's path and the record's key inside it, so the
    same file gives the same id across runs and full rebuilds and permalinks survive.
    """

    id: str
    title: str
    body: str
    title_derived: bool = False
    byline: str | None = None
    source: str | None = None
    published: PubDate | None = None
    url: str | None = None
    language: str | None = None
    tags: tuple[str, ...] = ()
    source_path: str = ""
    record: str = ""
    content_hash: str = ""
    format: str = "text"
    #: the id shared by the copies of one story (wire copies, re-sends), set at indexing;
    #: None when the article heads its own group (the group id is then its own id)
    group: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["published"] = self.published.to_dict() if self.published else None
        data["tags"] = list(self.tags)
        return data


@dataclass(frozen=True)
class RecordFailure:
    """One record inside a multi-record source (a feed item, a WARC record) that failed.

    Parsers yield these beside the articles they could read, so one bad record loses
    nothing else.
    """

    record: str
    reason: str


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


@dataclass(frozen=True)
class SourceRecord:
    """The catalog's record of one source file (or one member of a container)."""

    path: str
    size: int
    mtime_ns: int
    content_hash: str
    format: str
    status: Literal["indexed", "failed", "empty"]
    error: str | None
    article_count: int
    indexed_at: str

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class IngestReport:
    """The summary of one ``index`` or ``reindex`` run.

    ``new + updated + unchanged + failed == seen`` always holds: every source the run saw
    is counted exactly once.
    """

    seen: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    removed: int = 0
    articles_written: int = 0
    articles_deleted: int = 0
    record_failures: int = 0
    seconds: float = 0.0
    failures: tuple[tuple[str, str], ...] = field(default=())
    interrupted: bool = False

    @property
    def indexed(self) -> int:
        return self.new + self.updated + self.unchanged

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["indexed"] = self.indexed
        data["failures"] = [{"path": p, "error": e} for p, e in self.failures]
        return data


@dataclass(frozen=True)
class Stats:
    """What the archive holds."""

    articles: int
    sources: int
    failed_sources: int
    formats: dict[str, int]
    engine: str
    generation: str
    data_dir: str
    last_indexed: str | None
    #: "ok", or what is wrong with an engine that still answers (see ``Engine.health``)
    health: str = "ok"

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class CheckReport:
    """Whether the index opens and agrees with the catalog."""

    ok: bool
    index_articles: int
    catalog_articles: int
    missing_from_index: tuple[str, ...] = ()
    unknown_to_catalog: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        for key in ("missing_from_index", "unknown_to_catalog", "problems"):
            data[key] = list(data[key])
        return data
