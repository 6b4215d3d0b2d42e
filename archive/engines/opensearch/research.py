"""The research capabilities on OpenSearch, with the cluster's own aggregations.

* ``histogram``: a ``date_histogram`` of the publication dates (UTC, weeks from Monday).
* ``match_ids``: the ids of every match, scrolled without their sources.
* ``term_counts``: ``significant_text`` on the text under a ``sampler`` of the best-ranked
  matches for words (as the embedded engine reads the same best matches), and exact
  ``significant_terms`` on the keyword fields for sources and bylines. The cluster picks
  the candidates with its nearest heuristic (``chi_square`` for G², ``jlh``); the archive's
  own ``significance`` ranks them, so both engines rank by the same arithmetic.
* ``marked_texts``: a scroll in the request's order whose highlighter returns each whole
  headline and text with the query's words tagged; the tags become character offsets.
* ``sample_texts``: a ``random_score`` with a fixed seed.

Matches are folded to one per story (``copies``) as searches fold them. numpy and the
scores are imported by ``term_counts``, which alone uses them: opening the engine for
anything else does without.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date
from typing import Any

from archive.engines.opensearch.compile import Query
from archive.engines.opensearch.highlight import highlight_body, tagged_texts, tokens
from archive.engines.opensearch.mapping import published_from
from archive.models.research import MarkedText, TermCounts

#: matches whose text is read for their words, as on the embedded engine
WORD_SAMPLE = 200
#: the candidates the cluster proposes per term asked for
CANDIDATES = 3
FIELDS = {"word": "body", "source": "source.exact", "byline": "byline.exact"}
HEURISTICS: dict[str, dict[str, Any]] = {
    "g2": {"chi_square": {"include_negatives": False, "background_is_superset": True}},
    "jlh": {"jlh": {}},
}
TEXT_FIELDS = ["id", "title", "body", "source", "meta"]
SAMPLE_SEED = 1987
#: written words analysed per request (the cluster's limit is 10,000 tokens), and how many
#: are remembered
ANALYSE_WORDS = 4000
KNOWN_WORDS = 200_000

Search = Callable[[dict[str, Any]], dict[str, Any]]
Scroll = Callable[[dict[str, Any], bool], Iterator[dict[str, Any]]]


def histogram(search: Search, query: Query, unit: str) -> dict[date, int]:
    """Dated matches per period, keyed by the period's first day (UTC)."""
    body = {
        "size": 0,
        "query": query,
        "aggs": {
            "periods": {
                "date_histogram": {
                    "field": "published",
                    "calendar_interval": unit,
                    "time_zone": "UTC",
                    "format": "yyyy-MM-dd",
                    "min_doc_count": 1,
                }
            }
        },
    }
    buckets = search(body)["aggregations"]["periods"]["buckets"]
    return {date.fromisoformat(b["key_as_string"]): int(b["doc_count"]) for b in buckets}


def match_ids(scroll: Scroll, query: Query) -> list[str]:
    return [hit["_id"] for hit in scroll({"query": query, "_source": False}, False)]


def term_counts(search: Search, query: Query, kind: str, size: int, score: str) -> TermCounts:
    """The ``size`` terms of ``kind`` that best characterise the matches of ``query`` by
    ``score``."""
    import numpy as np

    from archive.research.significance import best

    field = FIELDS[kind]
    significant: dict[str, Any] = {
        "field": field,
        "size": size * CANDIDATES,
        "min_doc_count": 2 if kind == "word" else 1,
        "shard_min_doc_count": 1,
        **HEURISTICS[score],
    }
    if kind == "word":
        aggs = {
            "sample": {
                "sampler": {"shard_size": WORD_SAMPLE},
                "aggs": {"terms": {"significant_text": significant}},
            }
        }
    else:
        aggs = {"terms": {"significant_terms": significant}}
    response = search({"size": 0, "query": query, "aggs": aggs, "track_total_hits": True})
    total = int(response["hits"]["total"]["value"])
    found = response["aggregations"]
    found = found.get("sample", found)
    fg_size = int(found["terms"].get("doc_count", 0))
    bg_size = int(found["terms"].get("bg_count", 0))
    buckets = found["terms"].get("buckets", [])
    keys = [str(b["key"]) for b in buckets]
    fg = np.array([int(b["doc_count"]) for b in buckets], dtype=np.int64)
    bg = np.array([int(b["bg_count"]) for b in buckets], dtype=np.int64)
    top = best(score, fg, fg_size, bg, bg_size, size, 2 if kind == "word" else 1, keys)
    return TermCounts(
        kind=kind,
        foreground=fg_size,
        background=bg_size,
        terms=tuple((keys[at], int(fg[at]), int(bg[at])) for at in top.tolist()),
        sample=fg_size if kind == "word" and total > fg_size else 0,
    )


class WordKeys:
    """The index word of each written word, from the cluster's analyser, remembered."""

    def __init__(self, analyse: Callable[[list[str]], dict[str, str]]) -> None:
        #: written words -> their analysed forms (``highlight.forms_from``)
        self.analyse = analyse
        self._known: dict[str, str | None] = {}
        self._lock = threading.Lock()

    def keys(self, words: Sequence[str]) -> dict[str, str]:
        """Words that analyse to nothing (stop words) or to several words are left out."""
        with self._lock:
            known = {word: self._known.get(word, "") for word in words}
        missing = [word for word, key in known.items() if key == "" and word.strip()]
        learned: dict[str, str | None] = {}
        for start in range(0, len(missing), ANALYSE_WORDS):
            chunk = missing[start : start + ANALYSE_WORDS]
            found = self.analyse(chunk)
            for word in chunk:
                form = found.get(word)
                learned[word] = form if form and " " not in form else None
        with self._lock:
            if len(self._known) + len(learned) <= KNOWN_WORDS:
                self._known.update(learned)
        known.update(learned)
        return {word: key for word, key in known.items() if key}


def marked_texts(
    scroll: Scroll, query: Query, marked: Mapping[str, Query] | None, order: list[Any]
) -> Iterator[MarkedText]:
    """Every match's headline and text in ``order``, the words of ``marked`` tagged."""
    body: dict[str, Any] = {"query": query, "sort": order, "_source": TEXT_FIELDS}
    if marked is not None:
        body["highlight"] = highlight_body(marked, ("title", "body"))
    for raw in scroll(body, True):
        yield text_from(raw)


def sample_query() -> Query:
    return {
        "function_score": {
            "query": {"match_all": {}},
            "random_score": {"seed": SAMPLE_SEED, "field": "_seq_no"},
            "boost_mode": "replace",
        }
    }


def text_from(raw: dict[str, Any]) -> MarkedText:
    source = raw.get("_source") or {}
    lights = raw.get("highlight") or {}
    title, body = source.get("title") or "", source.get("body") or ""
    return MarkedText(
        id=str(source.get("id") or raw["_id"]),
        title=title,
        body=body,
        published=published_from(source.get("meta") or {}),
        source=source.get("source"),
        title_marks=_marks(title, tagged_texts(lights, "title")),
        body_marks=_marks(body, tagged_texts(lights, "body")),
    )


def _marks(text: str, tagged: list[str]) -> tuple[tuple[int, int], ...]:
    """Offsets of the words the highlighter tagged in a whole field (its words' and
    its words as written, ``highlight.tagged_texts``), as snippets read them
    (``highlight.tokens``)."""
    if not tagged:
        return ()
    return tuple((token.start, token.end) for token in tokens(tagged, text) if token.matched)
