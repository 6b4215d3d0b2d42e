"""Ranking: BM25F over headline and body, the Robertson–Spärck Jones idf, query term
frequency, the Snowball stop words, and RM3 feedback that reorders without changing matches."""

from __future__ import annotations

import math

import pytest

from archive.config import Settings
from archive.engines import open_engine
from archive.engines.whoosh.compile import Compiler
from archive.engines.whoosh.rank import FieldsTerm, rsj_idf
from archive.engines.whoosh.schema import schema
from archive.models import Article, SearchRequest
from archive.query import build, question

CORPUS = [
    Article("a1", "Volcano erupts in Iceland", "Ash from the volcano grounded flights."),
    Article("a2", "Flights resume", "Airlines said flights resumed after the ash cloud moved."),
    Article("a3", "Iceland election", "Voters in Iceland chose a new parliament on Saturday."),
    Article("a4", "Fishing quotas", "Iceland and Norway agreed fishing quotas for cod."),
    Article("a5", "Ash cloud", "The ash cloud from the volcano spread over Europe."),
    Article("a6", "Markets", "Shares rose as flights resumed across Europe."),
]


@pytest.fixture
def engine(tmp_path):
    # feedback on, so that the searches that ask for it get it
    engine = open_engine(Settings(data_dir=tmp_path, feedback="always"))
    with engine.writer(timeout=5) as writer:
        writer.add(CORPUS)
    yield engine
    engine.close()


def search(engine, q, **kwargs):
    request = SearchRequest(q=q, **kwargs)
    return engine.search(build(request), request)


def test_rsj_idf_is_small_for_words_everywhere_and_large_for_rare_ones():
    assert rsj_idf(100, 100) == pytest.approx(math.log(1 + 0.5 / 100.5))
    assert rsj_idf(1, 100) > 4 * rsj_idf(50, 100)
    assert rsj_idf(100, 100) > 0


def test_a_bare_word_is_one_bm25f_term_over_headline_and_body():
    query = Compiler(schema()).compile(question(SearchRequest(q="volcanoes")))
    assert isinstance(query, FieldsTerm)
    assert query.text == "volcano" and query.weights == {"title": 2.0, "body": 1.0}


def test_repeated_words_weigh_more_instead_of_being_dropped():
    compiled = Compiler(schema()).compile(question(SearchRequest(q="ash ash volcano", mode="any")))
    boosts = {part.text: part.boost for part in compiled.children()}
    assert boosts == {"ash": 2.0, "volcano": 1.0}


def test_headline_and_body_together_outrank_body_alone(engine):
    ranked = [hit.id for hit in search(engine, "volcano").hits]
    assert ranked[0] == "a1" and set(ranked) == {"a1", "a5"}


def test_a_word_counted_once_per_field_not_saturated_twice(engine):
    page = search(engine, "iceland", explain=True)
    top = page.hits[0]
    assert top.id in ("a1", "a3")
    assert sum(match.score for match in top.explain) == pytest.approx(top.score, rel=1e-6)


def test_question_words_are_stop_words_in_all_mode(engine):
    assert [hit.id for hit in search(engine, "what about the Norway cod").hits] == ["a4"]


def test_feedback_reorders_but_never_changes_what_matches(engine):
    plain = search(engine, "ash flights", mode="any")
    expanded = search(engine, "ash flights", mode="any", expand=True)
    assert [hit.score for hit in plain.hits] != [hit.score for hit in expanded.hits]
    assert plain.total == expanded.total
    assert {hit.id for hit in plain.hits} == {hit.id for hit in expanded.hits}
    assert search(engine, "ash flights", expand=True).total == search(engine, "ash flights").total
    negated = search(engine, "ash -volcano", mode="any", expand=True)
    assert [hit.id for hit in negated.hits] == ["a2"]
