"""Why a hit ranks where it does: the parts of the query it matched and what each added.

The query is walked as ``evaluate`` walks it, for the hits of one page, and every part's
score is the evaluator's own (the same arrays and the same BM25F arithmetic as the
search), so the matches of a hit add up to the score the search gave it. A word over
headline and body (BM25F) has its score shared among the fields it was found in, in
proportion to what each field added to its frequency. Parts that do not hold for a hit
(an AND missing a word, a NOT whose word is there) add nothing and are left out; parts
that only select (the words as written a prefix found) add nothing and are not listed;
what a hit matches without a word to show is named: "every article", a date range, the
absence of words (the words feedback added are listed as words). Whoosh's matchers never
run: tests/test_whoosh_evaluate.py holds this to the matcher version
(tests/whoosh_explain_reference.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import numpy as np
from whoosh import query as wq

from archive.engines.whoosh.arrays import View
from archive.engines.whoosh.evaluate import Evaluator, Unsupported
from archive.engines.whoosh.expand import Expansion, Stems, bound_expansions
from archive.engines.whoosh.phrase import OrderedPhrase, phrase_counts
from archive.engines.whoosh.rank import FieldsTerm
from archive.engines.whoosh.schema import EXACT, SURFACE
from archive.models import Match

#: index fields by the name the query language gives them
FIELD_NAMES = {
    **{index: name for name, index in EXACT.items()},
    **{index: name for name, index in SURFACE.items()},
}


@dataclass(frozen=True)
class _Part:
    """One part of the query over the explained hits: whether it holds for each, what it
    adds to each score, and each hit's matches."""

    held: np.ndarray
    scores: np.ndarray
    reasons: tuple[tuple[Match, ...], ...]

    def boosted(self, boost: float) -> _Part:
        if boost == 1.0:
            return self
        return _Part(
            self.held,
            self.scores * boost,
            tuple(tuple(replace(m, score=m.score * boost) for m in ms) for ms in self.reasons),
        )


def explain(view: View, query: wq.Query, docs: Sequence[int]) -> list[tuple[Match, ...]]:
    """The matches of ``query`` (expanded: ``expand.bound_expansions``) in each of ``docs``
    (document numbers of hits), best first, in the order of ``docs``."""
    unique = np.array(sorted(set(docs)), dtype=np.int64)
    part = _Explainer(view, unique).run(query)
    found = {
        int(doc): tuple(sorted(reasons, key=lambda m: (-m.score, m.field, m.word)))
        for doc, held, reasons in zip(unique.tolist(), part.held, part.reasons, strict=True)
        if held
    }
    return [found.get(doc, ()) for doc in docs]


