"""Publication dates: the shapes news sources use, partial precision, and never a failure."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import example, given, settings
from hypothesis import strategies as st

from archive.ingest.text.dates import parse_date


def test_common_shapes_parse_to_utc_with_their_precision():
    assert parse_date("2002-06-27").value == datetime(2002, 6, 27, tzinfo=UTC)
    assert parse_date("2002-06-27").precision == "day"
    assert parse_date("2002").precision == "year"
    assert parse_date("2002-06").precision == "month"
    rfc = parse_date("Thu, 27 Jun 2002 10:30:00 +0900")
    assert rfc.value == datetime(2002, 6, 27, 1, 30, tzinfo=UTC) and rfc.precision == "second"
    assert parse_date("26-FEB-1987 15:01:01.79").value.year == 1987


def test_non_dates_are_none():
    for text in ("", None, "yesterday", "no digits here", "99999-99-99"):
        assert parse_date(text) is None


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
@example("0.0M2\n.2\nM0.0M2\n.2\nM...02222222222222222222222222222222222222222222222M+")
def test_any_text_gives_a_date_or_none(text):
    parsed = parse_date(text)
    assert parsed is None or parsed.value.tzinfo is not None


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789.:-+/ TZMmhe,", max_size=60))
def test_digit_soup_gives_a_date_or_none(text):
    parsed = parse_date(text)
    assert parsed is None or 1 <= parsed.value.year <= 9999
