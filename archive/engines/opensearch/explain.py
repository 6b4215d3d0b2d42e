"""Why a hit ranks where it does, on OpenSearch: the cluster's explanation as ``Match``es.

A search with ``explain`` has each hit's ``_explanation``: Lucene's account of its score,
a tree whose scoring leaves are a word or phrase in a field (``weight(body:oil in 3)``,
with how often it occurs), every article (``*:*``), a date range or a constant-scoring
part; the leaves add up to the hit's score. They become ``Match``es in the embedded
engine's shape (``whoosh.explain``): the query language's field names, the word as the
field indexes it, its count and what it added. A bare word is scored once over ``text``
(the headline twice and the body once, under one length normalisation, ``mapping``), so
its score is shared between headline and body in proportion to what each adds to its
frequency there (twice the headline's occurrences, once the body's), as the embedded
engine shares a BM25F word's score; the occurrences come from the hit's term vectors
(``vectors_body``). The parts a NOT at the top of the query takes away are named too
("without ..."), adding nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from opensearchpy import OpenSearch

from archive.engines.opensearch.mapping import FIELD_BOOSTS
from archive.models import Hit, Match
from archive.querytree import And, Exact, Fuzzy, Node, Not, Or, Phrase, Prefix, Term

#: index fields by the name the query language gives them
FIELD_NAMES = {
    "title.surface": "title",
    "body.surface": "body",
    "source.exact": "source",
    "byline.exact": "byline",
    "tags.exact": "tags",
}
#: the fields a bare word's ``text`` score is shared between
SHARED = ("title", "body")
_WEIGHT = re.compile(r"^weight\((?P<inner>.+) in \d+\) \[")
_FREQUENCY = re.compile(r"(?:phraseFreq|freq)=([0-9.]+)")
_RANGE = re.compile(r"^published:\[(?P<low>-?\d+) TO (?P<high>-?\d+)\]")
_WRAPPED = re.compile(r"^(?:ConstantScore|Synonym)\((?P<inner>.*)\)(?:\^[0-9.]+)?$")
#: relative difference between a node's value and its parts' sum taken as rounding
_ROUNDING = 1e-5


def vectors_body(ids: Sequence[str]) -> dict[str, Any]:
    """The term vectors of the headline and body of the hits ``ids``."""
    return {
        "ids": list(ids),
        "parameters": {
            "fields": list(SHARED),
            "positions": False,
            "offsets": False,
            "term_statistics": False,
            "field_statistics": False,
        },
    }


def counts_from(response: Mapping[str, Any]) -> dict[str, dict[str, dict[str, int]]]:
    """hit id -> field -> word -> occurrences, from the answer to ``vectors_body``."""
    found: dict[str, dict[str, dict[str, int]]] = {}
    for doc in response.get("docs", []):
        vectors = doc.get("term_vectors") or {}
        found[str(doc.get("_id"))] = {
            field: {
                word: int(stats["term_freq"]) for word, stats in vectors[field]["terms"].items()
            }
            for field in SHARED
            if field in vectors
        }
    return found


def without(tree: Node) -> tuple[Match, ...]:
    """What every hit is without: the NOT parts at the top of ``tree``, named."""
    negated = [tree] if isinstance(tree, Not) else []
    if isinstance(tree, And):
        negated = [child for child in tree.children if isinstance(child, Not)]
    return tuple(Match("not", _named(part.child), 0, 0.0) for part in negated)


def explain_hit(
    explanation: Mapping[str, Any],
    counts: Mapping[str, Mapping[str, int]],
    negated: Sequence[Match] = (),
) -> tuple[Match, ...]:
    """A hit's matches, best first, from its ``_explanation`` and its term ``counts``."""
    found = [match for leaf, value in _leaves(explanation) for match in _match(leaf, value, counts)]
    found.extend(negated)
    return tuple(sorted(found, key=lambda match: (-match.score, match.field, match.word)))


def _leaves(
    node: Mapping[str, Any], scale: float = 1.0
) -> Iterator[tuple[Mapping[str, Any], float]]:
    """The scoring leaves under ``node`` with what each adds (parts adding nothing are left
    out; a node whose parts do not add up to it has them scaled to it)."""
    value = float(node.get("value") or 0.0) * scale
    details = node.get("details") or []
    if not value:
        return
    description = str(node.get("description", ""))
    if description.startswith("weight(") or not details:
        yield node, value
        return
    if description.startswith("max of"):  # a dis_max: the best part is what counts
        details = [max(details, key=lambda detail: float(detail.get("value") or 0.0))]
    total = sum(float(detail.get("value") or 0.0) for detail in details)
    factor = (
        1.0
        if abs(total * scale - value) <= _ROUNDING * abs(value)
        else value / (total * scale or 1.0)
    )
    for detail in details:
        yield from _leaves(detail, scale * factor)