class _Explainer:
    def __init__(self, view: View, docs: np.ndarray) -> None:
        self.view = view
        self.docs = docs
        self.evaluator = Evaluator(view, None)

    def run(self, query: wq.Query) -> _Part:
        if query is wq.NullQuery or isinstance(query, type(wq.NullQuery)):
            return self._nothing()
        if isinstance(query, wq.MultiTerm | Expansion):
            return self.run(bound_expansions(query, self.view.searcher.reader()))
        if isinstance(query, wq.And | wq.Or) and len(query.subqueries) == 1:
            return self.run(query.subqueries[0])
        if isinstance(query, FieldsTerm):
            return self._fields_term(query)
        if type(query) is wq.Term:
            return self._term(query)
        if type(query) is wq.And:
            return self._and(query)
        if type(query) in (wq.Or, Stems) and not query.scale:
            return self._sum([self.run(sub) for sub in query.subqueries]).boosted(query.boost)
        if type(query) is wq.AndNot:
            kept, excluded = self.run(query.a), self._held(query.b)
            without = Match("not", _named(query.b), 0, 0.0)
            return self._keep(self._with(kept, without), ~excluded)
        if type(query) is wq.AndMaybe:
            return self._maybe(self.run(query.a), self.run(query.b))
        if isinstance(query, wq.Not):
            return self._condition(query, Match("not", _named(query.query), 0, 0.0))
        if type(query) is wq.Every:
            return self._condition(query, Match("any", "every article", 1, 0.0))
        if isinstance(query, wq.NumericRange) and query.fieldname == "ts":
            return self._condition(query, Match("date", _days(query.start, query.end), 1, 0.0))
        if type(query) in (wq.Phrase, OrderedPhrase):
            return self._phrase(query)
        raise Unsupported(f"explain does not run {type(query).__name__} queries")

    # words -------------------------------------------------------------------------------

    def _term(self, query: wq.Term) -> _Part:
        held, scores = self._scored(query)
        if query.boost == 0 or query.fieldname not in self.view.searcher.schema:
            return _Part(held, scores, self._none())  # only selects: adds nothing
        field = self.view.searcher.schema[query.fieldname]
        frequencies = self._restricted(
            *self.view.postings(query.fieldname, field.to_bytes(query.text))
        )
        word = _text(query.text)
        name = FIELD_NAMES.get(query.fieldname, query.fieldname)
        return self._reasons(
            held,
            scores,
            lambda at: (Match(name, word, round(frequencies[at]), float(scores[at])),),
        )

    def _fields_term(self, query: FieldsTerm) -> _Part:
        held, scores = self._scored(query)
        parts, _ = self.evaluator.field_parts(query)
        shares = {name: self._restricted(m.docs, m.scores) for name, (m, _) in parts.items()}
        counts = {name: self._restricted(m.docs, count) for name, (m, count) in parts.items()}
        total = sum(shares.values(), np.zeros(len(self.docs)))
        word = _text(query.text)

        def matches(at: int) -> tuple[Match, ...]:
            return tuple(
                Match(
                    name, word, round(counts[name][at]), float(scores[at] * share[at] / total[at])
                )
                for name, share in shares.items()
                if share[at] > 0
            )

        return self._reasons(held, scores, matches)

    def _phrase(self, query: wq.Phrase) -> _Part:
        held, scores = self._scored(query)
        counts = np.ones(len(self.docs), dtype=np.int64)
        name: str = query.fieldname
        if held.any() and _has_positions(self.view, name):
            words = [self.view.searcher.schema[name].to_bytes(word) for word in query.words]
            ordered = isinstance(query, OrderedPhrase)
            found = phrase_counts(self.view, name, words, query.slop, self.docs[held], ordered)
            counts[held] = np.maximum(found, 1)
        name = FIELD_NAMES.get(name, name)
        text = " ".join(_text(word) for word in query.words)
        return self._reasons(
            held, scores, lambda at: (Match(name, text, int(counts[at]), float(scores[at])),)
        )

    def _condition(self, query: wq.Query, named: Match) -> _Part:
        """A part that holds without a word to show (every article, dates, a NOT)."""
        held, scores = self._scored(query)
        return self._reasons(held, scores, lambda at: (replace(named, score=float(scores[at])),))

    # connectives -------------------------------------------------------------------------

    def _and(self, query: wq.And) -> _Part:
        """As ``Evaluator._and``: a NOT part takes its matches away and adds 1."""
        plain = [sub for sub in query.subqueries if not isinstance(sub, wq.Not)]
        negated = [sub for sub in query.subqueries if isinstance(sub, wq.Not)]
        if not plain:
            return self._all([self.run(sub) for sub in negated]).boosted(query.boost)
        result = self._all([self.run(sub) for sub in plain])
        for sub in negated:
            without = Match("not", _named(sub.query), 0, 1.0)
            result = self._keep(self._with(result, without, 1.0), ~self._held(sub.query))
        return result.boosted(query.boost)

    def _all(self, parts: list[_Part]) -> _Part:
        held = np.logical_and.reduce([part.held for part in parts])
        return self._keep(self._sum(parts), held)

    def _sum(self, parts: list[_Part]) -> _Part:
        """Parts added up: each hit held by any, with the matches of those holding."""
        held = np.logical_or.reduce([part.held for part in parts], initial=False)
        scores = sum((part.scores for part in parts), np.zeros(len(self.docs)))
        reasons = tuple(
            tuple(m for part in parts if part.held[at] for m in part.reasons[at])
            for at in range(len(self.docs))
        )
        return _Part(held, scores, reasons)

    def _maybe(self, required: _Part, optional: _Part) -> _Part:
        kept = self._keep(optional, required.held)
        return self._keep(self._sum([required, kept]), required.held)

    def _with(self, part: _Part, match: Match, adds: float = 0.0) -> _Part:
        """``part`` with ``match`` added to each hit it holds for, and ``adds`` to the score."""
        reasons = tuple(
            (*ms, match) if held else ms for ms, held in zip(part.reasons, part.held, strict=True)
        )
        return _Part(part.held, part.scores + adds * part.held, reasons)

    def _keep(self, part: _Part, keep: np.ndarray) -> _Part:
        held = part.held & keep
        reasons = tuple(ms if h else () for ms, h in zip(part.reasons, held, strict=True))
        return _Part(held, np.where(held, part.scores, 0.0), reasons)

    # arrays ------------------------------------------------------------------------------

    def _scored(self, query: wq.Query) -> tuple[np.ndarray, np.ndarray]:
        """Which hits ``query`` matches and its score for each, from the evaluator."""
        found = self.evaluator.run(query)
        return self._at(found.docs, found.scores)

    def _held(self, query: wq.Query) -> np.ndarray:
        return self._scored(query)[0]

    def _restricted(self, docs: np.ndarray, values: np.ndarray) -> np.ndarray:
        """Per hit, its value among ``values`` (one per document of ``docs``), else 0."""
        return self._at(docs, values)[1]

    def _at(self, docs: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if not len(docs):
            return np.zeros(len(self.docs), dtype=bool), np.zeros(len(self.docs))
        at = np.minimum(np.searchsorted(docs, self.docs), len(docs) - 1)
        held = docs[at] == self.docs
        return held, np.where(held, values[at], 0.0)

    def _reasons(
        self, held: np.ndarray, scores: np.ndarray, matches: Callable[[int], tuple[Match, ...]]
    ) -> _Part:
        reasons = tuple(matches(at) if held[at] else () for at in range(len(self.docs)))
        return _Part(held, scores, reasons)

    def _none(self) -> tuple[tuple[Match, ...], ...]:
        return tuple(() for _ in range(len(self.docs)))

    def _nothing(self) -> _Part:
        size = len(self.docs)
        return _Part(np.zeros(size, dtype=bool), np.zeros(size), self._none())


def _has_positions(view: View, name: str) -> bool:
    schema = view.searcher.schema
    return name in schema and bool(schema[name].format.supports("positions"))


def _named(query: wq.Query) -> str:
    """The words a (negated) part looks for, for naming it."""
    return " ".join(dict.fromkeys(_words(query))) or "…"


def _words(query: wq.Query) -> Iterator[str]:
    if isinstance(query, Stems):
        return
    if isinstance(query, wq.Term):
        yield _text(query.text)
    elif isinstance(query, wq.Phrase):
        yield f"“{' '.join(_text(word) for word in query.words)}”"
    elif not query.is_leaf():
        for child in query.children():
            yield from _words(child)


def _days(start: int | None, end: int | None) -> str:
    first = datetime.fromtimestamp(start, UTC).date().isoformat() if start is not None else "…"
    last = datetime.fromtimestamp(end, UTC).date().isoformat() if end is not None else "…"
    return f"{first} to {last}"


def _text(value: object) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)
