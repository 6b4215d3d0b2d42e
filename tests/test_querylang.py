"""The query language means what the README says: each fixed misreading, on both engines.

Search results are checked on every engine (OpenSearch with
``NEWSARCHIVE_TEST_OPENSEARCH_URL``); explain, suggestions and page texts on the archive
the CLI and the web use.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from click.testing import CliRunner

import cli
from archive.config import Settings
from archive.core import Archive
from archive.engines import open_engine
from archive.errors import QueryError
from archive.models import Article, PubDate, SearchRequest
from archive.query import build, parse
from tests import opensearch_support

ENGINES = ["whoosh", pytest.param("opensearch", marks=pytest.mark.opensearch)]


def article(n: int, title: str, body: str, **fields) -> Article:
    return Article(id=f"q{n:03d}", title=title, body=body, source_path=f"/q/{n}.txt", **fields)


def dated(value: datetime) -> PubDate:
    return PubDate(value, "second", value.isoformat())


CORPUS = [
    article(1, "Japan slides into recession", "The recession deepened as exports fell."),
    article(2, "Recessions compared", "Two recessions in a decade hurt the government."),
    article(3, "Blair and Brown", "Blair and Brown met on the budget.", tags=("Hong Kong",)),
    article(4, "Blair abroad", "Blair spoke about the peace talks in Moscow."),
    article(5, "Oil prices rise", "Oil prices rose while gas was steady.", tags=("Japan", "Kong")),
    article(6, "Gas deal", "A gas deal after long negotiations.", byline="Kyodo"),
    article(7, "Election day", "The election went ahead; talks of peace resumed."),
    article(
        8,
        "Café society",
        "Talks brought peace, tariff talks.",
        published=dated(datetime(2002, 12, 31, 22, 0, tzinfo=timezone(timedelta(hours=-5)))),
    ),
    article(
        9,
        "Sao Paulo notes",
        "Negotiators negotiated a treaty; peace followed long talks.",
        published=dated(datetime(2002, 6, 27, 12, 0, tzinfo=UTC)),
    ),
]


@pytest.fixture(params=ENGINES)
def engine(request, tmp_path):
    if request.param == "opensearch":
        settings = opensearch_support.settings(request.getfixturevalue("opensearch_url"), tmp_path)
    else:
        settings = Settings(data_dir=tmp_path)
    engine = open_engine(settings)
    for half in (CORPUS[:4], CORPUS[4:]):  # two commits: two segments on the embedded engine
        with engine.writer(timeout=5) as writer:
            writer.add(half)
    yield engine
    if request.param == "opensearch":
        engine.drop()
    engine.close()


def found(engine, q: str, **kwargs) -> set[str]:
    request = SearchRequest(q=q, copies=True, **kwargs)
    return {hit.id for hit in engine.scan(build(request), request)}


# fuzzy words and prefixes -----------------------------------------------------------------


def test_a_fuzzy_word_finds_at_least_what_the_word_finds(engine):
    assert found(engine, "recession") == {"q001", "q002"}
    assert found(engine, "recession~") >= found(engine, "recession")
    assert found(engine, "recession~2") >= found(engine, "recession~")
    assert found(engine, "title:recession~") >= found(engine, "title:recession")


def test_a_fuzzy_word_finds_the_words_within_its_distance(engine):
    # words as written: "recession" is one letter away, "recessions" two
    assert found(engine, "recesion~") == {"q001"}
    assert found(engine, "recesion~2") == {"q001", "q002"}
    assert found(engine, "goverment~") == {"q002"}  # "government"
    assert found(engine, "elction~") == {"q007"}
    assert found(engine, "elcetion~") == {"q007"}  # two letters swapped: one edit
    assert found(engine, "elcetoin~1") == set()  # two swaps: two edits
    assert found(engine, "elcetoin~2") == {"q007"}


def test_a_prefix_finds_words_as_written(engine):
    assert found(engine, "negotiat*") == {"q006", "q009"}  # indexed as the stem "negoti"
    assert found(engine, "title:recess*") == {"q001", "q002"}
    assert found(engine, "body:recess*") == {"q001", "q002"}
    assert found(engine, "caf*") == {"q008"}  # café, accent folded
    assert found(engine, "CAFÉ~") == {"q008"}


def test_snippets_mark_the_words_a_prefix_or_fuzzy_word_found(engine):
    for q, word in (("negotiat*", "negotiations"), ("recesion~", "recession")):
        request = SearchRequest(q=q, copies=True)
        page = engine.search(build(request), request)
        marked = {part.text.lower() for hit in page.hits for part in hit.snippet if part.match}
        assert word in marked, (q, marked)


def test_snippets_mark_only_the_words_as_written_a_fuzzy_word_or_prefix_found(engine):
    with engine.writer(timeout=5) as writer:
        writer.add([article(20, "Bench notes", "The recession ended; the bench recessed. Oil!")])

    def marks(q: str) -> list[str]:
        request = SearchRequest(q=q, copies=True, sources=())
        (hit,) = [hit for hit in engine.search(build(request), request).hits if hit.id == "q020"]
        in_snippet = [part.text for part in hit.snippet if part.match]
        stored = engine.get("q020")
        words = engine.words(build(request), stored)
        on_page = [stored.body[token.start : token.end] for token in words[1] if token.matched]
        assert in_snippet == on_page, (q, in_snippet, on_page)
        return in_snippet

    # "recessed" has the stem of "recession" but is three edits from "recesion"
    assert marks("recesion~") == ["recession"]
    # the word itself is searched, and marked, by its stem
    assert marks("recession~") == ["recession", "recessed"]
    assert marks("oil recessi*") == ["recession", "Oil"]


# negation ---------------------------------------------------------------------------------


def test_not_excludes_in_every_spelling(engine):
    everything = {item.id for item in CORPUS}
    oil = found(engine, "oil")
    assert oil == {"q005"}
    for text in ("NOT oil", "-oil", "!oil", "! oil"):
        assert found(engine, text) == everything - oil, text
    assert found(engine, "blair && !brown") == {"q004"}
    assert found(engine, "blair -brown") == found(engine, "blair AND NOT brown") == {"q004"}
    assert found(engine, 'talks -"peace talks"') == {"q007", "q008", "q009"}
    assert found(engine, "talks -(peace OR moscow)") == set()
    assert found(engine, "blair -title:brown") == {"q004"}
    assert found(engine, "NOT the") == everything  # a stop word takes nothing away
    assert found(engine, "oil OR -gas") == everything - {"q006"}


# phrases ----------------------------------------------------------------------------------


def test_a_phrase_with_slop_keeps_its_order_and_counts_the_slop_over_the_phrase(engine):
    assert found(engine, '"peace talks"') == {"q004"}
    assert found(engine, '"talks peace"~1') == {"q007", "q008"}  # "talks of peace" too
    assert found(engine, '"peace talks"~2') == {"q004", "q008", "q009"}
    # three words: at most two others between the first and the last, in all
    assert found(engine, '"talks peace talks"~2') == {"q008"}
    assert found(engine, '"talks peace talks"~1') == set()


def test_a_phrase_in_tags_stays_within_one_tag(engine):
    assert found(engine, 'tags:"hong kong"') == {"q003"}
    assert found(engine, 'tags:"japan kong"') == set()


# fields and dates -------------------------------------------------------------------------


def test_fields_in_every_spelling(engine):
    assert found(engine, "byline:kyodo") == found(engine, "author: Kyodo") == {"q006"}
    assert found(engine, "headline:(gas OR oil)") == {"q005", "q006"}
    assert found(engine, 'date:"2002"') == {"q009"}


def test_days_and_years_are_utc_days_on_both_engines(engine):
    # 2002-12-31 22:00 at UTC-5 is 2003-01-01 in UTC
    assert found(engine, "year:2003") == found(engine, "date:2003-01-01") == {"q008"}
    assert found(engine, "date:[2002-06-01 TO 2002-12-31]") == {"q009"}


@pytest.mark.parametrize(
    "text", ["__class__:x", "foo:bar", "_x:y", "Titel:putin", "date:[2002 TO", "year:[1 TO 2]"]
)
def test_every_name_before_a_colon_is_checked(text):
    with pytest.raises(QueryError):
        parse(text)


def test_punctuation_is_not_a_field_or_a_wildcard():
    assert parse("Koizumi: Putin") == parse("Koizumi Putin")
    assert parse("12:30") == parse('"12 30"')
    assert parse("inflation?") == parse("inflation")


# explain, suggestions and pages -----------------------------------------------------------


@pytest.fixture
def data_dir(tmp_path):
    engine = open_engine(Settings(data_dir=tmp_path))
    for half in (CORPUS[:4], CORPUS[4:]):
        with engine.writer(timeout=5) as writer:
            writer.add(half)
    engine.close()
    return tmp_path


@pytest.mark.parametrize("q", ["oil OR gas", "oil prices", "blair AND brown", "NOT oil"])
def test_explain_gives_every_hit_its_reasons_on_an_index_of_several_segments(data_dir, q):
    with Archive(Settings(data_dir=data_dir)) as archive:
        assert len(list(archive.engine._searcher().leaf_searchers())) == 2
        page = archive.search(SearchRequest(q=q, explain=True))
    assert page.hits
    for hit in page.hits:
        assert hit.explain
        assert sum(match.score for match in hit.explain) == pytest.approx(hit.score, rel=1e-6)


def test_explain_answers_on_the_cli_the_page_and_the_api(data_dir):
    out = CliRunner().invoke(
        cli.main, ["--data-dir", str(data_dir), "search", "oil OR gas", "--explain"]
    )
    assert out.exit_code == 0, out.output
    assert "gas in body ×1" in out.output
    from web import create_app

    with Archive(Settings(data_dir=data_dir)) as archive:
        client = create_app(archive=archive).test_client()
        assert client.get("/search?q=oil+OR+gas&explain=1").status_code == 200
        api = client.get("/api/search?q=oil+OR+gas&explain=1").get_json()
    assert all(hit["explain"] for hit in api["hits"])


def test_a_suggestion_is_offered_only_where_it_finds_more(data_dir):
    with Archive(Settings(data_dir=data_dir)) as archive:
        assert archive.search(SearchRequest(q="byline:kyodo")).suggestion is None
        assert archive.search(SearchRequest(q="byline:kyoto")).suggestion is None
        assert archive.search(SearchRequest(q="recesion")).suggestion == "recession"


def test_a_page_past_the_last_says_so(data_dir):
    out = CliRunner().invoke(
        cli.main, ["--data-dir", str(data_dir), "search", "talks", "--page", "999"]
    )
    assert "4 articles match; page 999 is past the last page, 1" in out.output
    from web import create_app

    with Archive(Settings(data_dir=data_dir)) as archive:
        html = create_app(archive=archive).test_client().get("/search?q=talks&page=999").text
    assert "page 999 is past the last page, 1" in html


def test_no_article_with_all_the_words_answers_with_most_of_them(data_dir):
    args = ["--data-dir", str(data_dir), "search", "recession blair"]
    relaxed = CliRunner().invoke(cli.main, args)
    assert "No article has all the words; showing articles with most of them" in relaxed.output
    assert "4 articles match" in relaxed.output
    strict = CliRunner().invoke(cli.main, [*args, "--strict"])
    assert "0 articles match" in strict.output
    with Archive(Settings(data_dir=data_dir)) as archive:
        request = SearchRequest(q="recession blair")
        page = archive.search(request)
        assert (page.mode, page.all_words, page.total) == ("any", 0, 4)
        assert {hit.id for hit in archive.export(request)} == {hit.id for hit in page.hits}
        # written operators, fields and phrases mean what they say
        for q in ("recession AND blair", "recession title:blair", '"recession blair"'):
            assert archive.search(SearchRequest(q=q)).total == 0, q