def _match(
    leaf: Mapping[str, Any], value: float, counts: Mapping[str, Mapping[str, int]]
) -> list[Match]:
    description = str(leaf.get("description", ""))
    weight = _WEIGHT.match(description)
    if weight is None:
        return [_condition(description, value)]
    field, word = _field_and_word(weight["inner"])
    count = _frequency(leaf)
    if field == "text":
        return _shared(word, value, count, counts)
    return [Match(FIELD_NAMES.get(field, field), word, count, value)]


def _shared(
    word: str, value: float, count: int, counts: Mapping[str, Mapping[str, int]]
) -> list[Match]:
    """A bare word's ``text`` score shared between headline and body."""
    occurrences = {field: counts.get(field, {}).get(word, 0) for field in SHARED}
    parts = {field: FIELD_BOOSTS[field] * n for field, n in occurrences.items() if n}
    total = sum(parts.values())
    if not total:  # no term vectors to share it by
        return [Match("body", word, count, value)]
    return [
        Match(field, word, occurrences[field], value * part / total)
        for field, part in parts.items()
    ]


def _condition(description: str, value: float) -> Match:
    """A part without a word's weight: every article, a date range, a constant score."""
    if description.startswith("*:*"):
        return Match("any", "every article", 1, value)
    dates = _RANGE.match(description)
    if dates is not None:
        return Match("date", f"{_day(dates['low'])} to {_day(dates['high'])}", 1, value)
    field, word = _field_and_word(description)
    return Match(FIELD_NAMES.get(field, field), word, 1, value)


def _field_and_word(inner: str) -> tuple[str, str]:
    """``body``, ``peac treati`` from ``body:"peac treati"~2``, ``Synonym(body:a body:b)``."""
    wrapped = _WRAPPED.match(inner)
    if wrapped is not None:
        inner = wrapped["inner"]
    field, _, rest = inner.partition(":")
    text = " ".join(rest.split(f" {field}:")).strip()
    return field, re.sub(r"~\d+$", "", text).strip('"')


def _frequency(leaf: Mapping[str, Any]) -> int:
    """How often the word or phrase occurs, from the leaf's ``freq=`` (1 if not given)."""
    stack = [leaf]
    while stack:
        node = stack.pop()
        found = _FREQUENCY.search(str(node.get("description", "")))
        if found:
            return max(1, round(float(found[1])))
        stack.extend(node.get("details") or [])
    return 1


def _day(milliseconds: str) -> str:
    """A range bound as a day; an open bound as "…"."""
    value = int(milliseconds)
    if abs(value) >= 2**62:
        return "…"
    return datetime.fromtimestamp(value / 1000, UTC).date().isoformat()


def _named(node: Node) -> str:
    """The words a negated part looks for, for naming it."""
    return " ".join(dict.fromkeys(_words(node))) or "…"


def _words(node: Node) -> Iterator[str]:
    if isinstance(node, Term | Prefix | Fuzzy):
        yield node.text.lower()
    elif isinstance(node, Phrase):
        yield f"“{' '.join(node.words).lower()}”"
    elif isinstance(node, Exact):
        yield node.value
    elif isinstance(node, And | Or):
        for child in node.children:
            yield from _words(child)


def explained(
    client: OpenSearch,
    index: str,
    response: Mapping[str, Any],
    hits: tuple[Hit, ...],
    negated: Sequence[Match] = (),
) -> tuple[Hit, ...]:
    """``hits`` (those of ``response``, a search with ``explain``) with their matches, the
    headline's and body's word counts read in one request."""
    raw = response["hits"]["hits"]
    if not raw:
        return hits
    found = client.mtermvectors(index=index, body=vectors_body([item["_id"] for item in raw]))
    counts = counts_from(found)
    return tuple(
        replace(
            hit,
            explain=explain_hit(
                item.get("_explanation") or {}, counts.get(item["_id"], {}), negated
            ),
        )
        for hit, item in zip(hits, raw, strict=True)
    )
