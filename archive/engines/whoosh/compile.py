"""Compiling the engine-neutral query tree into Whoosh queries.

Words and phrases are analysed as each field indexes them (stemmed in headline and body).
Prefixes and fuzzy words are matched against the words as written: the headline's
(``words``) and the body's (``body_words``) surface forms, lower-cased and accent-folded
but not stemmed, so ``negotiat*`` finds "negotiations" (indexed as the stem ``negoti``) and
``recesion~`` finds "recession". The surface forms found select the articles; each is
scored as the stem it indexes to, exactly as if the word had been typed (``Surface``).
A fuzzy word also matches what the word itself matches.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from datetime import time as clock

from whoosh import query as wq
from whoosh.fields import Schema

from archive.engines.whoosh.expand import Expansion, Surface
from archive.engines.whoosh.phrase import OrderedPhrase
from archive.engines.whoosh.rank import FieldsTerm
from archive.engines.whoosh.schema import EXACT, FIELD_BOOSTS, SURFACE
from archive.querytree import (
    DEFAULT_FIELDS,
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


class Compiler:
    """Turns a tree into a Whoosh query, analysing words as each field indexes them."""

    def __init__(self, schema: Schema) -> None:
        self.schema = schema

    def compile(self, node: Node) -> wq.Query:
        return self._node(node).normalize()

    def _node(self, node: Node) -> wq.Query:
        if isinstance(node, MatchAll):
            return wq.Every()
        if isinstance(node, And):
            return self._and(node)
        if isinstance(node, Or):
            parts = _repeats_weigh([self._node(child) for child in node.children])
            return wq.Or(parts) if parts else wq.NullQuery
        if isinstance(node, Not):
            inner = self._node(node.child).normalize()
            return wq.NullQuery if inner is wq.NullQuery else wq.Not(inner)
        if isinstance(node, Exact):
            return wq.Term(EXACT[node.field], node.value)
        if isinstance(node, DateRange):
            return _date_range(node)
        return self._across_fields(node)

    def _and(self, node: And) -> wq.Query:
        """All the parts, then the negated ones taken away (``AndNot``). Words that analyse
        to nothing (stop words) drop out instead of making the AND fail; an AND of
        negations alone starts from every article. (Whoosh's own ``And`` cannot hold
        ``Every``: normalising it turns the whole AND into ``Every``.)"""
        kept = [child for child in node.children if not isinstance(child, Not | MatchAll)]
        negated = [child.child for child in node.children if isinstance(child, Not)]
        parts = _repeats_weigh([self._node(child) for child in kept])
        excluded = [
            q for child in negated if (q := self._node(child).normalize()) is not wq.NullQuery
        ]
        if parts:
            base: wq.Query = parts[0] if len(parts) == 1 else wq.And(parts)
        elif excluded or any(isinstance(child, MatchAll) for child in node.children):
            base = wq.Every()  # only negations (or "every article") are left
        else:
            return wq.NullQuery
        if not excluded:
            return base
        return wq.AndNot(base, excluded[0] if len(excluded) == 1 else wq.Or(excluded))

    def _across_fields(self, node: Term | Phrase | Prefix | Fuzzy) -> wq.Query:
        fields = DEFAULT_FIELDS if node.field is None else (node.field,)
        if isinstance(node, Prefix | Fuzzy):
            return self._expanding(node, fields)
        if isinstance(node, Term) and len(fields) > 1:
            combined = self._bm25f(node.text, fields)
            if combined is not None:
                return combined
        parts = [self._in_field(node, name) for name in fields]
        parts = [part for part in parts if part is not wq.NullQuery]
        if not parts:
            return wq.NullQuery
        return parts[0] if len(parts) == 1 else wq.Or(parts)

    def _in_field(self, node: Term | Phrase, name: str) -> wq.Query:
        boost = FIELD_BOOSTS.get(name, 1.0)
        words = [w for word in _words_of(node) for w in self._analyse(name, word)]
        if not words:
            return wq.NullQuery
        if len(words) == 1:
            return wq.Term(name, words[0], boost=boost)
        if isinstance(node, Phrase) and node.slop:
            return OrderedPhrase(name, words, slop=node.slop + 1, boost=boost)
        return wq.Phrase(name, words, boost=boost)

    def _expanding(self, node: Prefix | Fuzzy, fields: tuple[str, ...]) -> wq.Query:
        """A prefix or fuzzy word: surface forms in headline and body, the field itself in
        fields that are not stemmed (names); a fuzzy word also as the word itself."""
        distance = node.distance if isinstance(node, Fuzzy) else None
        stemmed = tuple(name for name in fields if name in SURFACE)
        itself = wq.NullQuery
        if distance and stemmed:
            itself = self._across_fields(Term(node.text, node.field))
        parts: list[wq.Query] = [itself]
        if stemmed:
            text = self._fold(SURFACE[stemmed[0]], node.text)
            if text:
                weights = {name: FIELD_BOOSTS.get(name, 1.0) for name in stemmed}
                exclude = itself.text if isinstance(itself, wq.Term) else None
                parts.append(Surface(text, distance, weights, exclude))
        for name in fields:
            if name not in SURFACE and (text := self._fold(name, node.text)):
                parts.append(Expansion(name, text, distance, FIELD_BOOSTS.get(name, 1.0)))
        parts = [part for part in parts if part is not wq.NullQuery]
        if not parts:
            return wq.NullQuery
        return parts[0] if len(parts) == 1 else wq.Or(parts)

    def _bm25f(self, text: str, fields: tuple[str, ...]) -> wq.Query | None:
        """One word over fields that analyse it alike, scored once with BM25F; ``None``
        when the fields disagree on its index form or it becomes several words."""
        forms = {tuple(self._analyse(name, text)) for name in fields}
        if len(forms) != 1:
            return None
        words = forms.pop()
        if not words:
            return wq.NullQuery
        if len(words) > 1:
            return None
        weights = {name: FIELD_BOOSTS.get(name, 1.0) for name in fields}
        return FieldsTerm(weights, words[0], main="body" if "body" in fields else fields[0])

    def _analyse(self, name: str, text: str) -> list[str]:
        analyzer = self.schema[name].analyzer
        return [token.text for token in analyzer(text, mode="query")]

    def _fold(self, name: str, text: str) -> str:
        """A word as ``name`` holds words, stop words kept (for prefixes and fuzzy words)."""
        analyzer = self.schema[name].analyzer
        folded = [token.text for token in analyzer(text, mode="index", removestops=False)]
        return folded[0] if folded else ""


def _words_of(node: Term | Phrase) -> tuple[str, ...]:
    return (node.text,) if isinstance(node, Term) else node.words


def _repeats_weigh(parts: list[wq.Query]) -> list[wq.Query]:
    """Drop empty parts and merge repeats into one part weighted by how often it occurs,
    so a word the query repeats counts more (BM25's query term frequency) instead of
    being deduplicated away."""
    counts = Counter(part for part in parts if part is not wq.NullQuery)
    merged = []
    for part, count in counts.items():
        merged.append(part if count == 1 else part.with_boost(part.boost * count))
    return merged


def _date_range(node: DateRange) -> wq.Query:
    start = _epoch(node.start, clock.min) if node.start else None
    end = _epoch(node.end, clock.max) if node.end else None
    return wq.NumericRange("ts", start, end)


def _epoch(day: date, moment: clock) -> int:
    return int(datetime.combine(day, moment, tzinfo=UTC).timestamp())
