"""The comparison chart's geometry, for an SVG drawn on the server (no JavaScript).

Each series of a ``Comparison`` becomes a line over the periods, broken where the archive
holds no articles (those periods are shaded as "no coverage"); every point is a link to the
period's results. The same numbers make the table beneath, for screen readers and copying.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta

from archive.models import SearchRequest
from archive.models.research import Comparison, Point, Series
from archive.research.periods import describe

WIDTH, HEIGHT = 800, 300
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 40
X_TICKS = 8
#: the dash pattern of each series, so lines differ in more than colour
DASHES = ("", "8 4", "2 3", "10 3 2 3", "14 5")

Href = Callable[[SearchRequest], str]


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    href: str
    description: str


@dataclass(frozen=True)
class Line:
    number: int
    label: str
    paths: tuple[str, ...]
    dots: tuple[Dot, ...]
    dash: str
    total: int
    dated: int
    #: the series' results and its citation
    href: str
    citation: str


@dataclass(frozen=True)
class Tick:
    at: float
    label: str


@dataclass(frozen=True)
class Band:
    x: float
    width: float
    description: str


@dataclass(frozen=True)
class Cell:
    count: int
    share: str
    href: str


@dataclass(frozen=True)
class Row:
    period: str
    total: int
    cells: tuple[Cell | None, ...]


@dataclass(frozen=True)
class ChartView:
    measure: str
    unit: str
    caption: str
    lines: tuple[Line, ...]
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    gaps: tuple[Band, ...]
    rows: tuple[Row, ...]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    top: int = TOP
    bottom: int = HEIGHT - BOTTOM


def chart_view(comparison: Comparison, measure: str, href: Href) -> ChartView | None:
    """The chart of ``comparison`` showing ``measure`` ("share" or "count"); None when
    there is no period to draw."""
    periods = comparison.periods
    if not periods:
        return None
    unit = comparison.unit
    peak = max((_value(p, measure) or 0.0) for s in comparison.series for p in s.points)
    top, steps = _nice(peak)
    x = _xs(len(periods))

    def y(value: float) -> float:
        return round(TOP + (HEIGHT - TOP - BOTTOM) * (1 - value / top), 2)

    lines = tuple(
        _line(number, series, measure, unit, x, y, href)
        for number, series in enumerate(comparison.series)
    )
    what = "share of the archive's articles" if measure == "share" else "articles"
    caption = (
        f"Matching {what} per {unit}, {describe(periods[0].start, unit)} to "
        f"{describe(periods[-1].start, unit)}"
    )
    return ChartView(
        measure=measure,
        unit=unit,
        caption=caption,
        lines=lines,
        x_ticks=_x_ticks(periods, unit, x),
        y_ticks=tuple(
            Tick(y(top * step / steps), _format(top * step / steps, measure, top / steps))
            for step in range(steps + 1)
        ),
        gaps=_gaps(periods, unit),
        rows=_rows(comparison, href),
    )


def _value(point: Point, measure: str) -> float | None:
    """What the y axis shows for a point: its share in percent or its count; None in a gap."""
    if not point.covered:
        return None
    share = point.share or 0.0
    return share * 100 if measure == "share" else float(point.count)


def _xs(count: int) -> Callable[[int], float]:
    step = (WIDTH - LEFT - RIGHT) / count
    return lambda index: round(LEFT + (index + 0.5) * step, 2)


def _line(
    number: int,
    series: Series,
    measure: str,
    unit: str,
    x: Callable[[int], float],
    y: Callable[[float], float],
    href: Href,
) -> Line:
    paths: list[str] = []
    run: list[str] = []
    dots = []
    for index, point in enumerate(series.points):
        value = _value(point, measure)
        if value is None:
            if len(run) > 1:
                paths.append(" ".join(run))
            run = []
            continue
        run.append(f"{'M' if not run else 'L'}{x(index)},{y(value)}")
        dots.append(
            Dot(
                x(index),
                y(value),
                href(_period(series.request, point)),
                f"{series.label}, {describe(point.start, unit)}: {_said(point)}",
            )
        )
    if len(run) > 1:
        paths.append(" ".join(run))
    return Line(
        number=number,
        label=series.label,
        paths=tuple(paths),
        dots=tuple(dots),
        dash=DASHES[number % len(DASHES)],
        total=series.total,
        dated=series.dated,
        href=href(series.request),
        citation=series.citation.compact(),
    )


def _said(point: Point) -> str:
    noun = "article" if point.count == 1 else "articles"
    share = point.share or 0.0
    return f"{point.count:,} {noun}, {share * 100:.2f}% of {point.total:,}"


def _period(request: SearchRequest, point: Point) -> SearchRequest:
    """``request`` narrowed to a point's period (``end`` is exclusive, ``to`` inclusive)."""
    return replace(request, date_from=point.start, date_to=point.end - timedelta(days=1))


def _rows(comparison: Comparison, href: Href) -> tuple[Row, ...]:
    rows = []
    for index, period in enumerate(comparison.periods):
        cells: list[Cell | None] = []
        for series in comparison.series:
            point = series.points[index]
            share = point.share
            cells.append(
                None
                if share is None
                else Cell(point.count, f"{share * 100:.2f}%", href(_period(series.request, point)))
            )
        rows.append(Row(describe(period.start, comparison.unit), period.total, tuple(cells)))
    return tuple(rows)


def _gaps(periods: tuple[Point, ...], unit: str) -> tuple[Band, ...]:
    """Shaded bands over runs of periods the archive holds nothing for."""
    step = (WIDTH - LEFT - RIGHT) / len(periods)
    bands = []
    start = None
    for index, period in enumerate((*periods, None)):
        if period is not None and not period.covered:
            start = index if start is None else start
            continue
        if start is not None:
            first, last = periods[start].start, periods[index - 1].start
            span = (
                describe(first, unit)
                if first == last
                else (f"{describe(first, unit)} to {describe(last, unit)}")
            )
            bands.append(
                Band(
                    round(LEFT + start * step, 2),
                    round((index - start) * step, 2),
                    f"no coverage: the archive holds no articles for {span}",
                )
            )
            start = None
    return tuple(bands)


def _x_ticks(periods: tuple[Point, ...], unit: str, x: Callable[[int], float]) -> tuple[Tick, ...]:
    every = max(1, math.ceil(len(periods) / X_TICKS))
    return tuple(
        Tick(x(index), _short(period.start, unit))
        for index, period in enumerate(periods)
        if index % every == 0
    )


def _short(start: date, unit: str) -> str:
    if unit == "year":
        return f"{start:%Y}"
    if unit == "month":
        return f"{start:%b %Y}"
    return f"{start.day} {start:%b %Y}"


def _nice(peak: float) -> tuple[float, int]:
    """The smallest round number (1, 2, 2.5 or 5 times a power of ten) at or above
    ``peak``, so the axis ends on a label, and how many steps of round size reach it."""
    if peak <= 0:
        return 1.0, 4
    power = 10 ** math.floor(math.log10(peak))
    for factor, steps in ((1, 5), (2, 4), (2.5, 5), (5, 5), (10, 5)):
        if factor * power >= peak:
            return factor * power, steps
    return 10 * power, 5


def _format(value: float, measure: str, step: float) -> str:
    """An axis label, with as many decimals as the step between labels needs."""
    decimals = max(0, -math.floor(math.log10(step))) if step < 1 else 0
    suffix = "%" if measure == "share" else ""
    return f"{value:,.{decimals}f}{suffix}"
