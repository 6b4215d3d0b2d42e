"""The query language: each feature and each error; any text parses or raises QueryError."""

from __future__ import annotations

import contextlib
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.errors import QueryError
from archive.models import SearchRequest
from archive.query import Limits, build, parse
from archive.querytree import (
    And,
    DateRange,
    Exact,
    Fuzzy,
    MatchAll,
    Not,
    Or,
    Phrase,
    Prefix,
    Term,
    describe,
    terms,
)


def test_words_must_all_match_by_default():
    assert parse("koizumi putin") == And((Term("koizumi"), Term("putin")))


def test_any_mode_makes_bare_words_optional():
    assert parse("koizumi putin", mode="any") == Or((Term("koizumi"), Term("putin")))


def test_phrases_with_straight_and_typographic_quotes():
    assert parse('"peace treaty"') == Phrase(("peace", "treaty"))
    assert parse("“peace treaty”") == Phrase(("peace", "treaty"))
    assert parse('"peace treaty"~3') == Phrase(("peace", "treaty"), slop=3)


def test_boolean_operators_and_grouping():
    assert parse("a OR b") == Or((Term("a"), Term("b")))
    assert parse("a AND b") == And((Term("a"), Term("b")))
    assert parse("(russia OR japan) summit") == And(
        (Or((Term("russia"), Term("japan"))), Term("summit"))
    )
    assert parse("a || b") == parse("a OR b")


def test_negation_with_minus_and_not():
    expected = And((Term("hokkaido"), Not(Term("kunashiri"))))
    assert parse("hokkaido -kunashiri") == expected
    assert parse("hokkaido NOT kunashiri") == expected
    assert parse("-kunashiri") == And((MatchAll(), Not(Term("kunashiri"))))


def test_fields():
    assert parse("title:putin") == Term("putin", "title")
    assert parse("byline:kyodo") == Term("kyodo", "byline")
    assert parse('source:"Kyodo News"') == Phrase(("Kyodo", "News"), "source")
    assert parse("tag:cocoa") == Term("cocoa", "tags")
    assert parse("lang:EN") == Exact("language", "en")


def test_prefix_and_fuzzy():
    assert parse("koiz*") == Prefix("koiz")
    assert parse("koizmi~") == Fuzzy("koizmi", 1)
    assert parse("koizmi~2") == Fuzzy("koizmi", 2)


def test_dates():
    assert parse("date:2002") == DateRange(date(2002, 1, 1), date(2002, 12, 31))
    assert parse("date:2002-02") == DateRange(date(2002, 2, 1), date(2002, 2, 28))
    assert parse("date:[2002-01-01 TO 2002-06-30]") == DateRange(
        date(2002, 1, 1), date(2002, 6, 30)
    )
    assert parse("date:[2002-01-01 TO *]") == DateRange(date(2002, 1, 1), None)
    assert parse("date:>=2002-06-01") == DateRange(date(2002, 6, 1), None)
    assert parse("date:<2002") == DateRange(None, date(2001, 12, 31))


def test_empty_query_matches_everything():
    assert parse("") == MatchAll()
    assert parse("   ") == MatchAll()


def test_a_colon_followed_by_space_is_punctuation_not_a_field():
    assert parse("Koizumi: Putin") == And((Term("Koizumi"), Term("Putin")))


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        ("(koizumi", "not closed", 0),
        ("koizumi)", "unexpected", 7),
        ('"peace treaty', "quote is not closed", 0),
        ("*zumi", "cannot start with a wildcard", 0),
        ("?zumi", "cannot start with a wildcard", 0),
        ("ko*zumi", "only at the end", 0),
        ("k*", "at least 2 characters", 0),
        ("koizumi~9", "at most 2", 0),
        ("colour:red", "unknown field", 0),
        ("a OR", "OR needs something after it", 2),
        ("AND a", "AND needs something before it", 0),
        ("date:2002-13", "not a date", 5),
        ("date:[2003 TO 2002]", "starts after it ends", 5),
        ("a\x00b", "NUL", 1),
    ],
)
def test_errors_say_what_and_where(text, message, position):
    with pytest.raises(QueryError) as caught:
        parse(text)
    assert message in str(caught.value)
    assert caught.value.position == position


def test_limits_refuse_overlong_deep_and_huge_queries():
    with pytest.raises(QueryError, match="characters long"):
        parse("a" * 2001)
    with pytest.raises(QueryError, match="nested more than"):
        parse("(" * 100 + "a" + ")" * 100)
    with pytest.raises(QueryError, match="terms; the limit"):
        parse(" OR ".join(f"w{i}" for i in range(300)), limits=Limits(max_length=10**6))


def test_build_adds_filters():
    request = SearchRequest(q="putin", sources=("Kyodo",), date_from=date(2002, 1, 1))
    assert build(request) == And(
        (Term("putin"), Exact("source", "Kyodo"), DateRange(date(2002, 1, 1), None))
    )
    with pytest.raises(QueryError, match="start date is after"):
        build(SearchRequest(date_from=date(2003, 1, 1), date_to=date(2002, 1, 1)))


def test_describe_and_terms_for_people_and_highlighting():
    tree = parse('hokkaido "peace treaty" -kunashiri')
    assert describe(tree) == (
        "the word “hokkaido” in title or text AND the phrase “peace treaty” in title or text"
        " AND NOT the word “kunashiri” in title or text"
    )
    assert terms(tree) == ["hokkaido", "peace", "treaty"]


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('ab "()*?~:-+ORANDT[]\\\x00é“”')), max_size=40))
def test_any_text_parses_or_raises_query_error(text):
    try:
        tree = parse(text)
    except QueryError as exc:
        assert str(exc)
    else:
        assert describe(tree)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_unicode_never_raises_anything_else(text):
    with contextlib.suppress(QueryError):
        parse(text)
