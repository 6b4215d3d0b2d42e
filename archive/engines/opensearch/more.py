"""Reading aids on OpenSearch: related articles, spelling suggestions and completions.

As on the embedded engine (``whoosh.more``), with the cluster's own tools:

* ``similar_query``: OpenSearch's more-like-this query over headline and text (up to
  ``SIMILAR_WORDS`` characteristic words), the article and its copies left out.

* ``suggest``: one search holds, for each word, a filter aggregation saying whether the
  archive holds it (a headline word as written, or the word's stem in the text) and term
  suggesters over the headlines' and the text's words as written (``title.surface``,
  ``body.surface``); of a word the archive does not hold, the nearest word it does, first
  among the headlines', is chosen by the rule both engines share
  (``archive.search.spelling.closest``).
* ``complete``: the headline words starting with the last word typed, the most frequent
  first (a terms aggregation over ``title.surface`` limited to them), and the headlines
  matching everything typed (the words typed, and a word starting with the last one).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from opensearchpy import OpenSearch
from opensearchpy.exceptions import RequestError

from archive import words
from archive.engines.opensearch.mapping import MIN_WORD
from archive.models import Completion
from archive.search.spelling import closest
from archive.stopwords import ENGLISH

log = logging.getLogger(__name__)

#: characteristic words of an article that make up its "more like this" query
SIMILAR_WORDS = 25
#: candidates the term suggester offers per word and field (the nearest is chosen here)
CANDIDATES = 20
#: the fields suggestions come from, in the order they are tried
SUGGEST_FIELDS = ("title.surface", "body.surface")
#: the analyser of the words as written at query time (``mapping``)
SURFACE_QUERY = "archive_surface_query"


def similar_query(index: str, article_id: str, group: str) -> dict[str, Any]:
    """Articles about what ``article_id`` is about (its characteristic words, frequent in it
    and rare in the archive), without it and the other articles of its ``group``."""
    like = {
        "more_like_this": {
            "fields": ["title", "body"],
            "like": [{"_index": index, "_id": article_id}],
            "max_query_terms": SIMILAR_WORDS,
            "min_term_freq": 1,
            "min_doc_freq": 2,
            "minimum_should_match": 1,
        }
    }
    unlike = [{"ids": {"values": [article_id]}}, {"term": {"group": group}}]
    return {"bool": {"must": [like], "must_not": unlike}}


def checked(candidates: Sequence[str]) -> list[str]:
    """The words worth checking, as the embedded engine checks them: one word of letters
    each, not a stop word."""
    return [
        word
        for word in candidates
        if word.isalpha()
        and len(words.split(word)) == 1
        and len(word) >= MIN_WORD
        and word.lower() not in ENGLISH
    ]


def suggest_body(checked_words: Sequence[str]) -> dict[str, Any]:
    """One search answering, for each word, whether the archive holds it and which words
    it holds near it."""
    aggs = {
        f"held{number}": {
            "filter": {
                "bool": {
                    "should": [
                        {"match": {"title.surface": {"query": word, "operator": "and"}}},
                        {"match": {"body": {"query": word, "operator": "and"}}},
                    ],
                    "minimum_should_match": 1,
                }
            }
        }
        for number, word in enumerate(checked_words)
    }
    suggesters = {
        f"w{number}-{field}": {
            "text": word,
            "term": {
                "field": field,
                "suggest_mode": "always",
                "size": CANDIDATES,
                "max_edits": 2,
                "prefix_length": 1,
                "min_word_length": 1,
                "string_distance": "levenshtein",
            },
        }
        for number, word in enumerate(checked_words)
        for field in SUGGEST_FIELDS
    }
    return {"size": 0, "track_total_hits": False, "aggs": aggs, "suggest": suggesters}


def suggestions(response: Mapping[str, Any], checked_words: Sequence[str]) -> dict[str, str]:
    """word -> the suggested word, from the answer to ``suggest_body``."""
    aggs = response.get("aggregations") or {}
    suggested = response.get("suggest") or {}
    out: dict[str, str] = {}
    for number, word in enumerate(checked_words):
        if aggs.get(f"held{number}", {}).get("doc_count", 0):
            continue
        for field in SUGGEST_FIELDS:
            entries = suggested.get(f"w{number}-{field}") or []
            if len(entries) != 1:  # the word analysed to other than one word
                break
            text = str(entries[0]["text"])
            options = [(str(o["text"]), int(o.get("freq", 0))) for o in entries[0]["options"]]
            better = closest(text, options)
            if better:
                out[word] = better
                break
    return out


def typed_parts(prefix: str) -> tuple[str, str]:
    """What is typed before the last word, and the last word ("" after a space)."""
    typed = prefix.split()
    if not typed or prefix.endswith(" "):
        return " ".join(typed), ""
    return " ".join(typed[:-1]), typed[-1]


def completion_body(head: str, start: str, limit: int) -> dict[str, Any] | None:
    """The search for completions of ``head`` followed by a word starting with ``start``
    (``start`` as the words as written hold it, from ``analyzed``); ``None`` when nothing
    is typed."""
    if not head.strip() and not start:
        return None
    selects: list[dict[str, Any]] = []
    scores: list[dict[str, Any]] = []
    if head.strip():
        # headline words as the headline indexes them (stop words out); only stop words
        # typed before a word being typed ask for nothing
        scores.append(
            {
                "match": {
                    "title.surface": {
                        "query": head,
                        "operator": "and",
                        "analyzer": "archive_surface",
                        "zero_terms_query": "all" if start else "none",
                    }
                }
            }
        )
    body: dict[str, Any] = {
        "size": limit,
        "_source": ["id", "title"],
        "track_total_hits": False,
        "sort": [{"_score": "desc"}, {"id": "asc"}],
    }
    if start:
        starting = {"prefix": {"title.surface": {"value": start}}}
        selects.append(starting)
        body["aggs"] = {"words": _starting_words(starting, start, limit)}
    body["query"] = {"bool": {"must": scores or [{"match_all": {}}], "filter": selects}}
    return body


def _starting_words(starting: dict[str, Any], start: str, limit: int) -> dict[str, Any]:
    """The most frequent headline words starting with ``start``, over the whole archive."""
    words_found = {
        "terms": {
            "field": "title.surface",
            "include": f"{re.escape(start)}.*",
            "size": limit,
            "order": [{"_count": "desc"}, {"_key": "asc"}],
        }
    }
    return {
        "global": {},
        "aggs": {"starting": {"filter": starting, "aggs": {"words": words_found}}},
    }


def analyzed(response: Mapping[str, Any]) -> str:
    """The last word typed as the words as written hold it, from an ``_analyze`` answer."""
    return "".join(str(token["token"]) for token in response.get("tokens", []))


def completion_words(response: Mapping[str, Any], head: str) -> tuple[str, ...]:
    """The queries offered: ``head`` followed by each headline word found."""
    found = (response.get("aggregations") or {}).get("words", {})
    buckets = found.get("starting", {}).get("words", {}).get("buckets", [])
    start = f"{head} " if head else ""
    return tuple(f"{start}{bucket['key']}" for bucket in buckets)


def completion_titles(response: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    """(id, headline) of the headlines found."""
    return tuple(
        (str(hit["_source"]["id"]), str(hit["_source"].get("title") or ""))
        for hit in response["hits"]["hits"]
    )


class _Unmapped(Exception):
    """The live generation was built before the words as written were indexed."""


@contextmanager
def _written_words() -> Iterator[None]:
    """Requests reading the words as written: an index built before them refuses those
    (``_Unmapped``), which is said once in the log; other errors pass."""
    try:
        yield
    except RequestError as exc:
        said = f"{exc} {exc.info}"
        if not any(sign in said for sign in ("no mapping found", "Fielddata is disabled")):
            raise
        log.warning(
            "the index was built before suggestions and completions could be offered "
            "(%s); run `newsarchive reindex`",
            exc.error,
        )
        raise _Unmapped from None


def suggest(client: OpenSearch, index: str, candidates: Sequence[str]) -> dict[str, str]:
    """Corrections for the words of ``candidates`` the archive does not hold (one search);
    none on an index built before the words as written."""
    checked_words = checked(candidates)
    if not checked_words:
        return {}
    try:
        with _written_words():
            response = client.search(index=index, body=suggest_body(checked_words))
    except _Unmapped:
        return {}
    return suggestions(response, checked_words)


def complete(client: OpenSearch, index: str, prefix: str, limit: int) -> Completion:
    """Ways to finish ``prefix``: queries ending in a headline word, and matching headlines
    (the last word typed analysed by the cluster, then one search); none on an index built
    before the words as written."""
    head, last = typed_parts(prefix)
    start = ""
    if last:
        request = {"analyzer": SURFACE_QUERY, "text": last}
        start = analyzed(client.indices.analyze(index=index, body=request))
    body = completion_body(head, start, limit)
    if body is None:
        return Completion(prefix=prefix)
    try:
        with _written_words():
            response = client.search(index=index, body=body)
    except _Unmapped:
        return Completion(prefix=prefix)
    return Completion(prefix, completion_words(response, head), completion_titles(response))
