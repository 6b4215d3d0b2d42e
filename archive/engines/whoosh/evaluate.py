"""Running a Whoosh query on arrays: every match and its score, at once.

Every query the archive makes (a word scored with BM25F over headline and body, terms,
prefixes and fuzzy words, AND, OR, NOT, AND-MAYBE, phrases, date ranges, everything; for
searches, related articles, feedback and completion) is evaluated here on a ``View``'s
arrays of document numbers and scores, with the BM25 arithmetic of ``rank`` and the scores
Whoosh's matchers would give (tests/test_whoosh_evaluate.py compares the two on random
queries). Whoosh's matchers never run: a query of a kind not listed here is a programming
error (``Unsupported``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from whoosh import query as wq

from archive.engines.whoosh.arrays import View
from archive.engines.whoosh.expand import Expansion, Stems, TooSlow, bound_expansions
from archive.engines.whoosh.phrase import OrderedPhrase, phrase_docs
from archive.engines.whoosh.rank import (
    FieldsTerm,
    Okapi,
    fields_frequency,
    fields_idf,
    length_norm,
    rsj_idf,
    saturate,
)

#: a union of more than one in this many documents is added up over all documents
_DENSE_SHARE = 16


class Unsupported(TypeError):
    """A query of a kind the evaluator does not run (the archive never makes one)."""


@dataclass(frozen=True)
class Matches:
    """Matching documents (global numbers, ascending) and their scores."""

    docs: np.ndarray
    scores: np.ndarray

    def __len__(self) -> int:
        return len(self.docs)

    def take(self, keep: np.ndarray) -> Matches:
        return Matches(self.docs[keep], self.scores[keep])


NOTHING = Matches(np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64))


def evaluate(view: View, query: wq.Query, budget: float | None = None) -> Matches:
    """Every live document ``query`` matches, with its score."""
    deadline = time.perf_counter() + budget if budget else None
    return Evaluator(view, deadline).run(query)


def ranked(view: View, matches: Matches, sort: str, limit: int | None) -> np.ndarray:
    """Positions in ``matches`` of the first ``limit`` (all when ``None``) in ``sort`` order:
    relevance (score, then document number), or newest/oldest (dated first, then time)."""
    docs = matches.docs
    if sort in ("newest", "oldest"):
        dated = view.numbers("dated")[docs]
        when = view.numbers("ts")[docs]
        keys = (docs, -when if sort == "newest" else when, -dated)
        order = np.lexsort(keys)
        return order if limit is None else order[:limit]
    scores = matches.scores
    candidates = np.arange(len(docs))
    if limit is not None and limit < len(docs):
        # everything scoring at least the limit-th best score, ties included
        threshold = np.partition(scores, len(scores) - limit)[len(scores) - limit]
        candidates = np.flatnonzero(scores >= threshold)
    order = candidates[np.lexsort((docs[candidates], -scores[candidates]))]
    return order if limit is None else order[:limit]


class Evaluator:
    def __init__(self, view: View, deadline: float | None) -> None:
        self.view = view
        self.searcher = view.searcher
        self.schema = view.searcher.schema
        self.deadline = deadline
        weighting = view.searcher.weighting
        self.okapi = weighting if isinstance(weighting, Okapi) else Okapi()

    def run(self, query: wq.Query) -> Matches:
        self._check_clock()
        if query is wq.NullQuery or isinstance(query, type(wq.NullQuery)):
            return NOTHING
        if isinstance(query, FieldsTerm):
            return self._fields_term(query)
        if type(query) is wq.Term:
            return self._term(query)
        if isinstance(query, wq.MultiTerm | Expansion):  # a prefix or fuzzy word: its terms
            return self.run(bound_expansions(query, self.searcher.reader()))
        if isinstance(query, (wq.And, wq.Or)) and len(query.subqueries) == 1:
            return self.run(query.subqueries[0])  # as Whoosh: no boost for a lone child
        if type(query) is wq.And:
            return self._and(query)
        if type(query) in (wq.Or, Stems) and not query.scale:
            parts = [self.run(sub) for sub in query.subqueries]
            return _boosted(_union(parts, self.view.size), query.boost)
        if isinstance(query, wq.Not):
            return self._not(query)
        if type(query) is wq.AndNot:
            kept = self.run(query.a)
            excluded = self.run(query.b).docs
            return kept.take(~np.isin(kept.docs, excluded, assume_unique=True))
        if type(query) is wq.AndMaybe:
            return with_optional(self.run(query.a), self.run(query.b))
        if type(query) is wq.Every and query.fieldname in (None, "", "*"):
            docs = np.flatnonzero(self.view.live).astype(np.int64)
            return Matches(docs, np.full(len(docs), float(query.boost)))
        if self._is_date_range(query):
            return self._date_range(query)
        if type(query) in (wq.Phrase, OrderedPhrase):
            return self._phrase(query)
        raise Unsupported(f"the array evaluator does not run {type(query).__name__} queries")

    # words -----------------------------------------------------------------------------

    def _term(self, query: wq.Term) -> Matches:
        """A term in one field: BM25 (``whoosh.scoring.BM25FScorer``), or the term's
        weight in a field that is not scored, times the query's boost."""
        name = query.fieldname
        if name not in self.schema:
            return NOTHING
        field = self.schema[name]
        btext = field.to_bytes(query.text)
        docs, weights = self.view.postings(name, btext)
        if not field.scorable:
            return Matches(docs, weights * query.boost)
        idf = rsj_idf(self.view.doc_frequency(name, btext), self.view.size)
        average = self.searcher.avg_field_length(name) or 1
        norm = length_norm(self.view.lengths(name)[docs], average, self.okapi.field_b_of(name))
        scores = saturate(weights, norm, idf, self.okapi.k1)
        return _boosted(Matches(docs, scores), query.boost)

    def _fields_term(self, query: FieldsTerm) -> Matches:
        """A word over several fields scored once with BM25F (``rank``)."""
        parts, idf = self.field_parts(query)
        if not parts:
            return NOTHING
        pseudo = _union([part for part, _ in parts.values()], self.view.size)
        return Matches(pseudo.docs, saturate(pseudo.scores, 1.0, idf, self.okapi.k1))

    def field_parts(self, query: FieldsTerm) -> tuple[dict[str, tuple[Matches, np.ndarray]], float]:
        """A BM25F word's parts, by field: the documents holding it there with the field's
        weighted, length-normalised frequency (``rank.fields_frequency``) and the plain
        frequencies; and the word's idf times the query's boost."""
        okapi = self.okapi
        parts = {}
        counts = []
        for name, weight in query.weights.items():
            if name not in self.schema:
                continue
            btext = self.schema[name].to_bytes(query.text)
            docs, frequencies = self.view.postings(name, btext)
            counts.append(self.view.doc_frequency(name, btext))
            if not len(docs):
                continue
            average = self.searcher.avg_field_length(name) or 1.0
            norm = length_norm(self.view.lengths(name)[docs], average, okapi.field_b_of(name))
            parts[name] = (Matches(docs, fields_frequency(frequencies, weight, norm)), frequencies)
        return parts, fields_idf(counts, self.view.size) * query.boost

    def _has_positions(self, name: str) -> bool:
        if name not in self.schema:
            return False
        field = self.schema[name]
        return bool(field.format and field.format.supports("positions"))

    def _phrase(self, query: wq.Phrase) -> Matches:
        """Words in a row (``phrase``), scored as the sum of the words' scores; in a field
        that keeps no positions (tags), all the words."""
        if query.fieldname not in self.schema:
            return NOTHING
        field = self.schema[query.fieldname]
        try:
            words = [field.to_bytes(word) for word in query.words]
        except ValueError:
            return NOTHING
        parts = [self._term(wq.Term(query.fieldname, word)) for word in query.words]
        candidates = _intersect(parts)
        if not len(candidates) or not self._has_positions(query.fieldname):
            return _boosted(candidates, query.boost)
        ordered = isinstance(query, OrderedPhrase)
        keep = phrase_docs(self.view, query.fieldname, words, query.slop, candidates.docs, ordered)
        return _boosted(candidates.take(keep), query.boost)

    # connectives -------------------------------------------------------------------------

    def _and(self, query: wq.And) -> Matches:
        """All the parts; a NOT part removes its matches and, as in Whoosh, adds 1 to
        each score (the score of its inverse matcher)."""
        plain = [sub for sub in query.subqueries if not isinstance(sub, wq.Not)]
        negated = [sub for sub in query.subqueries if isinstance(sub, wq.Not)]
        if not plain:
            return _boosted(_intersect([self._not(sub) for sub in negated]), query.boost)
        result = _intersect([self.run(sub) for sub in plain])
        for sub in negated:
            excluded = self.run(sub.query).docs
            keep = ~np.isin(result.docs, excluded, assume_unique=True)
            result = Matches(result.docs[keep], result.scores[keep] + 1.0)
        return _boosted(result, query.boost)

    def _not(self, query: wq.Not) -> Matches:
        keep = self.view.live.copy()
        keep[self.run(query.query).docs] = False
        docs = np.flatnonzero(keep).astype(np.int64)
        return Matches(docs, np.ones(len(docs)))

    # dates -------------------------------------------------------------------------------

    def _is_date_range(self, query: wq.Query) -> bool:
        return (
            isinstance(query, wq.NumericRange)
            and query.fieldname == "ts"
            and "dated" in self.schema
            and query.constantscore
        )

    def _date_range(self, query: Any) -> Matches:
        """Publication times in a range: only dated articles have one."""
        when = self.view.numbers("ts")
        keep = self.view.live & (self.view.numbers("dated") == 1)
        if query.start is not None:
            keep &= when > query.start if query.startexcl else when >= query.start
        if query.end is not None:
            keep &= when < query.end if query.endexcl else when <= query.end
        docs = np.flatnonzero(keep).astype(np.int64)
        return Matches(docs, np.full(len(docs), float(query.boost)))

    def _check_clock(self) -> None:
        if self.deadline is not None and time.perf_counter() > self.deadline:
            raise TooSlow


