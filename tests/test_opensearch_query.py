"""The OpenSearch engine's parts that need no server: the query compiler, the snippet
splitter, health in words, index names and a clear error when no cluster answers."""

from __future__ import annotations

import re
import socket

import pytest

from archive.config import Settings
from archive.engines.opensearch import OpenSearchEngine
from archive.engines.opensearch.cluster import describe_health
from archive.engines.opensearch.compile import compile_tree, fold, highlight_tree
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
    assert compiled('byline:"jane doe"~2') == {
        "match_phrase": {"byline": {"query": "jane doe", "slop": 2, "boost": 1.0}}
    }


def test_a_repeated_word_weighs_more():
    putin = compiled("Putin")
    assert compiled("Putin putin Kunashiri") == {
        "bool": {"must": [{"bool": {"must": [putin], "boost": 2}}, compiled("Kunashiri")]}
    }


def test_snippets_mark_only_positive_matches_in_the_body():
    marked = highlight_tree(build(SearchRequest(q='"peace treaty" -Kunashiri title:visit')))
    assert marked == {"match_phrase": {"body": {"query": "peace treaty", "slop": 0, "boost": 1.0}}}
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


def test_prefixes_fold_accents_and_share_the_clause_budget():
    assert fold("São") == "sao" and fold("U.S.") == "u"
    prefix = compiled("São*")["bool"]["should"][0]["prefix"]["title"]
    assert prefix == {"value": "sao", "rewrite": "top_terms_512", "boost": 2.0}
    four = compiled("un* co* st* re*")["bool"]["must"]
    assert {part["bool"]["should"][1]["prefix"]["body"]["rewrite"] for part in four} == {
        "top_terms_128"
    }
    fuzzy = compiled("Koizmi~2")["bool"]["should"][1]["fuzzy"]["body"]
    assert fuzzy["value"] == "koizmi" and fuzzy["fuzziness"] == 2 and fuzzy["prefix_length"] == 1


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
