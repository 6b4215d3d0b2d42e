"""RM3 query expansion, engine-neutral: the relevance model and its interpolation."""

from __future__ import annotations

import math

import pytest

from archive.search.expansion import Feedback, expansion_weights, idf, relevance_model


def test_relevance_model_prefers_words_of_high_scoring_documents():
    documents = [(3.0, {"volcano": 2, "ash": 2}), (1.0, {"election": 4})]
    model = relevance_model(documents, lambda word: 1.0, words=10)
    assert model["volcano"] == pytest.approx(0.375) and model["election"] == pytest.approx(0.25)
    assert sum(model.values()) == pytest.approx(1.0)


def test_idf_keeps_words_found_everywhere_out():
    documents = [(1.0, {"said": 5, "volcano": 1})]
    frequencies = {"said": 100, "volcano": 3}
    model = relevance_model(documents, lambda w: idf(frequencies[w], 100), words=10)
    assert list(model) == ["volcano"]


def test_only_the_best_words_are_kept():
    documents = [(1.0, {f"w{i}": i + 1 for i in range(30)})]
    assert len(relevance_model(documents, lambda w: 1.0, words=5)) == 5


def test_no_feedback_without_positive_scores():
    assert relevance_model([], lambda w: 1.0, 10) == {}
    assert relevance_model([(0.0, {"a": 1})], lambda w: 1.0, 10) == {}


def test_interpolation_keeps_the_query_at_the_original_weight():
    model = {"ash": 0.75, "cloud": 0.25}
    half = expansion_weights(4.0, model, Feedback(original_weight=0.5))
    assert half == {"ash": 3.0, "cloud": 1.0}
    assert expansion_weights(4.0, model, Feedback(original_weight=1.0)) == {
        "ash": 0.0,
        "cloud": 0.0,
    }


def test_idf():
    assert idf(10, 100) == pytest.approx(math.log(10))
    assert idf(0, 100) == 0.0 and idf(100, 100) == 0.0


def test_pruned_relevance_model_equals_the_full_one():
    import random

    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=100, deadline=None)
    @given(st.integers(0, 10_000), st.integers(1, 30))
    def check(seed, words):
        rng = random.Random(seed)
        vocabulary = [f"w{i}" for i in range(60)]
        documents = [
            (rng.random() * 5, {w: rng.randrange(1, 6) for w in rng.sample(vocabulary, 15)})
            for _ in range(rng.randrange(1, 10))
        ]
        frequencies = {w: rng.randrange(1, 1000) for w in vocabulary}
        weigh = lambda w: idf(frequencies[w], 1000)  # noqa: E731
        full = relevance_model(documents, weigh, words)
        assert relevance_model(documents, weigh, words, max_idf=idf(1, 1000)) == full

    check()


def test_the_feedback_setting_is_checked():
    from archive.config import Settings
    from archive.errors import ArchiveError

    assert Settings().feedback == "never"
    assert Settings.load({"NEWSARCHIVE_FEEDBACK": "always"}).feedback == "always"
    with pytest.raises(ArchiveError, match="NEWSARCHIVE_FEEDBACK"):
        Settings(feedback="sometimes")


def test_feedback_weighs_only_the_words_looked_for(tmp_path):
    """A word taken away (``oil -gas``: an AND-NOT) is not one of the words feedback
    weighs the query by."""
    from archive.config import Settings
    from archive.engines import open_engine
    from archive.engines.whoosh.feedback import positive_words
    from archive.query import parse

    engine = open_engine(Settings(data_dir=tmp_path))
    query = engine.compiler.compile(parse("oil prices -gas", mode="any"))
    assert sorted(word.text for word in positive_words(query)) == ["oil", "price"]
    engine.close()
