"""Ranking on Whoosh: BM25 with the Robertson–Spärck Jones idf, and BM25F across fields.

Whoosh's own BM25F uses ``idf = log(N / (df + 1)) + 1``, which still gives a word found in
every article a weight of about one; in a long query the common words then drown the rare
ones that say what the query is about. The probabilistic idf used by Lucene and most
BM25 implementations, ``log(1 + (N - df + 0.5) / (df + 0.5))``, falls towards zero for
such words. Each field is scored with its own length normalisation and boosted by the
query (``FIELD_BOOSTS`` in ``schema``).

Whoosh also scores each field on its own and adds the results, so a word found in a
headline and again in the body is counted, and saturated, twice. BM25F (Robertson,
Zaragoza and Taylor, 2004) first adds the word's length-normalised frequencies over the
fields, each with the field's weight, then saturates that sum once with ``k1`` and
multiplies by one idf. ``FieldsTerm`` is the query for a bare word over several fields; its
matcher walks the union of the fields' postings and scores each document this way.

The arithmetic is written once, here (``length_norm``, ``saturate``, ``rsj_idf``): the
array evaluator (``evaluate``) scores every match with it, and ``explain`` gives each hit's
share of it; ``FieldsMatcher``, the matcher Whoosh runs for a ``FieldsTerm``, uses it too.
That matcher, and Whoosh's own BM25 scorer behind ``Okapi``, are the reference the
evaluator and explain are tested against (tests/test_whoosh_evaluate.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from math import log
from typing import Any

from whoosh import matching, scoring
from whoosh import query as wq

#: term-frequency saturation: how quickly repeats of a word stop adding to a score (chosen
#: by cross-validation across test collections, bench/relevance.py: 2.0 beat Lucene's 1.2
#: on three of four held-out collections)
K1 = 2.0
#: length normalisation: 0 ignores a field's length, 1 divides fully by it
B = 0.75
#: per-field length normalisation where it differs from ``B``
FIELD_B: dict[str, float] = {}


def rsj_idf(doc_frequency: int, doc_count: int) -> float:
    """The Robertson–Spärck Jones idf with the +1 that keeps it positive."""
    return log(1 + (doc_count - doc_frequency + 0.5) / (doc_frequency + 0.5))


def fields_idf(frequencies: Iterable[int], doc_count: int) -> float:
    """The idf of a word searched in several fields, from its document frequency in each:
    that of the field where it is most frequent, so a word everywhere in one field weighs
    little in all of them."""
    return rsj_idf(max(frequencies, default=0), doc_count)


def length_norm(length: Any, average: float, b: float) -> Any:
    """BM25's length normalisation of a field: 1 for a field of average length, more for a
    longer one (``length`` may be a number or an array)."""
    return (1 - b) + b * length / average


def saturate(frequency: Any, norm: Any, idf: float, k1: float = K1) -> Any:
    """BM25: a word's ``frequency`` in a document, normalised by ``norm``, saturated by
    ``k1`` and weighted by ``idf``. BM25F is the same with the fields' normalised and
    weighted frequencies added first and ``norm`` 1. Numbers or arrays."""
    return idf * ((frequency * (k1 + 1)) / (frequency + k1 * norm))


def fields_frequency(frequency: Any, weight: float, norm: Any) -> Any:
    """One field's share of BM25F's pseudo-frequency: its frequency weighted and normalised."""
    return weight * frequency / norm


class Okapi(scoring.WeightingModel):
    """BM25 per field, the Robertson–Spärck Jones idf, a ``b`` per field."""

    def __init__(self, k1: float = K1, b: float = B, field_b: dict[str, float] | None = None):
        self.k1 = k1
        self.b = b
        self.field_b = dict(FIELD_B if field_b is None else field_b)

    def supports_block_quality(self) -> bool:
        return True

    def field_b_of(self, fieldname: str) -> float:
        """The length normalisation of ``fieldname``."""
        return self.field_b.get(fieldname, self.b)

    def idf(self, searcher: Any, fieldname: str, text: bytes) -> float:
        parent = searcher.get_parent()
        return rsj_idf(parent.doc_frequency(fieldname, text), parent.doc_count_all())

    def scorer(self, searcher: Any, fieldname: str, text: bytes, qf: int = 1) -> Any:
        if not searcher.schema[fieldname].scorable:
            return scoring.WeightScorer.for_(searcher, fieldname, text)
        b = self.field_b_of(fieldname)
        # Whoosh's own BM25 arithmetic: the reference ``saturate`` is tested against
        return scoring.BM25FScorer(searcher, fieldname, text, b, self.k1, qf=qf)


def weighting() -> Okapi:
    """The ranking every searcher of the archive uses."""
    return Okapi()


class FieldsTerm(wq.Term):
    """A word in any of several fields, scored with BM25F.

    ``fieldname`` is the main field (the body), so snippets and highlighting see the word;
    ``weights`` maps every field searched to its weight.
    """

    def __init__(
        self, weights: Mapping[str, float], text: str, main: str = "body", boost: float = 1.0
    ) -> None:
        super().__init__(main, text, boost=boost)
        self.weights = dict(weights)

    def __eq__(self, other: object) -> bool:
        return super().__eq__(other) and self.weights == other.weights  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return super().__hash__() ^ hash(tuple(sorted(self.weights.items())))

    def __repr__(self) -> str:
        return f"FieldsTerm({self.weights!r}, {self.text!r}, boost={self.boost})"

    def __unicode__(self) -> str:
        return f"({'|'.join(self.weights)}):{self.text}"

    __str__ = __unicode__

    def terms(self, phrases: bool = False) -> Iterator[tuple[str, Any]]:
        for name in self.weights:
            yield (name, self.text)

    def estimate_size(self, ixreader: Any) -> int:
        return max((_frequency(ixreader, name, self.text) for name in self.weights), default=0)

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        weighting = context.weighting if context is not None else searcher.weighting
        model = weighting if isinstance(weighting, Okapi) else Okapi()
        leaves = []
        for name in self.weights:
            if name not in searcher.schema:
                continue
            text = searcher.schema[name].to_bytes(self.text)
            if (name, text) in searcher.reader():
                leaves.append(searcher.postings(name, text))
        if not leaves:
            return matching.NullMatcher()
        parent = searcher.get_parent()
        stats = _Stats(
            searcher=searcher,
            weights=self.weights,
            idf=fields_idf(
                (parent.doc_frequency(name, self.text) for name in self.weights),
                parent.doc_count_all(),
            )
            * self.boost,
            k1=model.k1,
            b={name: model.field_b_of(name) for name in self.weights},
            average={name: parent.avg_field_length(name) or 1.0 for name in self.weights},
        )
        union = leaves[0]
        for leaf in leaves[1:]:
            union = matching.UnionMatcher(union, leaf)
        return FieldsMatcher(union, stats)


def _frequency(reader: Any, name: str, text: str) -> int:
    try:
        return int(reader.doc_frequency(name, text))
    except (KeyError, ValueError):
        return 0


class _Stats:
    """What scoring one word needs: its idf, ``k1``, and each field's weight, b and mean length."""

    def __init__(self, **values: Any) -> None:
        self.searcher = values["searcher"]
        self.weights: dict[str, float] = values["weights"]
        self.idf: float = values["idf"]
        self.k1: float = values["k1"]
        self.b: dict[str, float] = values["b"]
        self.average: dict[str, float] = values["average"]

    def parts(self, frequencies: Mapping[str, float], docnum: int) -> dict[str, float]:
        """Each field's weighted, length-normalised frequency of the word."""
        parts = {}
        for name, frequency in frequencies.items():
            length = self.searcher.doc_field_length(docnum, name, 1)
            norm = length_norm(length, self.average[name], self.b[name])
            parts[name] = fields_frequency(frequency, self.weights[name], norm)
        return parts

    def score(self, frequencies: Mapping[str, float], docnum: int) -> float:
        """BM25F of a document where the word occurs ``frequencies[field]`` times per field."""
        pseudo = sum(self.parts(frequencies, docnum).values())
        return float(saturate(pseudo, 1.0, self.idf, self.k1))


class FieldsMatcher(matching.WrappingMatcher):
    """The union of one word's postings in several fields, scored with BM25F."""

    def __init__(self, child: Any, stats: _Stats, boost: float = 1.0) -> None:
        super().__init__(child, boost)
        self.stats = stats

    def copy(self) -> FieldsMatcher:
        return FieldsMatcher(self.child.copy(), self.stats, self.boost)

    # Whoosh's private hook for ``replace`` (listed in ``compat.PRIVATE``)
    def _replacement(self, newchild: Any) -> FieldsMatcher:
        return FieldsMatcher(newchild, self.stats, self.boost)

    def supports_block_quality(self) -> bool:
        return False

    def frequencies(self) -> dict[str, float]:
        """How often the word occurs in each field of the current document."""
        docnum = self.child.id()
        found: dict[str, float] = {}
        for leaf in self.child.term_matchers():
            if leaf.is_active() and leaf.id() == docnum:
                found[leaf.term()[0]] = leaf.weight()
        return found

    def score(self) -> float:
        return self.stats.score(self.frequencies(), self.child.id())
