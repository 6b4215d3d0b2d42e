"""The timeline: matching articles over time, in buckets that suit the span.

Engines count matches per day; this module chooses years, months or days from the span
and fills the gaps with empty buckets, so the histogram shows quiet periods too.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import date, timedelta

from archive.models import Bucket

MAX_DAY_SPAN = 92
MAX_MONTH_SPAN = 366 * 3
MAX_BUCKETS = 400


def buckets(day_counts: Mapping[str, int]) -> tuple[str, tuple[Bucket, ...]]:
    """``(unit, buckets)`` for counts keyed by ``YYYY-MM-DD``; unit is "year", "month" or "day"."""
    days = {}
    for key, count in day_counts.items():
        try:
            days[date.fromisoformat(key)] = count
        except (TypeError, ValueError):
            continue
    if not days:
        return "", ()
    first, last = min(days), max(days)
    span = (last - first).days
    if span <= MAX_DAY_SPAN:
        return "day", _days(days, first, last)
    if span <= MAX_MONTH_SPAN:
        return "month", _months(days, first, last)
    return "year", _years(days, first, last)


def _days(days: Mapping[date, int], first: date, last: date) -> tuple[Bucket, ...]:
    out = []
    current = first
    while current <= last:
        following = current + timedelta(days=1)
        out.append(Bucket(current.isoformat(), current, following, days.get(current, 0)))
        current = following
    return tuple(out)


def _months(days: Mapping[date, int], first: date, last: date) -> tuple[Bucket, ...]:
    counts: Counter[tuple[int, int]] = Counter()
    for day, count in days.items():
        counts[(day.year, day.month)] += count
    out = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        start = date(year, month, 1)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        end = date(year, month, 1)
        out.append(Bucket(f"{start:%Y-%m}", start, end, counts[(start.year, start.month)]))
    return tuple(out)


def _years(days: Mapping[date, int], first: date, last: date) -> tuple[Bucket, ...]:
    counts: Counter[int] = Counter()
    for day, count in days.items():
        counts[day.year] += count
    low = max(first.year, last.year - MAX_BUCKETS + 1)
    return tuple(
        Bucket(str(year), date(year, 1, 1), date(year + 1, 1, 1), counts[year])
        for year in range(low, last.year + 1)
    )
