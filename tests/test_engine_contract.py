"""Contract tests for the engine protocol: every engine must pass them unchanged.

The ``engine`` fixture is parametrised by engine name; the scale-out engine runs the same
tests on a real OpenSearch node (``NEWSARCHIVE_TEST_OPENSEARCH_URL``), each test in an index
of its own.
"""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime

import pytest

from archive.config import Settings
from archive.engines import open_engine
from archive.errors import ArticleNotFound, IndexBusy
from archive.examples import examples
from archive.models import Article, PubDate, SearchRequest
from archive.query import build
from tests import opensearch_support

ENGINES = ["whoosh", pytest.param("opensearch", marks=pytest.mark.opensearch)]


def article(n: int, title: str, body: str, *, day: str | None = None, **fields) -> Article:
    published = None
    if day:
        value = datetime.fromisoformat(day).replace(tzinfo=UTC)
        published = PubDate(value, "day", day)
    return Article(
        id=f"a{n:03d}",
        title=title,
        body=body,
        published=published,
        source_path=f"/corpus/{n}.txt",
        **fields,
    )


CORPUS = [
    article(
        1,
        "Koizumi to visit Russia",
        "Koizumi and Putin agreed on a peace treaty timetable.",
        day="2002-06-27",
        byline="Kyodo",
        source="Kyodo",
        tags=("Japan", "Russia"),
    ),
    article(
        2,
        "Islands dispute",
        "The dispute over Kunashiri near Hokkaido continues.",
        day="2001-03-01",
        byline="Jane Doe",
        source="Japan Times",
        tags=("Japan",),
    ),
    article(
        3,
        "Hokkaido tourism",
        "Tourists flock to Hokkaido for the snow festival.",
        day="2003-02-10",
        source="Japan Times",
    ),
    article(4, "Undated note", "A note about Putin without any date at all."),
    article(
        5,
        "São Paulo elections",
        "Voters in São Paulo chose a new mayor.",
        day="2002-10-06",
        source="Reuters",
        language="pt",
    ),
]


@pytest.fixture(params=ENGINES)
def engine(request, tmp_path):
    if request.param == "opensearch":
        url = request.getfixturevalue("opensearch_url")
        settings = opensearch_support.settings(url, tmp_path)
    else:
        settings = Settings(data_dir=tmp_path, engine=request.param)
    engine = open_engine(settings)
    with engine.writer(timeout=5) as writer:
        writer.add(CORPUS)
    yield engine
    if request.param == "opensearch":
        engine.drop()
    engine.close()


def search(engine, q="", **kwargs):
    request = SearchRequest(q=q, **kwargs)
    return engine.search(build(request), request)


def ids(page):
    return [hit.id for hit in page.hits]


def test_words_must_all_match(engine):
    assert ids(search(engine, "Koizumi Putin")) == ["a001"]
    assert sorted(ids(search(engine, "Putin"))) == ["a001", "a004"]


def test_stemming_and_title_boost(engine):
    assert ids(search(engine, "tourist"))[:1] == ["a003"]
    page = search(engine, "hokkaido")
    assert ids(page)[0] == "a003"  # in the title as well as the body


def test_phrase_or_not_and_fields(engine):
    assert ids(search(engine, '"peace treaty"')) == ["a001"]
    assert ids(search(engine, '"treaty peace"')) == []
    assert sorted(ids(search(engine, "Kunashiri OR festival"))) == ["a002", "a003"]
    assert ids(search(engine, "Hokkaido -Kunashiri")) == ["a003"]
    assert ids(search(engine, "byline:kyodo")) == ["a001"]
    assert sorted(ids(search(engine, 'source:"japan times"'))) == ["a002", "a003"]
    assert ids(search(engine, "tags:russia")) == ["a001"]
    assert ids(search(engine, "title:dispute")) == ["a002"]


def test_prefix_and_fuzzy(engine):
    assert ids(search(engine, "koiz*")) == ["a001"]
    assert ids(search(engine, "Koizmi~")) == ["a001"]


def test_accents_fold(engine):
    assert ids(search(engine, "Sao Paulo")) == ["a005"]
    assert ids(search(engine, "São")) == ["a005"]


def test_stop_words_do_not_make_all_words_fail(engine):
    assert ids(search(engine, "the Kunashiri")) == ["a002"]


