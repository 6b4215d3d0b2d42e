"""Languages: detection at ingest, English stems, CJK bigrams, folded accents."""

from __future__ import annotations

import pytest

from archive.config import Settings
from archive.engines import open_engine
from archive.engines.whoosh.cjk import has_cjk, pieces
from archive.engines.whoosh.schema import text_analyzer
from archive.indexing.languages import detect, with_language
from archive.models import Article, SearchRequest
from archive.query import build


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("The prime minister met the president to discuss the peace treaty.", "en"),
        ("Le Premier ministre a rencontré le président pour discuter du traité de paix.", "fr"),
        ("Der Ministerpräsident traf den Präsidenten, um den Friedensvertrag zu besprechen.", "de"),
        ("El primer ministro se reunió con el presidente para hablar del tratado de paz.", "es"),
        ("首相は平和条約について話し合うため大統領と会談した。", "ja"),
        ("总理会见了总统，讨论和平条约问题。双方同意尽快恢复谈判。", "zh"),
        ("Премьер-министр встретился с президентом, чтобы обсудить мирный договор.", "ru"),
    ],
)
def test_detects_the_language_of_short_news_texts(text, language):
    assert detect(text) == language


def test_too_little_text_is_not_guessed():
    assert detect("Koizumi") is None
    assert detect("Shr 12 cts vs 10 cts; Net 1,234 vs 1,111") is None


def test_the_source_language_wins_and_detection_fills_the_gap():
    told = Article("a", "Hola", "El presidente visitó la ciudad ayer por la tarde.", language="es")
    assert with_language(told).language == "es"
    untold = Article("b", "Visit", "The president visited the city yesterday afternoon.")
    assert with_language(untold).language == "en"


def tokens(text):
    return [token.text for token in text_analyzer()(text)]


def test_cjk_runs_become_bigrams_and_other_words_stay_whole():
    assert tokens("東京都") == ["東京", "京都"]
    assert tokens("Koizumi visited 東京 in 2002") == ["koizumi", "visit", "東京", "2002"]
    assert list(pieces("北京2008年")) == [(0, "北京"), (2, "2008"), (6, "年")]
    assert has_cjk("ソウル") and has_cjk("서울") and not has_cjk("Seoul")


def test_english_is_stemmed_and_accents_fold():
    assert tokens("treaties negotiations") == ["treati", "negoti"]
    assert tokens("São Paulo") == ["sao", "paulo"]


@pytest.fixture
def engine(tmp_path):
    engine = open_engine(Settings(data_dir=tmp_path))
    with engine.writer(timeout=5) as writer:
        writer.add(
            [
                Article(
                    "ja", "首相が訪問", "小泉首相は東京都内で記者会見を開いた。", language="ja"
                ),
                Article("zh", "北京新闻", "北京是中国的首都，人口众多。", language="zh"),
                Article("pt", "Eleições", "Os eleitores de São Paulo escolheram um prefeito."),
            ]
        )
    yield engine
    engine.close()


def ids(engine, q):
    request = SearchRequest(q=q)
    return [hit.id for hit in engine.search(build(request), request).hits]


def test_a_two_character_word_finds_the_text_around_it(engine):
    assert ids(engine, "東京") == ["ja"]
    assert ids(engine, "記者会見") == ["ja"]
    assert ids(engine, "首都") == ["zh"]
    assert ids(engine, "京都") == ["ja"]  # a bigram inside 東京都, as Lucene's CJK analysis
    assert ids(engine, "上海") == []


def test_accents_fold_both_ways(engine):
    assert ids(engine, "Sao Paulo") == ["pt"]
    assert ids(engine, "eleições") == ["pt"]
