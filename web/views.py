"""What the results page shows, worked out in Python so templates only read fields.

A ``SearchPage`` becomes links: facet values that narrow the search, chips that remove a
filter, sort choices, pages, timeline bars and suggestions for an empty result. Every link
is the canonical URL of a modified ``SearchRequest`` (``params.to_pairs``), so the page
never builds a query string by hand.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from urllib.parse import urlencode

from archive import pagetext
from archive.models import SORTS, Facet, Hit, PubDate, SearchPage, SearchRequest
from web import params
from web.timeline import TimelineView, timeline_view

FACET_TITLES = {
    "source": "Source",
    "byline": "Byline",
    "year": "Year",
    "tags": "Tags",
    "language": "Language",
}
#: facet name -> the request field it narrows
FACET_FIELDS = {"source": "sources", "byline": "bylines", "tags": "tags", "language": "languages"}
PAGE_WINDOW = 2

Href = Callable[[SearchRequest], str]


@dataclass(frozen=True)
class Link:
    label: str
    href: str
    current: bool = False
    count: int | None = None


@dataclass(frozen=True)
class FacetView:
    name: str
    title: str
    links: tuple[Link, ...]


@dataclass(frozen=True)
class Pager:
    previous: Link | None
    next: Link | None
    #: page links in order; ``None`` stands for a gap (…)
    pages: tuple[Link | None, ...]


@dataclass(frozen=True)
class HitView:
    """A hit and where its title, date, byline and source lead."""

    hit: Hit
    href: str
    date_href: str | None
    byline_href: str | None
    source_href: str | None


@dataclass(frozen=True)
class ResultsView:
    page: SearchPage
    hits: tuple[HitView, ...]
    sorts: tuple[Link, ...]
    facets: tuple[FacetView, ...]
    chips: tuple[Link, ...]
    clear: Link | None
    pager: Pager
    timeline: TimelineView | None
    suggestions: tuple[Link, ...]
    #: "Did you mean …?" when the archive's own words suggest a better query
    did_you_mean: Link | None
    #: switch between one hit per story and every copy
    copies: Link
    #: switch the per-hit "why this rank" on or off
    explain: Link
    #: how many articles match and which the page shows, in words
    counted: str
    #: when the any-word ranking answers a search for all the words: why, and the way
    #: back to all the words
    relaxed: Link | None


def href_for(endpoint_path: str) -> Href:
    """A function giving ``endpoint_path`` with a request's canonical query string."""

    def href(request: SearchRequest) -> str:
        pairs = params.to_pairs(request)
        return f"{endpoint_path}?{urlencode(pairs)}" if pairs else endpoint_path

    return href


def results_view(page: SearchPage, href: Href, article_href: Callable[[str], str]) -> ResultsView:
    """Everything the results page links to, for ``page``.

    ``article_href`` gives an article's link for a hit (carrying the search, so the article
    page can mark the words and lead back).
    """
    request = page.request
    chips = _chips(request, href)
    return ResultsView(
        page=page,
        hits=tuple(_hit(hit, request, href, article_href) for hit in page.hits),
        sorts=tuple(
            Link(
                name.capitalize(),
                href(replace(request, sort=name, page=1)),  # type: ignore[arg-type]
                current=name == request.sort,
            )
            for name in SORTS
        ),
        facets=tuple(_facet(facet, request, href) for facet in page.facets),
        chips=chips,
        clear=Link("Clear all filters", href(_unfiltered(request))) if len(chips) > 1 else None,
        pager=_pager(page, href),
        timeline=timeline_view(page, lambda start, end: href(_dated(request, start, end))),
        suggestions=() if page.hits else _suggestions(page, href),
        did_you_mean=(
            Link(page.suggestion, href(replace(request, q=page.suggestion, page=1)))
            if page.suggestion
            else None
        ),
        copies=Link(
            "Show one article per story" if request.copies else "Show every copy",
            href(replace(request, copies=not request.copies, page=1)),
        ),
        explain=Link(
            "Hide why each result ranks where it does"
            if request.explain
            else "Show why each result ranks where it does",
            href(replace(request, explain=not request.explain)),
        ),
        counted=pagetext.counted(page),
        relaxed=(
            Link(pagetext.relaxed(page), href(replace(request, strict=True, page=1)))
            if page.all_words is not None
            else None
        ),
    )


def _hit(
    hit: Hit, request: SearchRequest, href: Href, article_href: Callable[[str], str]
) -> HitView:
    return HitView(
        hit=hit,
        href=article_href(hit.id),
        date_href=published_href(request, href, hit.published) if hit.published else None,
        byline_href=narrow_href(request, href, "byline", hit.byline) if hit.byline else None,
        source_href=narrow_href(request, href, "source", hit.source) if hit.source else None,
    )


def narrow_href(request: SearchRequest, href: Href, name: str, value: str) -> str:
    """The search narrowed to articles whose ``name`` (source, byline, tags) is ``value``."""
    field = FACET_FIELDS[name]
    values = getattr(request, field)
    if value in values:
        return href(replace(request, page=1))
    return href(params.with_values(request, field, (*values, value), page=1))


