"""Compiling the engine-neutral query tree into Whoosh queries."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time

from whoosh import query as wq
from whoosh.fields import Schema

from archive.engines.whoosh.rank import FieldsTerm
from archive.engines.whoosh.schema import EXACT, FIELD_BOOSTS
from archive.querytree import (
    DEFAULT_FIELDS,
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
            return wq.Not(self._node(node.child))
        if isinstance(node, Exact):
            return wq.Term(EXACT[node.field], node.value)
        if isinstance(node, DateRange):
            return _date_range(node)
        return self._across_fields(node)

    def _and(self, node: And) -> wq.Query:
        # words that analyse to nothing (stop words) do not make an AND fail
        parts = _repeats_weigh([self._node(child) for child in node.children])
        return wq.And(parts) if parts else wq.NullQuery

    def _across_fields(self, node: Term | Phrase | Prefix | Fuzzy) -> wq.Query:
        fields = DEFAULT_FIELDS if node.field is None else (node.field,)
        if isinstance(node, Term) and len(fields) > 1:
            combined = self._bm25f(node.text, fields)
            if combined is not None:
                return combined
        parts = [self._in_field(node, name) for name in fields]
        parts = [part for part in parts if part is not wq.NullQuery]
        if not parts:
            return wq.NullQuery
        return parts[0] if len(parts) == 1 else wq.Or(parts)

    def _in_field(self, node: Term | Phrase | Prefix | Fuzzy, name: str) -> wq.Query:
        boost = FIELD_BOOSTS.get(name, 1.0)
        if isinstance(node, Term):
            words = self._analyse(name, node.text)
            if not words:
                return wq.NullQuery
            if len(words) == 1:
                return wq.Term(name, words[0], boost=boost)
            return wq.Phrase(name, words, boost=boost)
        if isinstance(node, Phrase):
            words = [w for word in node.words for w in self._analyse(name, word)]
            if not words:
                return wq.NullQuery
            if len(words) == 1:
                return wq.Term(name, words[0], boost=boost)
            return wq.Phrase(name, words, slop=node.slop + 1, boost=boost)
        text = self._fold(name, node.text)
        if not text:
            return wq.NullQuery
        if isinstance(node, Prefix):
            return wq.Prefix(name, text, boost=boost)
        return wq.FuzzyTerm(name, text, boost=boost, maxdist=node.distance, prefixlength=1)

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
        """Lower-case and accent-fold a word without stemming it (for prefixes and fuzzy)."""
        analyzer = self.schema[name].analyzer
        folded = [token.text for token in analyzer(text, mode="index", removestops=False)]
        return text.lower() if not folded else _unstemmed(text.lower(), folded[0])


def _repeats_weigh(parts: list[wq.Query]) -> list[wq.Query]:
    """Drop empty parts and merge repeats into one part weighted by how often it occurs,
    so a word the query repeats counts more (BM25's query term frequency) instead of
    being deduplicated away."""
    counts = Counter(part for part in parts if part is not wq.NullQuery)
    merged = []
    for part, count in counts.items():
        merged.append(part if count == 1 else part.with_boost(part.boost * count))
    return merged


def _unstemmed(lowered: str, stemmed: str) -> str:
    """Keep the user's letters where stemming cut them (prefix ``koizumi*`` stays whole)."""
    return lowered if len(lowered) >= len(stemmed) and lowered.isalnum() else stemmed


def bound_expansions(query: wq.Query, reader: object) -> wq.Query:
    """Replace each prefix and fuzzy word by the index terms it matches, at most
    ``MAX_EXPANSION`` of them, so a short prefix cannot blow up a search."""

    def expand(node: wq.Query) -> wq.Query:
        if not isinstance(node, wq.MultiTerm):
            return node
        words = []
        for _, word in node.expanded_terms(reader):
            words.append(word)
            if len(words) >= MAX_EXPANSION:
                break
        if not words:
            return wq.NullQuery
        return wq.Or([wq.Term(node.fieldname, word, boost=node.boost) for word in words])

    return query.accept(expand)


def _date_range(node: DateRange) -> wq.Query:
    start = _epoch(node.start, time.min) if node.start else None
    end = _epoch(node.end, time.max) if node.end else None
    return wq.NumericRange("ts", start, end)


def _epoch(day: date, clock: time) -> int:
    return int(datetime.combine(day, clock, tzinfo=UTC).timestamp())
