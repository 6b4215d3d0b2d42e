"""Publication dates in the query language: ``date:2002``, ``date:2002-06``,
``date:2002-06-27``, ``date:>=2002-06-01`` (also ``>``, ``<``, ``<=``) and
``date:[2002-01-01 TO 2002-06-30]`` (``*`` for an open end; ``to`` in any case).

A partial date covers every day it names: ``date:2002-06`` is all of June, ``date:<2003``
ends on the last day of 2002 and ``date:[2002 TO 2003]`` runs to the end of 2003.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from archive.errors import QueryError
from archive.querytree import DateRange

_RANGE = re.compile(r"\[\s*(\S+)\s+(?i:to)\s+(\S+)\s*\]")
_COMPARISON = re.compile(r"(>=|<=|>|<)?(.+)", re.DOTALL)


def date_query(value: str, pos: int) -> DateRange:
    """The dates ``value`` (what follows ``date:``) names; ``pos`` is where it starts."""
    if value.startswith("["):
        bounds = _RANGE.fullmatch(value)
        if bounds is None:
            raise QueryError("a date range looks like date:[2002-01-01 TO 2002-12-31]", pos)
        low = None if bounds[1] == "*" else date_span(bounds[1], pos)[0]
        high = None if bounds[2] == "*" else date_span(bounds[2], pos)[1]
        if low and high and low > high:
            raise QueryError("the range starts after it ends", pos)
        return DateRange(low, high)
    match = _COMPARISON.fullmatch(value)
    if match is None:
        raise QueryError("date: needs a date after it, such as date:2002-06", pos)
    op, rest = match[1], match[2]
    start, end = date_span(rest, pos)
    if op == ">=":
        return DateRange(start, None)
    if op == ">":
        return DateRange(_shift(end, 1, pos), None)
    if op == "<=":
        return DateRange(None, end)
    if op == "<":
        return DateRange(None, _shift(start, -1, pos))
    return DateRange(start, end)


def date_span(text: str, pos: int) -> tuple[date, date]:
    """The first and last day a (possibly partial) ISO date covers."""
    try:
        if re.fullmatch(r"\d{4}", text):
            year = int(text)
            return date(year, 1, 1), date(year, 12, 31)
        if re.fullmatch(r"\d{4}-\d{1,2}", text):
            year, month = (int(part) for part in text.split("-"))
            first = date(year, month, 1)
            following = date(year + (month == 12), month % 12 + 1, 1)
            return first, following - timedelta(days=1)
        if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", text):
            year, month, day = (int(part) for part in text.split("-"))
            return date(year, month, day), date(year, month, day)
    except (ValueError, OverflowError):
        pass
    raise QueryError(f"“{text}” is not a date; use YYYY, YYYY-MM or YYYY-MM-DD", pos)


def _shift(day: date, days: int, pos: int) -> date:
    """``day`` moved by ``days``, refused when that leaves the calendar (``date:<0001``)."""
    try:
        return day + timedelta(days=days)
    except OverflowError:
        raise QueryError("that date range holds no day", pos) from None
