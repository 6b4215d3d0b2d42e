"""Snippets from remembered word forms equal Whoosh's highlighter on the full analysis."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import highlight

from archive.engines.whoosh.highlight import SNIPPET_CHARS, SURROUND, _Maker, _PartsFormatter
from archive.engines.whoosh.schema import text_analyzer

WORDS = [
    "Oil", "prices", "rose", "the", "of", "a", "Bank", "England's", "café", "Zürich",
    "naïve", "U.S.", "3.5", "pct", "東京", "株式", "시장", "rates", "RATE", "rating", "—", ",",
]  # fmt: skip


def _whoosh(text: str, words: frozenset[str]):
    return (
        highlight.highlight(
            text,
            words,
            text_analyzer(),
            highlight.ContextFragmenter(maxchars=SNIPPET_CHARS, surround=SURROUND),
            _PartsFormatter(),
            top=2,
            scorer=highlight.BasicFragmentScorer(),
            order=highlight.FIRST,
        )
        or ()
    )


@settings(max_examples=300, deadline=None)
@given(
    text=st.lists(st.sampled_from(WORDS), min_size=0, max_size=150).map(" ".join),
    words=st.sets(st.sampled_from(["oil", "price", "rate", "bank", "cafe", "zurich", "東京"])),
)
def test_passages_equal_whoosh_highlighter(text, words):
    maker = _Maker(text_analyzer())
    assert maker.passages(text, frozenset(words)) == _whoosh(text, frozenset(words))
    # and again with every word's form remembered
    assert maker.passages(text, frozenset(words)) == _whoosh(text, frozenset(words))