def test_exact_filters_and_dates(engine):
    assert sorted(ids(search(engine, sources=("Japan Times",)))) == ["a002", "a003"]
    assert ids(search(engine, "Putin", date_from=date(2002, 1, 1))) == ["a001"]
    assert ids(search(engine, "date:2001")) == ["a002"]
    assert ids(search(engine, tags=("Russia",))) == ["a001"]
    assert ids(search(engine, languages=("pt",))) == ["a005"]


def test_sorting_puts_undated_last(engine):
    assert ids(search(engine, sort="newest")) == ["a003", "a005", "a001", "a002", "a004"]
    assert ids(search(engine, sort="oldest")) == ["a002", "a001", "a005", "a003", "a004"]


def test_pagination_and_total(engine):
    first = search(engine, sort="oldest", per_page=2)
    second = search(engine, sort="oldest", per_page=2, page=2)
    assert first.total == second.total == 5
    assert ids(first) == ["a002", "a001"] and ids(second) == ["a005", "a003"]
    assert [hit.rank for hit in second.hits] == [3, 4]


def test_facets_count_the_whole_result_set(engine):
    page = search(engine, "", per_page=1)
    facets = {facet.name: {v.value: v.count for v in facet.values} for facet in page.facets}
    assert facets["source"] == {"Japan Times": 2, "Kyodo": 1, "Reuters": 1}
    assert facets["year"] == {"2001": 1, "2002": 2, "2003": 1}
    assert facets["tags"] == {"Japan": 2, "Russia": 1}
    assert page.timeline_unit == "month"
    assert (page.timeline[0].label, page.timeline[-1].label) == ("2001-03", "2003-02")
    assert len(page.timeline) == 24 and sum(b.count for b in page.timeline) == 4


def test_snippets_mark_matched_words(engine):
    page = search(engine, '"peace treaty" -Kunashiri')
    marked = [part.text for part in page.hits[0].snippet if part.match]
    assert marked == ["peace", "treaty"]
    assert page.hits[0].snippet_text.startswith("Koizumi and Putin")


def test_update_by_id_never_duplicates(engine):
    changed = article(1, "Koizumi to visit Russia", "Now about a summit in Moscow.")
    with engine.writer(timeout=5) as writer:
        writer.add([changed])
    assert engine.count() == 5
    assert ids(search(engine, "Moscow")) == ["a001"]
    assert ids(search(engine, '"peace treaty"')) == []


def test_delete_and_get(engine):
    assert engine.get("a001").byline == "Kyodo"
    assert engine.get("a001").published.value.date() == date(2002, 6, 27)
    with engine.writer(timeout=5) as writer:
        writer.delete(["a001"])
    with pytest.raises(ArticleNotFound):
        engine.get("a001")
    assert sorted(engine.ids()) == ["a002", "a003", "a004", "a005"]


def test_a_failed_write_block_changes_nothing(engine):
    with pytest.raises(RuntimeError), engine.writer(timeout=5) as writer:
        writer.add([article(9, "Never", "Never committed")])
        raise RuntimeError("boom")
    assert ids(search(engine, "committed")) == []


def test_rebuild_swaps_atomically(engine):
    before = engine.generation()
    with engine.rebuild(timeout=5) as writer:
        writer.add(CORPUS[:2])
        # the live generation keeps answering with everything until the swap
        assert engine.count() == 5
    assert engine.generation() != before
    assert engine.count() == 2


def test_a_failed_rebuild_leaves_the_live_index(engine):
    before = engine.generation()
    with pytest.raises(RuntimeError), engine.rebuild(timeout=5) as writer:
        writer.add(CORPUS[:1])
        raise RuntimeError("interrupted")
    assert engine.generation() == before and engine.count() == 5


def test_a_second_writer_waits_then_fails_clearly(engine):
    holding = threading.Event()
    release = threading.Event()

    def hold():
        with engine.writer(timeout=5) as writer:
            writer.add(CORPUS[:1])
            holding.set()
            release.wait(10)

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        assert holding.wait(10)
        with (
            pytest.raises(IndexBusy, match="another process is writing"),
            engine.writer(timeout=0.3) as writer,
        ):
            writer.add(CORPUS[:1])
    finally:
        release.set()
        thread.join()


def test_searches_see_commits_without_reopening(engine):
    assert search(engine, "Moscow").total == 0
    with engine.writer(timeout=5) as writer:
        writer.add([article(7, "Moscow talks", "Talks in Moscow.")])
    assert ids(search(engine, "Moscow")) == ["a007"]


