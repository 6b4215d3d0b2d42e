"""Reading and writing search parameters (``web.params``)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from archive.errors import QueryError
from archive.models import SearchRequest
from web.params import MAX_VALUES, max_page, new_search, search_request, to_pairs


def read(query: dict | list, **options) -> SearchRequest:
    return search_request(MultiDict(query), 100, **options)


def test_every_parameter_is_read():
    request = read(
        [
            ("q", " rice "),
            ("page", "3"),
            ("per_page", "20"),
            ("sort", "oldest"),
            ("from", "2003-01-01"),
            ("to", "2003-12-31"),
            ("source", "Asahi"),
            ("source", "Kyodo"),
            ("byline", "Jane Doe"),
            ("tag", "farming"),
            ("lang", "en"),
            ("mode", "any"),
            ("copies", "1"),
            ("explain", "true"),
        ]
    )
    assert request == SearchRequest(
        q="rice",
        page=3,
        per_page=20,
        sort="oldest",
        date_from=date(2003, 1, 1),
        date_to=date(2003, 12, 31),
        sources=("Asahi", "Kyodo"),
        bylines=("Jane Doe",),
        tags=("farming",),
        languages=("en",),
        mode="any",
        expand=True,
        copies=True,
        explain=True,
    )


def test_defaults_depend_on_whether_there_is_a_query():
    assert read({}).sort == "newest"
    assert read({"q": "rice"}).sort == "relevance"
    assert read({"q": "rice", "sort": "", "from": "", "page": ""}) == SearchRequest(q="rice")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"page": "0"}, ("page", 1)),
        ({"page": "-5"}, ("page", 1)),
        ({"per_page": "1000000"}, ("per_page", 100)),
        ({"per_page": "0"}, ("per_page", 1)),
    ],
)
def test_out_of_range_numbers_are_clamped(query, expected):
    name, value = expected
    assert getattr(read(query), name) == value


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ({"page": "abc"}, "page must be a whole number"),
        ({"page": "1e9"}, "page must be a whole number"),
        ({"page": "9" * 5000}, "page must be a whole number"),
        ({"per_page": "ten"}, "per_page must be a whole number"),
        ({"sort": "random"}, "sort must be one of: relevance, newest, oldest"),
        ({"mode": "some"}, "mode must be 'all' or 'any'"),
        ({"from": "yesterday"}, "from must be a date like 2003-05-31"),
        ({"to": "2003-02-30"}, "to must be a date like 2003-05-31"),
        ({"from": "03-05-2003"}, "from must be a date"),
        ({"source": "a\x00b"}, "control character"),
        ({"tag": "x" * 301}, "longer than 300 characters"),
        ({"q": "x" * 10_001}, "q is too long"),
    ],
)
def test_nonsense_is_refused_with_the_parameter_named(query, words):
    with pytest.raises(QueryError, match=words):
        read(query)


def test_too_many_filter_values_are_refused():
    with pytest.raises(QueryError, match=f"at most {MAX_VALUES} source values"):
        read([("source", f"s{n}") for n in range(MAX_VALUES + 1)])


def test_repeated_values_are_kept_once_in_order():
    assert read([("tag", "b"), ("tag", "a"), ("tag", "b"), ("tag", " ")]).tags == ("b", "a")


def test_switches_are_read_only_when_allowed():
    assert read({"facets": "false", "timeline": "0"}, switches=True).facets is False
    assert read({"facets": "false"}).facets is True
    with pytest.raises(QueryError, match="snippets must be true or false"):
        read({"snippets": "maybe"}, switches=True)


def test_canonical_pairs_leave_defaults_out():
    assert to_pairs(new_search(q="rice")) == [("q", "rice")]
    assert to_pairs(new_search()) == []
    assert to_pairs(SearchRequest()) == [("sort", "relevance")]
    request = SearchRequest(
        q="x",
        page=2,
        sources=("A",),
        date_to=date(2003, 1, 1),
        sort="newest",
        mode="any",
        per_page=20,
    )
    assert to_pairs(request) == [
        ("q", "x"),
        ("source", "A"),
        ("to", "2003-01-01"),
        ("sort", "newest"),
        ("mode", "any"),
        ("per_page", "20"),
        ("page", "2"),
    ]
    assert ("page", "2") not in to_pairs(request, page=False)


def test_max_page_matches_the_archive_limit():
    assert max_page(10) == 10_001
    assert max_page(100) == 1_001


_values = st.lists(
    st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=20)
    .map(str.strip)
    .filter(bool),
    max_size=3,
    unique=True,
)


@settings(max_examples=200, deadline=None)
@given(
    q=st.text(st.characters(blacklist_categories=("Cs",)), max_size=40).map(str.strip),
    page=st.integers(1, 5000),
    per_page=st.integers(1, 100),
    sort=st.sampled_from(("relevance", "newest", "oldest")),
    mode=st.sampled_from(("all", "any")),
    start=st.none() | st.dates(),
    sources=_values,
    tags=_values,
)
def test_pairs_read_back_to_the_same_request(q, page, per_page, sort, mode, start, sources, tags):
    request = SearchRequest(
        q=q,
        page=page,
        per_page=per_page,
        sort=sort,
        mode=mode,
        expand=mode == "any",
        date_from=start,
        sources=tuple(sources),
        tags=tuple(tags),
    )
    assert read(to_pairs(request)) == request
