"""The OpenSearch engine's parts that need no server: the query compiler, the snippet
splitter, health in words, index names and a clear error when no cluster answers."""

from __future__ import annotations

import re
import socket

import pytest

from archive.config import Settings
from archive.engines.opensearch import OpenSearchEngine
from archive.engines.opensearch.cluster import describe_health
from archive.engines.opensearch.compile import compile_tree, highlight_tree
from archive.engines.opensearch.highlight import POST, PRE, snippet
from archive.engines.opensearch.mapping import STOP_WORDS as OPENSEARCH_STOP_WORDS
from archive.engines.whoosh.schema import text_analyzer
from archive.errors import ArchiveError, EngineUnavailable
from archive.models import SearchRequest, SnippetPart
from archive.query import build
from archive.search import highlight


def compiled(q: str, **kwargs):
    return compile_tree(build(SearchRequest(q=q, **kwargs)))


def test_both_engines_drop_the_same_stop_words():
    whoosh_stops = next(item.stops for item in text_analyzer().items if hasattr(item, "stops"))
    assert set(OPENSEARCH_STOP_WORDS) == set(whoosh_stops)


def test_a_word_is_scored_once_over_headline_and_text():
    assert compiled("Putin") == {
        "match_phrase": {"text": {"query": "putin", "slop": 0, "boost": 1.0}}
    }
    # phrases search each field, the headline boosted
    assert compiled('"peace treaty"') == {
        "bool": {
            "should": [
                {"match_phrase": {"title": {"query": "peace treaty", "slop": 0, "boost": 2.0}}},
                {"match_phrase": {"body": {"query": "peace treaty", "slop": 0, "boost": 1.0}}},
            ],
            "minimum_should_match": 1,
        }
    }
    # with slop, the words stay in order (match_phrase alone would let them swap)
    assert compiled('byline:"jane doe"~2') == {
        "bool": {
            "must": [{"match_phrase": {"byline": {"query": "jane doe", "slop": 2, "boost": 1.0}}}],
            "filter": [
                {
                    "intervals": {
                        "byline": {"match": {"query": "jane doe", "max_gaps": 2, "mode": "ordered"}}
                    }
                }
            ],
        }
    }


def test_a_repeated_word_weighs_more():
    putin = compiled("Putin")
    assert compiled("Putin putin Kunashiri") == {
        "bool": {"must": [{"bool": {"must": [putin], "boost": 2}}, compiled("Kunashiri")]}
    }


def test_snippets_mark_only_positive_matches_in_the_body():
    marked = highlight_tree(build(SearchRequest(q='"peace treaty" -Kunashiri title:visit')))
    assert marked == {
        "body": {"match_phrase": {"body": {"query": "peace treaty", "slop": 0, "boost": 1.0}}}
    }
    assert highlight_tree(build(SearchRequest(q="", sources=("Kyodo",)))) is None


def test_stop_words_drop_out_instead_of_failing_the_query():
    assert compiled("the Kunashiri") == compiled("Kunashiri")
    assert compiled("the OR of") is None
    assert compiled("-the") == {"match_all": {}}
    # names keep every word: "the" is a real word of a source's name
    assert compiled("source:the") is not None


def test_not_goes_to_must_not():
    query = compiled("Hokkaido -Kunashiri")
    assert query["bool"]["must"] == [compiled("Hokkaido")]
    assert query["bool"]["must_not"] == [compiled("Kunashiri")]


def test_prefixes_and_fuzzy_words_look_at_words_as_written_and_share_the_clause_budget():
    title = compiled("São*")["bool"]["should"][0]["bool"]
    prefix = {"query": "São*", "analyze_wildcard": True}
    # OpenSearch folds the word with the field's own analyser, as it folded the text; the
    # words as written select (every one), the headline's stems starting so score
    assert title["filter"] == [
        {
            "query_string": {
                **prefix,
                "fields": ["title.surface"],
                "rewrite": "constant_score",
                "boost": 1.0,
            }
        }
    ]
    # where no stem starting so scores an article, its words as written do, weighed down
    # (each of the four expansions, stems and words as written in headline and text, takes
    # a quarter of the clauses a query may hold)
    written = {**prefix, "fields": ["title.surface"], "rewrite": "top_terms_256", "boost": 0.02}
    assert title["should"] == [
        {
            "dis_max": {
                "queries": [
                    {
                        "query_string": {
                            **prefix,
                            "fields": ["title"],
                            "rewrite": "top_terms_256",
                            "boost": 2.0,
                        }
                    },
                    {"query_string": written},
                ]
            }
        }
    ]
    four = compiled("un* co* st* re*")["bool"]["must"]
    assert {
        query["query_string"]["rewrite"]
        for part in four
        for query in part["bool"]["should"][1]["bool"]["should"][0]["dis_max"]["queries"]
    } == {"top_terms_64"}
    itself, title, body = compiled("Koizmi~2")["bool"]["should"]
    assert itself == compiled("Koizmi")
    fuzzy = body["match"]["body.surface"]
    assert fuzzy["query"] == "Koizmi" and fuzzy["fuzziness"] == 2 and fuzzy["prefix_length"] == 1
    assert title["match"]["title.surface"]["boost"] == 2.0
    # snippets mark the words as written that a prefix found, words and phrases by stems
    assert highlight_tree(build(SearchRequest(q="oil São*"))) == {
        "body": {"match_phrase": {"body": {"query": "oil", "slop": 0, "boost": 1.0}}},
        "body.surface": {
            "query_string": {
                **prefix,
                "fields": ["body.surface"],
                "rewrite": "top_terms_512",
                "boost": 1.0,
            }
        },
    }