def test_scan_returns_every_hit_in_order(engine):
    request = SearchRequest(sort="oldest")
    assert [hit.id for hit in engine.scan(build(request), request)] == [
        "a002",
        "a001",
        "a005",
        "a003",
        "a004",
    ]


def test_an_interrupted_rebuild_is_continued(engine):
    with pytest.raises(RuntimeError), engine.rebuild(timeout=5) as writer:
        assert not writer.resumed
        writer.add(CORPUS[:2])
        writer.commit()
        writer.add(CORPUS[2:3])
        raise RuntimeError("interrupted")
    assert engine.count() == 5
    with engine.rebuild(timeout=5) as writer:
        assert writer.resumed
        writer.add(CORPUS[3:4])
    # what the interrupted build committed stays; what it had not committed is gone
    assert sorted(engine.ids()) == ["a001", "a002", "a004"]


def test_similar_articles_share_words_and_leave_the_article_out(engine):
    related = engine.similar("a002", 3)
    assert [hit.id for hit in related] == ["a003"]  # both are about Hokkaido
    with pytest.raises(ArticleNotFound):
        engine.similar("nope", 3)


def test_example_searches_come_from_the_archive_and_each_finds_something(engine):
    found = examples(lambda request: engine.search(build(request), request))
    queries = [example.query for example in found]
    assert 'source:"Japan Times"' in queries  # the most frequent source
    assert "tags:Japan" in queries  # the most frequent tag
    assert any(query.startswith("date:") for query in queries)
    assert any(" OR " in query for query in queries)
    assert any(query.startswith('"') for query in queries)  # a phrase from a headline
    for query in queries:
        assert search(engine, query).total > 0, query


ABBREVIATIONS = [
    article(11, "Assembly vote", "The U.N. Security Council met on Monday."),
    article(12, "Trade talks", "U.S. officials said the tariffs would stay."),
    article(13, "Briefing", "A U.S envoy arrived late."),
    article(14, "Inbox", "Readers may send an e-mail to the desk."),
    article(15, "Profile", "A well-known singer opened the festival."),
    article(16, "Morning", "The market opened at 9 a.m. and closed early."),
]
#: words as a user would type them, and the article that contains them (in another form)
TYPED = {
    "U.N.": "a011",
    "U.N": "a011",
    "UN": "a011",
    "u.n.": "a011",
    "U.S.": "a012",
    "U.S": "a012",
    "US": "a012",
    "e-mail": "a014",
    "well-known": "a015",
    "a.m.": "a016",
    "A.M": "a016",
}


def test_abbreviations_and_hyphenated_words_find_their_articles(engine):
    with engine.writer(timeout=5) as writer:
        writer.add(ABBREVIATIONS)
    for typed, expected in TYPED.items():
        for mode in ("all", "any"):
            found = ids(search(engine, typed, mode=mode))
            assert expected in found, (typed, mode, found)
    # U.S., U.S and US are one word
    assert sorted(ids(search(engine, "U.S"))) == ["a012", "a013"]
    assert sorted(ids(search(engine, '"U.S. officials"'))) == ["a012"]
    assert ids(search(engine, '"well-known singer"')) == ["a015"]
    # the words as written (prefixes, fuzzy words) split by the same rule
    for typed, expected in {"U.N*": "a011", "un*": "a011", "US*": "a012", "U.S.~": "a012"}.items():
        assert expected in ids(search(engine, typed)), typed
    assert "a016" in ids(search(engine, "am*"))  # a.m. is a word there too


def test_words_are_marked_as_the_engine_matches_them(engine):
    from archive.search.highlight import marked

    def marks(q, n):
        tree = build(SearchRequest(q=q))
        found = engine.get(f"a{n:03d}")
        page = marked(found.title, found.body, *engine.words(tree, found))
        runs = [part for runs in (page.title, *page.paragraphs) for part in runs]
        assert "".join(part.text for part in page.paragraphs[0]) == found.body
        return [part.text for part in runs if part.match]

    assert marks('"peace treaty" -Koizumi', 1) == ["peace", "treaty"]
    assert marks("koiz*", 1) == ["Koizumi", "Koizumi"]
    assert marks("visits", 1) == ["visit"]
    assert marks("hokkaido -festival", 3) == ["Hokkaido", "Hokkaido"]
    assert marks("date:2003", 3) == []


# every capability the archive offers, on every engine --------------------------------------


