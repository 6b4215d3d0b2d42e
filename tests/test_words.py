"""Where words begin and end (``archive.words``), and the analysers that follow the rule."""

from __future__ import annotations

import pytest

from archive import words
from archive.engines.whoosh.schema import text_analyzer


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The U.N. and the U.S. met", ["The", "U.N", "and", "the", "U.S", "met"]),
        ("U.S.A. e-mail well-known", ["U.S.A", "e", "mail", "well", "known"]),
        ("3.5 pct at example.com, don't", ["3.5", "pct", "at", "example.com", "don't"]),
    ],
)
def test_query_words(text, expected):
    assert words.split(text) == expected


def test_abbreviations():
    for word in ("U.N.", "U.N", "u.s", "e.g.", "U.S.A"):
        assert words.is_acronym(word)
    for word in ("UN", "3.5", "example.com", "Mr.", "U.Sa", "A."):
        assert not words.is_acronym(word)
    assert words.joined("U.N.") == "UN" and words.joined("3.5") == "3.5"


def analysed(text):
    return [token.text for token in text_analyzer()(text, mode="query")]


def test_the_index_reads_abbreviations_one_way_however_written():
    assert analysed("U.N. U.N UN un") == ["un"] * 4
    assert analysed("U.S. U.S US") == ["us"] * 3
    # an abbreviation is never a stop word: a.m. is not the verb "am"
    assert analysed("a.m. am") == ["am"]
    assert analysed("e-mail well-known") == ["mail", "well", "known"]
