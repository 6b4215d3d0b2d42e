"""The one-pass English filter gives exactly what Whoosh's four-filter chain gives."""

from __future__ import annotations

import pickle

from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import analysis
from whoosh.lang.porter2 import stem
from whoosh.support.charset import accent_map

from archive.engines.whoosh_analysis import EnglishFilter

CHAIN = (
    analysis.RegexTokenizer()
    | analysis.LowercaseFilter()
    | analysis.StopFilter()
    | analysis.CharsetFilter(accent_map)
    | analysis.StemFilter(stemfn=stem)
)
FUSED = analysis.RegexTokenizer() | EnglishFilter()
SAMPLES = [
    "Koizumi and Putin agreed Thursday to the Peace Treaty talks in São Paulo.",
    "The U.S. treaties, running A I x-ray 2002 Café CAFÉ naïve résumés",
    "",
]


def tokens(analyzer, text, **options):
    return [
        (t.text, t.pos if t.positions else None, t.startchar if t.chars else None,
         t.endchar if t.chars else None, t.stopped)
        for t in analyzer(text, **options)
    ]


def same(text):
    for options in ({}, {"positions": True, "chars": True}, {"mode": "query"},
                    {"removestops": False, "positions": True}):
        assert tokens(FUSED, text, **options) == tokens(CHAIN, text, **options), options


def test_fused_filter_matches_the_chain_on_news_text():
    for text in SAMPLES:
        same(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=120))
def test_fused_filter_matches_the_chain_on_any_text(text):
    same(text)


def test_filter_pickles_without_its_cache():
    fused = EnglishFilter()
    list(fused(iter(analysis.RegexTokenizer()("running treaties"))))
    copy = pickle.loads(pickle.dumps(fused))
    assert copy == fused and copy._cache == {}
