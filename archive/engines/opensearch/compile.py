"""Compiling the engine-neutral query tree into the OpenSearch query DSL.

The rules follow the embedded engine's compiler (``whoosh.compile``), so the same query means
the same thing on both: words are analysed as each field indexes them, a word that analyses
to nothing (a stop word) drops out instead of making an AND fail, prefixes and fuzzy words
look among the words as written (``title.surface``, ``body.surface``; folded by OpenSearch
itself, as it folds what it indexes), a fuzzy word also finds what the word itself finds,
a phrase with slop keeps its words in order (``intervals``), and each prefix or fuzzy word
expands to at most ``MAX_EXPANSION`` index terms (the best-scoring ones). OpenSearch also
caps a whole query at ``MAX_CLAUSES`` terms, so a query with several prefixes shares that
budget between them.
"""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

from archive.engines.opensearch.mapping import EXACT, FIELD_BOOSTS, MIN_WORD, STOP_WORDS
from archive.querytree import (
    DEFAULT_FIELDS,
    FUZZY_PREFIX,
    MAX_EXPANSION,
    And,
    DateRange,
    Exact,
    Fuzzy,
    MatchAll,
    Node,
    Not,
    Or,
    Phrase,
    Prefix,
    Term,
)
from archive.words import is_acronym

#: fewest it may expand to when many share the budget
MIN_EXPANSION = 16
#: OpenSearch's default limit on the clauses of one query, expansions included
MAX_CLAUSES = 1024
#: fields analysed as running text (stop words and short words dropped)
TEXT_ANALYSED = ("title", "body", "text")
#: what the words as written a prefix finds weigh, beside its stems, where no stem starting
#: with the prefix scores an article
WRITTEN_WEIGHT = 0.01
#: stemmed fields whose words as written are in a ``surface`` sub-field
SURFACE_OF = ("title", "body")
#: characters the ``query_string`` syntax gives a meaning
_SPECIAL = re.compile(r'([+\-=&|><!(){}\[\]^"~*?:\\/\s])')

Query = dict[str, Any]
#: a word as OpenSearch's standard tokenizer sees it (a contraction is one word)
_WORD = re.compile(r"\w+(?:['’]\w+)*")
_STOPS = frozenset(STOP_WORDS)


def compile_tree(node: Node) -> Query | None:
    """The query for ``node``; ``None`` when it can match nothing (only stop words)."""
    expanding, fixed = _leaves(node)
    share = (MAX_CLAUSES - fixed) // max(expanding, 1)
    return _Compiler(max(MIN_EXPANSION, min(MAX_EXPANSION, share))).node(node)


def highlight_tree(node: Node) -> dict[str, Query] | None:
    """What snippets mark, by the field it is marked in: the positive words and phrases of
    ``node`` that search the body in ``body`` (stems), its prefixes and fuzzy words in
    ``body.surface`` (the words as written they found); ``None`` when nothing is."""
    marked = {
        field: query
        for field, words in (("body", True), ("body.surface", False))
        if (query := _Compiler(MAX_EXPANSION, for_snippets=True, words=words).node(node))
    }
    return marked or None


def _leaves(node: Node) -> tuple[int, int]:
    """How many clauses of the compiled query expand (prefix, fuzzy) and how many do not."""
    if isinstance(node, And | Or):
        counts = [_leaves(child) for child in node.children]
        return sum(c[0] for c in counts), sum(c[1] for c in counts)
    if isinstance(node, Not):
        return _leaves(node.child)
    if isinstance(node, Term | Phrase | Prefix | Fuzzy):
        fields = len(DEFAULT_FIELDS) if node.field is None else 1
        if isinstance(node, Fuzzy):
            return fields, fields  # the word itself, and its neighbours
        # a prefix on headline or text selects with a constant-score rewrite, which takes no
        # clauses, and is scored by the stems and the words as written starting with it,
        # which do
        return (2 * fields, 0) if isinstance(node, Prefix) else (0, fields)
    return 0, 1


class _Compiler:
    def __init__(self, expansion: int, for_snippets: bool = False, words: bool = True) -> None:
        self.expansion = expansion
        self.for_snippets = for_snippets
        #: for snippets: words and phrases (else prefixes and fuzzy words)
        self.words = words

    def node(self, node: Node) -> Query | None:
        if isinstance(node, MatchAll):
            return None if self.for_snippets else {"match_all": {}}
        if isinstance(node, And | Or):
            return self._compound(node)
        if isinstance(node, Not):
            inner = None if self.for_snippets else self.node(node.child)
            if inner is None:
                return None
            return {"bool": {"must": [{"match_all": {}}], "must_not": [inner]}}
        if self.for_snippets and isinstance(node, Exact | DateRange):
            return None
        if isinstance(node, Exact):
            return {"term": {EXACT[node.field]: node.value}}
        if isinstance(node, DateRange):
            return _date_range(node)
        return self._across_fields(node)

    def _compound(self, node: And | Or) -> Query | None:
        negated = [child.child for child in node.children if isinstance(child, Not)]
        positive = (
            node.children
            if isinstance(node, Or)
            else tuple(child for child in node.children if not isinstance(child, Not))
        )
        parts = _repeats_weigh([self.node(child) for child in positive])
        must_not = [] if self.for_snippets or isinstance(node, Or) else negated
        excluded = [part for child in must_not if (part := self.node(child)) is not None]
        if not parts and not excluded:
            return None
        if isinstance(node, Or) or self.for_snippets:
            return parts[0] if len(parts) == 1 else _should(parts) if parts else None
        if not excluded:
            return parts[0] if len(parts) == 1 else {"bool": {"must": parts}}
        return {"bool": {"must": parts or [{"match_all": {}}], "must_not": excluded}}

    def _across_fields(self, node: Term | Phrase | Prefix | Fuzzy) -> Query | None:
        fields: tuple[str, ...] = DEFAULT_FIELDS if node.field is None else (node.field,)
        if self.for_snippets:
            fields = tuple(name for name in fields if name == "body")
        elif isinstance(node, Term) and node.field is None and len(_WORD.findall(node.text)) == 1:
            # one word over headline and text, scored once (see ``mapping``)
            return _in_field(node, "text", self.expansion)
        parts = [p for name in fields if (p := self._in_field(node, name)) is not None]
        itself_too = self.words or not self.for_snippets  # marked with the words, by stems
        if isinstance(node, Fuzzy) and itself_too and set(fields) & set(SURFACE_OF):
            itself = self._across_fields(Term(node.text, node.field))
            parts = [itself, *parts] if itself is not None else parts
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else _should(parts)

    def _in_field(self, node: Term | Phrase | Prefix | Fuzzy, name: str) -> Query | None:
        if not self.for_snippets:
            return _in_field(node, name, self.expansion)
        if isinstance(node, Term | Phrase) == self.words:
            return _in_field(node, name, self.expansion, for_snippets=True)
        return None


