"""Comparing queries over time: counts per period, and each count's share of everything the
archive holds for that period.

Raw counts mostly follow how much was collected, so every point also carries the number of
articles the archive holds for its period with the same source and language filters (the
"coverage"); a period with no coverage is a gap, never a zero. The periods span the
coverage (or the dates asked for), so the queries are drawn on the same axis.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import replace

from archive.engines.base import Engine
from archive.errors import QueryError
from archive.models import SearchRequest
from archive.models.research import Comparison, Point, Series
from archive.querytree import Node
from archive.research import periods
from archive.research.citations import Citer

#: most queries on one chart
MAX_QUERIES = 5


def coverage_request(request: SearchRequest) -> SearchRequest:
    """Every article the share of ``request``'s matches is measured against: the same
    dates, sources, languages, copies and held articles (left out unless the request
    includes them, as its matches are), any words, bylines and tags."""
    return SearchRequest(
        date_from=request.date_from,
        date_to=request.date_to,
        sources=request.sources,
        languages=request.languages,
        copies=request.copies,
        include_held=request.include_held,
    )


def compare(
    engine: Engine,
    citer: Citer,
    build: Callable[[SearchRequest], Node],
    requests: Sequence[SearchRequest],
    unit: str | None = None,
) -> Comparison:
    """The queries of ``requests`` (which share the first one's filters) per period of
    ``unit``, or of a unit chosen from the span when it is None."""
    started = time.perf_counter()
    if not requests:
        raise QueryError("give at least one query to chart")
    if len(requests) > MAX_QUERIES:
        raise QueryError(f"at most {MAX_QUERIES} queries can be compared on one chart")
    if unit is not None:
        periods.check_unit(unit)
    base = requests[0]
    shared = [_with_filters(request, base) for request in requests]
    trees = [build(request) for request in shared]  # a bad query fails before any counting
    background = coverage_request(base)
    days = engine.histogram(build(background), background, "day")
    first = base.date_from or (min(days) if days else None)
    last = base.date_to or (max(days) if days else None)
    chosen = unit or (periods.choose_unit(first, last) if first and last else "month")
    spans = periods.span(first, last, chosen) if first and last else []
    totals = periods.roll_up(days, chosen)
    series = []
    for request, tree in zip(shared, trees, strict=True):
        counts = engine.histogram(tree, request, chosen) if spans else {}
        citation = citer.cite(request, tree)
        points = tuple(
            Point(
                start=start,
                end=end,
                label=periods.label(start, chosen),
                count=counts.get(start, 0),
                total=totals.get(start, 0),
            )
            for start, end in spans
        )
        label = request.q or "every article"
        series.append(Series(request, label, citation.count, points, citation))
    return Comparison(
        request=base,
        unit=chosen,
        auto_unit=unit is None,
        series=tuple(series),
        took_ms=(time.perf_counter() - started) * 1000,
    )


def _with_filters(request: SearchRequest, base: SearchRequest) -> SearchRequest:
    """``request``'s query with ``base``'s filters: the series of a chart share them."""
    return replace(
        base,
        q=request.q,
        page=1,
        snippets=False,
        facets=False,
        timeline=False,
        expand=False,
        explain=False,
    )