def test_filters_and_dates():
    assert compiled("", languages=("pt",)) == {"term": {"language": "pt"}}
    assert compiled("", sources=("Japan Times",)) == {"term": {"source.exact": "Japan Times"}}
    assert compiled("date:2001") == {
        "range": {
            "published": {"gte": "2001-01-01T00:00:00.000Z", "lte": "2001-12-31T23:59:59.999Z"}
        }
    }


def marked(parts):
    return [part.text for part in parts if part.match]


def test_snippets_split_the_highlighted_body_into_runs():
    body = "Koizumi and Putin agreed on a\npeace treaty timetable."
    tagged = f"Koizumi and Putin agreed on a\n{PRE}peace treaty{POST} timetable."
    parts = snippet(body, [tagged])
    assert marked(parts) == ["peace", "treaty"]
    # the passage ends with its last word, as the embedded engine's do
    assert "".join(part.text for part in parts) == " ".join(body.split())[:-1] + " …"
    assert SnippetPart(" ") in parts


def test_snippets_are_chosen_by_the_shared_highlighter():
    body = "First sentence here. " + "Filler words go on. " * 20 + "Last word is treaty here."
    tagged = body.replace("sentence", f"{PRE}sentence{POST}").replace(
        "treaty", f"{PRE}treaty{POST}"
    )
    parts = snippet(body, [tagged])
    text = "".join(part.text for part in parts)
    assert text.startswith("First sentence here. Filler")
    assert " … " in text and "Last word is treaty here" in text
    assert marked(parts) == ["sentence", "treaty"]
    words = [
        highlight.Token(m.start(), m.end(), m.group().lower(), m.group() in ("sentence", "treaty"))
        for m in re.finditer(r"\w+", body)
    ]
    assert parts == highlight.snippet(body, words)


def test_snippets_fall_back_to_the_lede():
    body = "word " * 100
    lede = snippet(body, [])
    assert len(lede) == 1 and not lede[0].match and lede[0].text.endswith(" …")
    # text that holds the tag characters itself is never split on them
    odd = f"A {PRE}strange{POST} body"
    assert snippet(odd, [f"A {PRE}{PRE}strange{POST}{POST} body"]) == (SnippetPart(odd),)


def test_health_in_words():
    assert describe_health({"status": "green"}) == "ok"
    yellow = describe_health({"status": "yellow", "number_of_nodes": 1, "unassigned_shards": 2})
    assert yellow.startswith("degraded: cluster yellow, 2 replica shard(s) unassigned")
    assert describe_health({"status": "red"}).startswith("failing: cluster red")


def test_index_names_are_checked():
    with pytest.raises(ArchiveError, match="not a valid index name"):
        OpenSearchEngine(Settings(engine="opensearch", opensearch_index="News Archive"))


def test_an_unreachable_cluster_is_a_clear_error(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    engine = OpenSearchEngine(Settings(data_dir=tmp_path, engine="opensearch", opensearch_url=url))
    with pytest.raises(EngineUnavailable, match=f"OpenSearch at {url} cannot be reached"):
        engine.search(build(SearchRequest(q="putin")), SearchRequest(q="putin"))
    with pytest.raises(EngineUnavailable), engine.writer(timeout=1) as writer:
        writer.add([])
    engine.close()


def test_bm25_parameters_are_the_embedded_engines():
    from archive.engines.opensearch import mapping
    from archive.engines.whoosh import rank

    assert (mapping.K1, mapping.B) == (rank.K1, rank.B)
    similarity = mapping.index_body(1, 0, 10)["settings"]["index"]["similarity"]["default"]
    assert similarity == {"type": "BM25", "k1": rank.K1, "b": rank.B}


def test_an_index_built_before_the_words_as_written_offers_no_suggestions_instead_of_failing(
    caplog,
):
    from opensearchpy.exceptions import RequestError

    from archive.engines.opensearch import more

    class Old:
        """A cluster whose live generation has no ``title.surface``."""

        class indices:
            @staticmethod
            def analyze(index, body):
                return {"tokens": [{"token": "koi"}]}

        @staticmethod
        def search(index, body):
            reason = {"reason": "no mapping found for field [title.surface]"}
            info = {"error": {"root_cause": [reason]}}
            raise RequestError(400, "search_phase_execution_exception", info)

    assert more.suggest(Old(), "x", ["Koizmi"]) == {}
    assert more.complete(Old(), "x", "koi", 5).queries == ()
    assert "newsarchive reindex" in caplog.text

    class Broken(Old):
        @staticmethod
        def search(index, body):
            raise RequestError(400, "parsing_exception", "something else")

    with pytest.raises(RequestError):
        more.suggest(Broken(), "x", ["Koizmi"])
