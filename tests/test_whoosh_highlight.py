"""Snippets from the shared highlighter (``archive.search.highlight``) and the engine's remembered
word forms (``whoosh.forms``) equal Whoosh's own highlighter on the full analysis."""

from __future__ import annotations

from collections import Counter
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import highlight as wh

from archive.engines.whoosh.forms import Forms
from archive.engines.whoosh.schema import text_analyzer
from archive.models import SnippetPart
from archive.search import highlight

WORDS = [
    "Oil", "prices", "rose", "the", "of", "a", "Bank", "England's", "café", "Zürich",
    "naïve", "U.S.", "U.N", "e-mail", "3.5", "pct", "東京", "株式", "시장", "rates", "RATE",
    "rating", "—", ",",
]  # fmt: skip
TEXTS = st.lists(st.sampled_from(WORDS), min_size=0, max_size=150).map(" ".join)


class _Runs(wh.Formatter):
    """Whoosh fragments as ``SnippetPart`` runs, with an ellipsis where text was left out."""

    def format_fragment(self, fragment: Any, replace: bool = False) -> list[SnippetPart]:
        text = fragment.text
        parts: list[SnippetPart] = []
        index = fragment.startchar
        for token in fragment.matches:
            if token.startchar is None or token.startchar < index:
                continue
            parts.append(SnippetPart(text[index : token.startchar]))
            parts.append(SnippetPart(text[token.startchar : token.endchar], True))
            index = token.endchar
        parts.append(SnippetPart(text[index : fragment.endchar]))
        return parts

    def format(self, fragments: list[Any], replace: bool = False) -> tuple[SnippetPart, ...]:
        parts: list[SnippetPart] = []
        end = 0
        for fragment in fragments:
            if fragment.startchar > end:
                parts.append(SnippetPart(" … " if parts else "… "))
            parts.extend(self.format_fragment(fragment, replace))
            end = fragment.endchar
        if fragments and end < len(fragments[-1].text):
            parts.append(SnippetPart(" …"))
        return highlight.merge_runs(parts)


def _whoosh(text: str, words: frozenset[str]):
    found = wh.highlight(
        text,
        words,
        text_analyzer(),
        wh.ContextFragmenter(maxchars=highlight.SNIPPET_CHARS, surround=highlight.SURROUND),
        _Runs(),
        top=highlight.PASSAGES,
        scorer=wh.BasicFragmentScorer(),
        order=wh.FIRST,
    )
    return found or highlight.lede(text)


@settings(max_examples=300, deadline=None)
@given(
    text=TEXTS,
    words=st.sets(
        st.sampled_from(["oil", "price", "rate", "bank", "cafe", "zurich", "東京", "us"])
    ),
)
def test_passages_equal_whoosh_highlighter(text, words):
    forms = Forms(text_analyzer())
    for _ in range(2):  # and again with every word's form remembered
        ours = highlight.snippet(text, forms.tokens(text, frozenset(words)))
        assert ours == _whoosh(text, frozenset(words))


@settings(max_examples=200, deadline=None)
@given(text=TEXTS)
def test_counted_forms_equal_the_analyser(text):
    forms = Forms(text_analyzer())
    expected = Counter(token.text for token in text_analyzer()(text))
    assert forms.counts(text) == expected
    assert forms.counts(text) == expected