def published_href(request: SearchRequest, href: Href, published: PubDate) -> str:
    """The search narrowed to the day (or month, or year) an article was published."""
    start = published.value.date()
    if published.precision == "year":
        return href(_dated(request, date(start.year, 1, 1), date(start.year + 1, 1, 1)))
    if published.precision == "month":
        following = date(start.year + start.month // 12, start.month % 12 + 1, 1)
        return href(_dated(request, date(start.year, start.month, 1), following))
    return href(_dated(request, start, start + timedelta(days=1)))


def _dated(request: SearchRequest, start: date, end: date) -> SearchRequest:
    """``request`` narrowed to [start, end) (``end`` exclusive, as timeline buckets are)."""
    return replace(request, date_from=start, date_to=end - timedelta(days=1), page=1)


def _unfiltered(request: SearchRequest) -> SearchRequest:
    cleared = replace(request, date_from=None, date_to=None, page=1)
    for field in params.FILTERS.values():
        cleared = params.with_values(cleared, field, ())
    return cleared


def _facet(facet: Facet, request: SearchRequest, href: Href) -> FacetView:
    links = []
    for item in facet.values:
        if facet.name == "year":
            selected = _is_year(request, item.value)
            target = (
                _dated(request, date(int(item.value), 1, 1), date(int(item.value) + 1, 1, 1))
                if item.value.isdigit() and not selected
                else replace(request, date_from=None, date_to=None, page=1)
            )
        else:
            field = FACET_FIELDS[facet.name]
            values = getattr(request, field)
            selected = item.selected or item.value in values
            chosen = (
                tuple(v for v in values if v != item.value) if selected else (*values, item.value)
            )
            target = params.with_values(request, field, chosen, page=1)
        links.append(Link(item.value, href(target), current=selected, count=item.count))
    return FacetView(facet.name, FACET_TITLES.get(facet.name, facet.name), tuple(links))


def _is_year(request: SearchRequest, value: str) -> bool:
    return (
        value.isdigit()
        and request.date_from == date(int(value), 1, 1)
        and request.date_to == date(int(value), 12, 31)
    )


def _chips(request: SearchRequest, href: Href) -> tuple[Link, ...]:
    chips = []
    for name, field in FACET_FIELDS.items():
        values = getattr(request, field)
        for value in values:
            rest = tuple(v for v in values if v != value)
            chips.append(
                Link(
                    f"{FACET_TITLES[name]}: {value}",
                    href(params.with_values(request, field, rest, page=1)),
                )
            )
    if request.date_from or request.date_to:
        label = _date_label(request.date_from, request.date_to)
        chips.append(
            Link(f"Dates: {label}", href(replace(request, date_from=None, date_to=None, page=1)))
        )
    return tuple(chips)


def _date_label(start: date | None, end: date | None) -> str:
    if start and end:
        return start.isoformat() if start == end else f"{start.isoformat()} to {end.isoformat()}"
    if start:
        return f"from {start.isoformat()}"
    return f"until {end.isoformat()}" if end else ""


def _pager(page: SearchPage, href: Href) -> Pager:
    request = page.request
    last = min(page.pages, params.max_page(request.per_page))
    current = request.page

    def link(number: int, label: str = "") -> Link:
        return Link(
            label or str(number), href(replace(request, page=number)), current=number == current
        )

    numbers = sorted(
        {1, last, *range(max(1, current - PAGE_WINDOW), min(last, current + PAGE_WINDOW) + 1)}
    )
    pages: list[Link | None] = []
    previous = 0
    for number in numbers:
        if previous and number - previous > 1:
            pages.append(None)
        pages.append(link(number))
        previous = number
    return Pager(
        previous=link(min(current - 1, last), "Previous") if current > 1 else None,
        next=link(current + 1, "Next") if current < last else None,
        pages=tuple(pages) if last > 1 else (),
    )


def _suggestions(page: SearchPage, href: Href) -> tuple[Link, ...]:
    """What to try when a page shows nothing, each a working link."""
    request = page.request
    if page.total:
        return (Link("Go to the first page", href(replace(request, page=1))),)
    out = []
    if params.is_filtered(request):
        out.append(Link("Search without the filters", href(_unfiltered(request))))
    if request.q and request.mode == "all" and len(request.q.split()) > 1:
        out.append(
            Link(
                "Match any of the words instead of all", href(replace(request, mode="any", page=1))
            )
        )
    if request.q and not any(ch in request.q for ch in '~*"'):
        fuzzy = " ".join(
            f"{word}~" if word.isalpha() and len(word) > 3 else word for word in request.q.split()
        )
        if fuzzy != request.q:
            out.append(Link("Allow for spelling mistakes", href(replace(request, q=fuzzy, page=1))))
    if request.q:
        out.append(
            Link(
                "Browse every article, newest first",
                href(params.new_search(per_page=request.per_page)),
            )
        )
    return tuple(out)