def _union(parts: list[Matches], size: int) -> Matches:
    """Documents matching any part, each part's score added (``size``: documents in all)."""
    parts = [part for part in parts if len(part)]
    if not parts:
        return NOTHING
    if len(parts) == 1:
        return parts[0]
    found = np.concatenate([part.docs for part in parts])
    weights = np.concatenate([part.scores for part in parts])
    if len(found) * _DENSE_SHARE >= size:  # a pass over every document beats a sort
        totals = np.bincount(found, weights=weights, minlength=size)
        seen = np.zeros(size, dtype=bool)
        seen[found] = True
        docs = np.flatnonzero(seen)
        return Matches(docs, totals[docs])
    unique, inverse = np.unique(found, return_inverse=True)
    return Matches(unique, np.bincount(inverse, weights=weights, minlength=len(unique)))


def _intersect(parts: list[Matches]) -> Matches:
    """Documents matching every part, each part's score added."""
    parts = sorted(parts, key=len)
    result = parts[0]
    for part in parts[1:]:
        docs, mine, theirs = np.intersect1d(
            result.docs, part.docs, assume_unique=True, return_indices=True
        )
        result = Matches(docs, result.scores[mine] + part.scores[theirs])
    return result


def with_optional(required: Matches, optional: Matches) -> Matches:
    """``required``'s matches, each with the score of ``optional`` added where it matches
    too (Whoosh's AND-MAYBE)."""
    if not len(optional) or not len(required):
        return required
    found = np.minimum(np.searchsorted(optional.docs, required.docs), len(optional) - 1)
    hit = optional.docs[found] == required.docs
    return Matches(required.docs, required.scores + np.where(hit, optional.scores[found], 0.0))


def _boosted(matches: Matches, boost: float) -> Matches:
    return matches if boost == 1.0 else Matches(matches.docs, matches.scores * boost)
