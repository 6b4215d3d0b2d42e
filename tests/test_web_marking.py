"""Marking a search's words in article text (``web.marking``)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from archive.query import Limits
from web.marking import mark, matcher, stems, within

LIMITS = Limits()


def marked(text: str, q: str) -> list[str]:
    return [part.text for part in mark(text, matcher(q, LIMITS)) if part.match]


def test_words_match_across_case_accents_and_endings():
    text = "Harvests grew. The harvesting of RICE; a café, the Cafe and cafés."
    assert marked(text, "harvest") == ["Harvests", "harvesting"]
    assert marked(text, "rice") == ["RICE"]
    assert marked(text, "café") == ["café", "Cafe", "cafés"]


def test_phrases_prefixes_and_fuzzy_words_are_marked():
    text = "Koizumi met Putin; Koizumi's aide and the koizmi typo."
    assert marked(text, '"met putin"') == ["met", "Putin"]
    assert marked(text, "koiz*") == ["Koizumi", "Koizumi's", "koizmi"]
    assert marked(text, "koizumi~") == ["Koizumi", "koizmi"]


def test_negated_words_and_filters_are_not_marked():
    assert marked("rice and wheat", "rice -wheat") == ["rice"]
    assert marked("rice in Asahi", "source:asahi") == ["Asahi"]
    assert marked("rice and wheat", "date:2003") == []


def test_an_unreadable_query_marks_nothing():
    assert marked("rice", '"open') == []
    assert [part.text for part in mark("rice", matcher('"open', LIMITS))] == ["rice"]


def test_stems_and_edit_distance():
    assert "harvest" in stems("harvesting")
    assert "company" in stems("companies")
    assert within("koizmi", "koizumi", 1) and not within("kozmi", "koizumi", 1)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200), st.text(max_size=30))
def test_marking_never_loses_or_invents_text(text, q):
    parts = mark(text, matcher(q, LIMITS))
    assert "".join(part.text for part in parts) == text
