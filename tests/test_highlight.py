"""The shared highlighter (``archive.search.highlight``): passages, whole texts and paragraphs."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from archive.models import SnippetPart
from archive.search import highlight
from archive.search.highlight import Token


def words(text: str, matched: set[str]) -> list[Token]:
    return [
        Token(m.start(), m.end(), m.group().lower(), m.group().lower() in matched)
        for m in re.finditer(r"\w+", text)
    ]


def test_passages_are_windows_around_the_matches_in_text_order():
    text = "Filler words here. " * 30 + "The oil price rose. " + "More filler. " * 30
    parts = highlight.snippet(text, words(text, {"oil", "price"}))
    assert [p.text for p in parts if p.match] == ["oil", "price"]
    shown = "".join(p.text for p in parts)
    assert shown.startswith("… ") and shown.endswith(" …") and len(shown) < 260


def test_the_lede_when_nothing_matches():
    text = "word " * 100
    parts = highlight.snippet(text, words(text, set()))
    assert len(parts) == 1 and not parts[0].match and parts[0].text.endswith(" …")
    assert highlight.lede("") == ()


def test_paragraphs_are_split_at_blank_lines_and_keep_their_marks():
    body = "  Oil rose.\n\n\nPrices of oil fell.  \n \nNothing here."
    found = highlight.paragraphs(body, words(body, {"oil"}))
    assert ["".join(p.text for p in runs) for runs in found] == [
        "Oil rose.",
        "Prices of oil fell.",
        "Nothing here.",
    ]
    assert [[p.text for p in runs if p.match] for runs in found] == [["Oil"], ["oil"], []]


def test_long_texts_are_shown_unmarked():
    text = "oil " * (highlight.MAX_MARKED_CHARS // 4 + 1)
    assert highlight.mark(text, words(text, {"oil"})) == (SnippetPart(text),)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300), st.sets(st.sampled_from(["a", "oil", "b", "x1"])))
def test_marking_never_loses_or_invents_text(text, matched):
    tokens = words(text, matched)
    assert "".join(part.text for part in highlight.mark(text, tokens)) == text
    paragraphs = highlight.paragraphs(text, tokens)
    expected = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    assert ["".join(part.text for part in runs) for runs in paragraphs] == expected
    flat = highlight.flatten(text)
    shown = "".join(part.text for part in highlight.snippet(flat, words(flat, matched)))
    assert all(part.strip() in flat for part in shown.split("…") if part.strip())