def _should(parts: list[Query]) -> Query:
    return {"bool": {"should": parts, "minimum_should_match": 1}}


def _repeats_weigh(parts: list[Query | None]) -> list[Query]:
    """Drop empty parts and merge repeats into one part weighted by how often it occurs,
    so a word the query repeats counts more instead of being deduplicated away."""
    counts: dict[str, tuple[Query, int]] = {}
    for part in parts:
        if part is not None:
            key = json.dumps(part, sort_keys=True)
            counts[key] = (part, counts.get(key, (part, 0))[1] + 1)
    return [
        part if count == 1 else {"bool": {"must": [part], "boost": count}}
        for part, count in counts.values()
    ]


def _in_field(
    node: Term | Phrase | Prefix | Fuzzy, name: str, expansion: int, for_snippets: bool = False
) -> Query | None:
    boost = FIELD_BOOSTS.get(name, 1.0)
    if isinstance(node, Term | Phrase):
        words = (node.text,) if isinstance(node, Term) else node.words
        if not any(indexed(word, name) for word in words):
            return None
        slop = node.slop if isinstance(node, Phrase) else 0
        # lower case, as the analysers do, so that repeats differing in case are merged
        text = " ".join(words).lower()
        phrase = {"match_phrase": {name: {"query": text, "slop": slop, "boost": boost}}}
        if not slop or for_snippets:
            return phrase
        # match_phrase's slop also lets words swap places; the words stay in order here
        ordered = {
            "intervals": {name: {"match": {"query": text, "max_gaps": slop, "mode": "ordered"}}}
        }
        return {"bool": {"must": [phrase], "filter": [ordered]}}
    if for_snippets or isinstance(node, Fuzzy) or name not in SURFACE_OF:
        return _expanding(node, name, expansion, boost)
    # a prefix selects by the words as written and scores by the stems starting with it
    # (BM25), as the embedded engine scores the stems of the words found; an article whose
    # words' stems do not start with it ("pricing" is "price", short of "prici*") is scored
    # by the words as written it holds, weighed down so that it never outranks a stem
    selects = _expanding(node, name, 0, 1.0)
    stems = _expanding(node, name, expansion, boost, stems=True)
    written = _expanding(node, name, expansion, boost * WRITTEN_WEIGHT)
    if selects is None or stems is None or written is None:
        return None
    return {"bool": {"filter": [selects], "should": [{"dis_max": {"queries": [stems, written]}}]}}


def _expanding(
    node: Prefix | Fuzzy, name: str, expansion: int, boost: float, stems: bool = False
) -> Query | None:
    """A prefix or fuzzy word among the words of ``name`` as written (or with ``stems``,
    among its stems), folded by the field's own search analyser; ``expansion`` 0 matches
    every word a prefix expands to, with a constant score."""
    target = f"{name}.surface" if name in SURFACE_OF and not stems else name
    if not _WORD.search(node.text):
        return None
    if isinstance(node, Prefix):
        return {
            "query_string": {
                "query": _SPECIAL.sub(r"\\\1", node.text) + "*",
                "fields": [target],
                "analyze_wildcard": True,
                "rewrite": f"top_terms_{expansion}" if expansion else "constant_score",
                "boost": boost,
            }
        }
    return {
        "match": {
            target: {
                "query": node.text,
                "fuzziness": node.distance,
                "prefix_length": FUZZY_PREFIX,
                "max_expansions": expansion,
                "fuzzy_transpositions": True,
                "operator": "and",
                "boost": boost,
            }
        }
    }


def indexed(word: str, field: str) -> bool:
    """Whether ``word`` leaves any term after the field's analysis."""
    if is_acronym(word):
        return True
    tokens = _WORD.findall(word.lower())
    if field not in TEXT_ANALYSED:
        return bool(tokens)
    return any(len(token) >= MIN_WORD and token not in _STOPS for token in tokens)


def _date_range(node: DateRange) -> Query:
    bounds: dict[str, str] = {}
    if node.start:
        bounds["gte"] = _instant(node.start, "00:00:00.000")
    if node.end:
        bounds["lte"] = _instant(node.end, "23:59:59.999")
    return {"range": {"published": bounds}}


def _instant(day: date, clock: str) -> str:
    return f"{day.isoformat()}T{clock}Z"