def test_every_engine_has_every_capability_of_the_protocol():
    from archive.engines.base import Engine
    from archive.engines.opensearch import OpenSearchEngine
    from archive.engines.whoosh import WhooshEngine

    capabilities = [
        name for name in vars(Engine) if not name.startswith("_") and callable(vars(Engine)[name])
    ]
    assert {"search", "words", "similar", "suggest", "complete"} <= set(capabilities)
    for engine in (WhooshEngine, OpenSearchEngine):
        missing = [name for name in capabilities if not callable(getattr(engine, name, None))]
        assert not missing, (engine.__name__, missing)


def test_suggestions_are_the_nearest_words_the_archive_holds(engine):
    suggested = engine.suggest(["Koizmi", "Putin", "festivl", "tourizm", "treatys", "the", "xq"])
    # headline words first (koizumi, tourism), then the text's words as written (festival);
    # words the archive holds, by themselves or by their stem (treaties), are left alone
    assert suggested == {"Koizmi": "koizumi", "festivl": "festival", "tourizm": "tourism"}


def test_completions_end_in_headline_words_and_find_headlines(engine):
    found = engine.complete("koi", 5)
    assert found.queries == ("koizumi",)
    assert found.titles == (("a001", "Koizumi to visit Russia"),)
    assert engine.complete("koizumi vi", 5).queries == ("koizumi visit",)
    after_a_space = engine.complete("visit ", 5)
    assert after_a_space.queries == () and [i for i, _ in after_a_space.titles] == ["a001"]
    assert engine.complete("zzz", 5).titles == ()


EXPLAINED = [
    "Koizumi Putin",
    '"peace treaty" -Kunashiri',
    "NOT Koizumi",
    "date:2002 Koizumi",
    "koiz*",
    "Koizmi~",
    "title:visit OR festival",
    "tags:japan",
    "source:Reuters OR Putin",
]
FIELDS = {"title", "body", "byline", "source", "tags", "language", "year", "format"}


@pytest.mark.parametrize("q", EXPLAINED)
def test_explain_gives_every_hit_reasons_adding_up_to_its_score(engine, q):
    page = search(engine, q, explain=True)
    assert page.hits, q
    for hit in page.hits:
        assert hit.explain, (q, hit.id)
        assert sum(m.score for m in hit.explain) == pytest.approx(hit.score, rel=1e-5)
        assert {m.field for m in hit.explain} <= FIELDS | {"not", "date", "any"}
    assert search(engine, q).hits[0].explain == ()  # only when asked


def test_explain_says_which_words_in_which_field_and_what_each_added(engine):
    (hit,) = search(engine, "Koizumi", explain=True).hits
    found = {(m.field, m.word, m.count): m.score for m in hit.explain}
    assert set(found) == {("title", "koizumi", 1), ("body", "koizumi", 1)}
    assert found["title", "koizumi", 1] > found["body", "koizumi", 1]  # the headline weighs 2
    (hit,) = search(engine, "Hokkaido -Kunashiri", explain=True).hits
    assert ("not", "kunashiri") in {(m.field, m.word) for m in hit.explain}
    (hit,) = search(engine, "date:2002 Koizumi", explain=True).hits
    assert ("date", "2002-01-01 to 2002-12-31") in {(m.field, m.word) for m in hit.explain}


def test_feedback_reorders_with_words_of_the_best_answers_and_never_changes_matches(engine):
    from dataclasses import replace

    request = SearchRequest(q="Hokkaido Putin", mode="any", expand=True, explain=True)
    plain = engine.search(build(request), request)
    with_feedback = open_engine(replace(engine.settings, feedback="always"))
    try:
        reranked = with_feedback.search(build(request), request)
    finally:
        with_feedback.close()
    assert sorted(ids(reranked)) == sorted(ids(plain)) and reranked.total == plain.total
    for before, after in zip(
        sorted(plain.hits, key=lambda h: h.id),
        sorted(reranked.hits, key=lambda h: h.id),
        strict=True,
    ):
        assert after.score >= before.score
        added = {m.word for m in after.explain} - {m.word for m in before.explain}
        assert added, after.id  # words feedback added, named in the explanation
        assert sum(m.score for m in after.explain) == pytest.approx(after.score, rel=1e-5)
    # off by default: the request alone does not turn it on
    assert {m.word for h in plain.hits for m in h.explain} <= {"hokkaido", "putin"}
