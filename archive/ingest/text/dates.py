"""Publication dates from whatever a source carries, normalised to UTC.

Unknown stays unknown: text that is not clearly a date gives ``None``, never "today".
Partial dates keep their precision (``2002`` is the year 2002, not 1 January 2002).
Times without a zone are taken as UTC.
"""

from __future__ import annotations

import email.utils
import re
import warnings
from datetime import UTC, datetime

from dateutil import parser as dateutil_parser

from archive.models import Precision, PubDate

_YEAR = re.compile(r"^\s*(\d{4})\s*$")
_YEAR_MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")
_COMPACT = re.compile(r"^\s*(\d{8})(?:T(\d{4,6})(?:[.,]\d+)?([+-]\d{4}|Z)?)?\s*$")
_HAS_TIME = re.compile(r"\d{1,2}:\d{2}")
_HAS_SECONDS = re.compile(r"\d{1,2}:\d{2}:\d{2}")
MIN_YEAR = 1600
MAX_YEAR = 2200


def parse_date(text: str | None) -> PubDate | None:
    """Parse a publication date in any common shape; ``None`` when it is not one."""
    if not text:
        return None
    original = " ".join(str(text).split())[:200]
    if not original:
        return None
    try:
        parsed = _parse(original)
    except (ValueError, ArithmeticError, TypeError, IndexError):  # dateutil's odd failures
        return None
    if parsed is None:
        return None
    value, precision = parsed
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        return None
    return PubDate(value=value, precision=precision, original=original)


def from_datetime(value: datetime, original: str, precision: Precision = "second") -> PubDate:
    """A ``PubDate`` from a datetime a library already parsed (naive means UTC)."""
    return PubDate(value=to_utc(value), precision=precision, original=original)


def to_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _parse(text: str) -> tuple[datetime, Precision] | None:
    if match := _YEAR.match(text):
        return datetime(int(match[1]), 1, 1, tzinfo=UTC), "year"
    if match := _YEAR_MONTH.match(text):
        return datetime(int(match[1]), int(match[2]), 1, tzinfo=UTC), "month"
    if match := _COMPACT.match(text):
        return _parse_compact(match)
    if re.search(r"[A-Za-z]{3},", text):
        try:
            value = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError):
            value = None
        if value is not None:
            return to_utc(value), "second"
    if not re.search(r"\d", text):
        return None
    default = datetime(1, 1, 1)
    with warnings.catch_warnings():
        # an unknown zone name ("IST") is read as no zone, i.e. UTC, rather than a warning
        warnings.simplefilter("ignore", dateutil_parser.UnknownTimezoneWarning)
        value = dateutil_parser.parse(text, default=default, fuzzy=False)
    if value.year == 1 and "0001" not in text:
        return None
    precision = _precision(text, value)
    return to_utc(value), precision


def _parse_compact(match: re.Match[str]) -> tuple[datetime, Precision]:
    day = datetime.strptime(match[1], "%Y%m%d")
    if not match[2]:
        return day.replace(tzinfo=UTC), "day"
    clock = match[2].ljust(6, "0")
    value = day.replace(hour=int(clock[:2]), minute=int(clock[2:4]), second=int(clock[4:6]))
    zone = match[3]
    if zone and zone != "Z":
        value = datetime.strptime(f"{match[1]}{clock}{zone}", "%Y%m%d%H%M%S%z")
    return to_utc(value), "second"


def _precision(text: str, value: datetime) -> Precision:
    if _HAS_SECONDS.search(text):
        return "second"
    if _HAS_TIME.search(text):
        return "minute"
    digits = re.findall(r"\d+", text)
    has_month_name = re.search(r"[A-Za-z]{3,}", text) is not None
    if len(digits) >= 3 or (has_month_name and len(digits) >= 2):
        return "day"
    if has_month_name or len(digits) == 2:
        return "month"
    return "year"


_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "jän", "jaen"),
            ("feb",),
            ("mar", "mär", "mrz", "maer"),
            ("apr",),
            ("may", "mai"),
            ("jun",),
            ("jul",),
            ("aug",),
            ("sep", "sept"),
            ("oct", "okt"),
            ("nov",),
            ("dec", "dez"),
        ),
        start=1,
    )
    for name in names
}
#: IPTC 7901 trailer: day, hour, minute, optional zone, month name, two-digit year
_IPTC7901_STAMP = re.compile(
    r"^(\d{2})(\d{2})(\d{2})\s+(?:GMT\s+|UTC\s+)?([^\W\d_]{3,4})\.?\s+(\d{2})$"
)
#: ANPA-1312 trailer: month-day-year and a 24-hour GMT time
_ANPA_STAMP = re.compile(r"^(\d{1,2})-(\d{1,2})-(\d{2})\s+(\d{2})(\d{2})\s*(?:GMT|UTC|Z)$")


def parse_wire_stamp(text: str | None) -> PubDate | None:
    """The date/time stamp that ends a wire message, to the minute, in UTC.

    IPTC 7901 trailers read ``131137 GMT Nov 13`` (13th, 11:37 GMT, November 2013; the
    month may be abbreviated in German, ``Okt``); ANPA-1312 trailers read
    ``11-13-13 1509GMT`` (13 November 2013, 15:09 GMT). Two-digit years below 70 are
    taken as 20xx. Anything else gives ``None``.
    """
    if not text:
        return None
    original = " ".join(text.split())
    try:
        if match := _IPTC7901_STAMP.match(original):
            month = _MONTHS.get(match[4].casefold())
            if month is None:
                return None
            value = datetime(
                _century(match[5]), month, int(match[1]), int(match[2]), int(match[3]), tzinfo=UTC
            )
        elif match := _ANPA_STAMP.match(original):
            value = datetime(
                _century(match[3]),
                int(match[1]),
                int(match[2]),
                int(match[4]),
                int(match[5]),
                tzinfo=UTC,
            )
        else:
            return None
    except ValueError:
        return None
    return PubDate(value=value, precision="minute", original=original)


def _century(two_digits: str) -> int:
    year = int(two_digits)
    return 2000 + year if year < 70 else 1900 + year
