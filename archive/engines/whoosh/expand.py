"""Prefixes and fuzzy words on Whoosh: the index terms they expand to.

``Expansion`` is a prefix or fuzzy word over one field; ``Surface`` one over the words as
written of the stemmed fields (``schema.SURFACE``), matching the articles that hold
one of the forms found and scoring them as those forms' stems. ``compile`` makes them;
``bound_expansions`` replaces them by their terms, at most ``MAX_EXPANSION`` each.
Fuzzy words are found by walking an edit-distance automaton along a segment's sorted terms,
counting a swap of neighbours as one edit (Whoosh's own automaton counts it as two, and
its slow path, used on an index of several segments, as one).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from typing import Any

from whoosh import query as wq
from whoosh.automata.fsa import ANY, EPSILON, NFA
from whoosh.lang.porter2 import stem as english_stem

from archive.engines.whoosh.schema import SURFACE
from archive.querytree import FUZZY_PREFIX, MAX_EXPANSION


class TooSlow(Exception):
    """The search ran past its time budget."""


class Expansion(wq.Query):
    """Index terms of one field starting with ``text`` (``distance`` None) or within
    ``distance`` edits of it (Damerau: a swap of two letters is one edit), at most
    ``MAX_EXPANSION`` of them, the first in alphabetical order. ``bound_expansions``
    replaces it by those terms."""

    def __init__(self, field: str, text: str, distance: int | None, boost: float = 1.0) -> None:
        self.fieldname = field
        self.text = text
        self.distance = distance
        self.boost = boost

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and vars(other) == vars(self)

    def __hash__(self) -> int:
        return hash((type(self), self.fieldname, self.text, self.distance, self.boost))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.fieldname!r}, {self.text!r}, {self.distance})"

    def words(self, reader: Any, field: str | None = None) -> list[str]:
        """The index terms of ``field`` (this one by default) this word expands to."""
        field = field or self.fieldname
        if field not in reader.schema:
            return []
        if self.distance is None:
            found: Iterable[str] = (
                reader.schema[field].from_bytes(b) for b in reader.expand_prefix(field, self.text)
            )
        else:
            found = sorted(
                {word for leaf, _ in reader.leaf_readers() for word in within(leaf, field, self)}
            )
        return [word for _, word in zip(range(MAX_EXPANSION), found, strict=False)]

    def expand(self, reader: Any) -> wq.Query:
        terms = [wq.Term(self.fieldname, word) for word in self.words(reader)]
        return wq.Or(terms, boost=self.boost) if terms else wq.NullQuery

    def estimate_size(self, reader: Any) -> int:
        return int(self.expand(reader).estimate_size(reader))

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        return self.expand(searcher.reader()).matcher(searcher, context)


class Stems(wq.Or):
    """The stems of the words as written a prefix or fuzzy word found, in the fields they
    are scored in: they score the articles the words select, and are not what the query
    looks for (snippets mark the words found, not every word with their stems)."""


class Surface(Expansion):
    """A prefix or fuzzy word over the surface forms of stemmed fields (``weights``: field
    -> weight). It matches the articles holding one of the forms it expands to, and scores
    them by the stems of those forms in each field, leaving out ``exclude`` (the stem the
    fuzzy word itself is searched as, scored there)."""

    def __init__(
        self,
        text: str,
        distance: int | None,
        weights: dict[str, float],
        exclude: str | None = None,
        boost: float = 1.0,
    ) -> None:
        super().__init__("+".join(weights), text, distance, boost)
        self.weights = weights
        self.exclude = exclude

    def __hash__(self) -> int:
        return hash((type(self), self.text, self.distance, self.boost, self.exclude))

    def expand(self, reader: Any) -> wq.Query:
        # an index written before a surface field existed: the field's own stems, as then
        fields = [
            SURFACE[name] if SURFACE[name] in reader.schema else name for name in self.weights
        ]
        found = [(field, word) for field in fields for word in self.words(reader, field)]
        if not found:
            return wq.NullQuery
        forms = {english_stem(w) if f in SURFACE.values() else w for f, w in found}
        stems = sorted(forms - {self.exclude})
        if not stems:
            return wq.NullQuery
        # each field scored on its own (BM25), as a prefix always was here and is on
        # OpenSearch, which cannot tell the stems of the forms found apart
        scored = [
            wq.Term(name, stem, boost=weight * self.boost)
            for stem in stems
            for name, weight in self.weights.items()
        ]
        # boost 0 on each term: Whoosh ignores the boost of an OR of one
        selected = wq.Or([wq.Term(field, word, boost=0.0) for field, word in found])
        return wq.And([selected, Stems(scored)])


def within(reader: Any, field: str, word: Expansion) -> Iterator[str]:
    """The terms of ``field`` in one segment's ``reader`` within ``word.distance`` edits of
    ``word.text`` (insertions, deletions, substitutions and swaps of neighbours), found by
    walking an automaton along the sorted terms (``FUZZY_PREFIX`` first letters agree)."""
    if field not in reader.indexed_field_names():
        return
    text, distance = word.text, word.distance or 0
    dfa = _edits_automaton(text, distance, min(FUZZY_PREFIX, len(text))).to_dfa()
    cursor = reader.cursor(field)
    term = cursor.text()
    while term is not None:
        match = dfa.next_valid_string(term)
        if not match:
            return
        cursor.find(match)
        term = cursor.text()
        if term is None:
            return
        if match == term:
            yield term
            term += "\0"


def _edits_automaton(term: str, k: int, prefix: int) -> NFA:
    """Whoosh's Levenshtein automaton plus transpositions (restricted Damerau, as Lucene's)."""
    nfa = NFA((0, 0))
    for i in range(prefix):
        nfa.add_transition((i, 0), term[i], (i + 1, 0))
    for i in range(prefix, len(term)):
        for e in range(k + 1):
            nfa.add_transition((i, e), term[i], (i + 1, e))
            if e < k:
                nfa.add_transition((i, e), ANY, (i, e + 1))
                nfa.add_transition((i, e), EPSILON, (i + 1, e + 1))
                nfa.add_transition((i, e), ANY, (i + 1, e + 1))
                if i + 1 < len(term):
                    nfa.add_transition((i, e), term[i + 1], (i, e, 1))
                    nfa.add_transition((i, e, 1), term[i], (i + 2, e + 1))
    for e in range(k + 1):
        if e < k:
            nfa.add_transition((len(term), e), ANY, (len(term), e + 1))
        nfa.add_final_state((len(term), e))
    return nfa


def bound_expansions(query: wq.Query, reader: object, deadline: float | None = None) -> wq.Query:
    """Replace each prefix and fuzzy word by the index terms it matches, at most
    ``MAX_EXPANSION`` of them, so a short prefix cannot blow up a search; raises
    ``TooSlow`` when expanding runs past ``deadline`` (a ``time.perf_counter`` instant)."""

    def expand(node: wq.Query) -> wq.Query:
        if deadline is not None and time.perf_counter() > deadline:
            raise TooSlow
        if isinstance(node, Expansion):
            return node.expand(reader)
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
