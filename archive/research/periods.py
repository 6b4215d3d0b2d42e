"""Periods of a chart: UTC days, weeks (Monday to Sunday), months and years.

Engines count matches per period keyed by the period's first day; this module chooses the
unit from the span, names periods for people and lays out every period of a span, so a
period without articles is shown rather than skipped.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import date, timedelta

from archive.errors import QueryError
from archive.models.research import UNITS

#: the longest span, in days, drawn in days, weeks and months when the unit is chosen
DAY_SPAN = 62
WEEK_SPAN = 400
MONTH_SPAN = 366 * 12
#: most periods one chart may have
MAX_PERIODS = 2000


def choose_unit(first: date, last: date) -> str:
    """Days for two months or less, weeks up to about a year, months up to twelve years,
    then years: between about 10 and 150 points for most spans."""
    span = (last - first).days
    if span <= DAY_SPAN:
        return "day"
    if span <= WEEK_SPAN:
        return "week"
    if span <= MONTH_SPAN:
        return "month"
    return "year"


def check_unit(unit: str) -> str:
    if unit not in UNITS:
        raise QueryError(f"the period must be one of: {', '.join(UNITS)} (not {unit[:20]!r})")
    return unit


def start_of(day: date, unit: str) -> date:
    """The first day of the period ``day`` falls in."""
    if unit == "week":
        return day - timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    if unit == "year":
        return date(day.year, 1, 1)
    return day


def following(start: date, unit: str) -> date:
    """The first day of the next period."""
    if unit == "week":
        return start + timedelta(days=7)
    if unit == "month":
        return date(start.year + start.month // 12, start.month % 12 + 1, 1)
    if unit == "year":
        return date(start.year + 1, 1, 1)
    return start + timedelta(days=1)


def label(start: date, unit: str) -> str:
    """A period's short name: 1987-03-02, 1987-W10 (ISO week), 1987-03, 1987."""
    if unit == "week":
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    if unit == "month":
        return f"{start:%Y-%m}"
    if unit == "year":
        return f"{start:%Y}"
    return start.isoformat()


def describe(start: date, unit: str) -> str:
    """A period's name for people: 2 March 1987, week of 2 March 1987, March 1987, 1987."""
    if unit == "week":
        return f"week of {start.day} {start:%B %Y}"
    if unit == "month":
        return f"{start:%B %Y}"
    if unit == "year":
        return f"{start:%Y}"
    return f"{start.day} {start:%B %Y}"


def span(first: date, last: date, unit: str) -> list[tuple[date, date]]:
    """Every period from the one holding ``first`` to the one holding ``last``, as
    [start, end) pairs; ``QueryError`` when there would be more than ``MAX_PERIODS``."""
    if last < first:
        return []
    periods = []
    start = start_of(first, unit)
    while start <= last:
        end = following(start, unit)
        periods.append((start, end))
        if len(periods) > MAX_PERIODS:
            raise QueryError(
                f"a chart of {first} to {last} by {unit} would have more than "
                f"{MAX_PERIODS:,} points; choose a longer period or narrow the dates"
            )
        start = end
    return periods


def roll_up(counts: Mapping[date, int], unit: str) -> dict[date, int]:
    """Counts per day summed into periods of ``unit``."""
    totals: Counter[date] = Counter()
    for day, count in counts.items():
        totals[start_of(day, unit)] += count
    return dict(totals)
