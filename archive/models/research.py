"""What the research tools answer: attention over time, characteristic words, keywords in
context. ``citation`` holds the citation every figure carries and ``saved`` the saved searches.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from archive.models.articles import PubDate
from archive.models.citation import Citation, filters_of
from archive.models.search import SearchRequest

Unit = Literal["day", "week", "month", "year"]
UNITS: tuple[str, ...] = ("day", "week", "month", "year")
#: the kinds of characteristic terms: index words, two-word phrases, sources, bylines
TermKind = Literal["word", "phrase", "source", "byline"]
#: significance scores: log-likelihood (Dunning's G²) and Elasticsearch's JLH
SCORES: tuple[str, ...] = ("g2", "jlh")
#: orders of keyword-in-context lines: the search's own, by the word before, by the word after
KWIC_SORTS: tuple[str, ...] = ("articles", "before", "after")
#: characters of keyword-in-context either side of the keyword, by default and at most
KWIC_WIDTH = 60
KWIC_MAX_WIDTH = 300


@dataclass(frozen=True)
class Point:
    """One period of a series: matching articles, and all the archive holds for the period
    (with the same source and language filters). A period the archive holds nothing for is
    a gap ("no coverage"), never a zero share."""

    start: date
    end: date
    label: str
    count: int
    total: int

    @property
    def covered(self) -> bool:
        return self.total > 0

    @property
    def share(self) -> float | None:
        """The matching articles' share of the period's articles; None without coverage."""
        return self.count / self.total if self.total else None

    def to_dict(self) -> dict[str, Any]:
        share = self.share
        return {
            "label": self.label,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "count": self.count,
            "total": self.total,
            "share": round(share, 6) if share is not None else None,
            "covered": self.covered,
        }


@dataclass(frozen=True)
class Series:
    """One query's counts per period, and the citation of its figure."""

    request: SearchRequest
    label: str
    #: every matching article (dated or not); the points count the dated ones
    total: int
    points: tuple[Point, ...]
    citation: Citation

    @property
    def dated(self) -> int:
        return sum(point.count for point in self.points)

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "q": self.request.q,
            "total": self.total,
            "dated": self.dated,
            "points": [point.to_dict() for point in self.points],
            "citation": self.citation.to_dict(),
        }


@dataclass(frozen=True)
class Comparison:
    """Several queries over the same periods, with the archive's coverage of each period."""

    request: SearchRequest
    unit: str
    #: whether the unit was chosen from the span (rather than asked for)
    auto_unit: bool
    series: tuple[Series, ...]
    took_ms: float = 0.0

    @property
    def periods(self) -> tuple[Point, ...]:
        """The periods with the archive's coverage (counts are the first series')."""
        return self.series[0].points if self.series else ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "auto_unit": self.auto_unit,
            "filters": filters_of(self.request),
            "coverage": [
                {"label": p.label, "start": p.start.isoformat(), "total": p.total}
                for p in self.periods
            ],
            "series": [series.to_dict() for series in self.series],
            "took_ms": round(self.took_ms, 2),
        }


@dataclass(frozen=True)
class TermCounts:
    """What an engine knows of one kind of term for a search: in how many matching articles
    (``foreground`` of them) and in how many of the archive's (``background``) each term
    occurs. ``terms`` holds (index term, foreground count, background count)."""

    kind: str
    foreground: int
    background: int
    terms: tuple[tuple[str, int, int], ...]
    #: the foreground counts come from this many of the matches, not all (0: from all)
    sample: int = 0


@dataclass(frozen=True)
class Term:
    """A term that characterises a search's matches against the whole archive."""

    kind: str
    #: as people write it (a word's commonest written form among the matches)
    text: str
    #: the engine's index term (a stem for words); the text itself for the others
    key: str
    foreground: int
    background: int
    score: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "text": self.text,
            "key": self.key,
            "foreground": self.foreground,
            "background": self.background,
            "score": round(self.score, 4),
        }


@dataclass(frozen=True)
class TermGroup:
    """One ranked list of characteristic terms and the sets its counts come from."""

    kind: str
    terms: tuple[Term, ...]
    #: articles the foreground counts come from (the matches, or a sample of them)
    foreground: int
    #: articles the background counts come from (the archive, or a sample of it)
    background: int
    #: whether the counts are of samples rather than of every article
    sampled: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "foreground": self.foreground,
            "background": self.background,
            "sampled": self.sampled,
            "terms": [term.to_dict() for term in self.terms],
        }


@dataclass(frozen=True)
class WordsReport:
    """The words, phrases, sources and bylines that characterise a search's matches."""

    request: SearchRequest
    total: int
    score: str
    groups: tuple[TermGroup, ...]
    citation: Citation
    took_ms: float = 0.0

    def group(self, kind: str) -> TermGroup | None:
        return next((group for group in self.groups if group.kind == kind), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "q": self.request.q,
            "filters": filters_of(self.request),
            "total": self.total,
            "score": self.score,
            "groups": [group.to_dict() for group in self.groups],
            "citation": self.citation.to_dict(),
            "took_ms": round(self.took_ms, 2),
        }


@dataclass(frozen=True)
class MarkedText:
    """A matching article's stored text with the query's matches marked: (start, end)
    character offsets into ``title`` and ``body``."""

    id: str
    title: str
    body: str
    published: PubDate | None = None
    source: str | None = None
    title_marks: tuple[tuple[int, int], ...] = ()
    body_marks: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class KwicLine:
    """One occurrence of the query's words, with the text before and after it."""

    id: str
    title: str
    published: PubDate | None
    source: str | None
    field: str
    offset: int
    left: str
    keyword: str
    right: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "published": self.published.to_dict() if self.published else None,
            "source": self.source,
            "field": self.field,
            "offset": self.offset,
            "left": self.left,
            "keyword": self.keyword,
            "right": self.right,
        }


@dataclass(frozen=True)
class KwicPage:
    """One page of keyword-in-context lines of a search."""

    request: SearchRequest
    sort: str
    page: int
    per_page: int
    lines: tuple[KwicLine, ...]
    has_next: bool
    #: matching articles (the lines come from these)
    total: int
    citation: Citation
    took_ms: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "q": self.request.q,
            "filters": filters_of(self.request),
            "sort": self.sort,
            "page": self.page,
            "per_page": self.per_page,
            "has_next": self.has_next,
            "total": self.total,
            "lines": [line.to_dict() for line in self.lines],
            "citation": self.citation.to_dict(),
            "took_ms": round(self.took_ms, 2),
        }
