"""The one-pass English filter gives exactly what Whoosh's four-filter chain gives."""

from __future__ import annotations

import pickle

from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import analysis
from whoosh.lang.porter2 import stem
from whoosh.support.charset import accent_map

from archive.engines.whoosh.analysis import EnglishFilter, TextFilter
from archive.engines.whoosh.cjk import CJKBigramFilter
from archive.stopwords import ENGLISH

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
        (
            t.text,
            t.pos if t.positions else None,
            t.startchar if t.chars else None,
            t.endchar if t.chars else None,
            t.stopped,
        )
        for t in analyzer(text, **options)
    ]


def same(text):
    for options in (
        {},
        {"positions": True, "chars": True},
        {"mode": "query"},
        {"removestops": False, "positions": True},
    ):
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


TEXT_CHAIN = analysis.RegexTokenizer() | CJKBigramFilter() | EnglishFilter(stoplist=ENGLISH)
TEXT_FUSED = analysis.RegexTokenizer() | TextFilter(stoplist=ENGLISH)
CJK_SAMPLES = [
    "Koizumi visited 東京都 in 2002, then 北京2008年 and ソウル. The talks went on.",
    "東 a 東京 the x 서울시청 ｶﾀｶﾅ café 𠀀𠀁 Ab東cD",
    "the 東 of 京",
]
#: CJK, kana, Hangul and a supplementary-plane ideograph among Latin letters and marks
MIXED = st.text(
    alphabet=st.sampled_from(list("ab Éé.,-'x1 the of 東京都北ソウル서울ｶ𠀀\u0301")), max_size=80
)


def same_text(text):
    for options in (
        {},
        {"positions": True, "chars": True},
        {"mode": "query"},
        {"removestops": False, "positions": True, "chars": True},
    ):
        assert tokens(TEXT_FUSED, text, **options) == tokens(TEXT_CHAIN, text, **options), options


def test_text_filter_matches_the_cjk_and_english_chain():
    for text in SAMPLES + CJK_SAMPLES:
        same_text(text)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=120), MIXED))
def test_text_filter_matches_the_chain_on_any_text(text):
    same_text(text)


def test_text_filter_pickles_and_compares_by_settings():
    fused = TextFilter(stoplist=ENGLISH)
    copy = pickle.loads(pickle.dumps(fused))
    assert copy == fused and copy != EnglishFilter(stoplist=ENGLISH)
    assert hash(copy) == hash(fused)
