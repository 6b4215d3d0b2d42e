"""Ranking on Whoosh: Okapi BM25 with the Robertson–Spärck Jones idf.

Whoosh's own BM25F uses ``idf = log(N / (df + 1)) + 1``, which still gives a word found in
every article a weight of about one; in a long query the common words then drown the rare
ones that say what the query is about. The probabilistic idf used by Lucene and most
BM25 implementations, ``log(1 + (N - df + 0.5) / (df + 0.5))``, falls towards zero for
such words. Each field is scored with its own length normalisation and boosted by the
query (``FIELD_BOOSTS`` in ``whoosh_schema``).
"""

from __future__ import annotations

from math import log
from typing import Any

from whoosh import scoring

#: term-frequency saturation: how quickly repeats of a word stop adding to a score
K1 = 1.2
#: length normalisation: 0 ignores a field's length, 1 divides fully by it
B = 0.75
#: per-field length normalisation where it differs from ``B``
FIELD_B: dict[str, float] = {}


def rsj_idf(doc_frequency: int, doc_count: int) -> float:
    """The Robertson–Spärck Jones idf with the +1 that keeps it positive."""
    return log(1 + (doc_count - doc_frequency + 0.5) / (doc_frequency + 0.5))


class Okapi(scoring.WeightingModel):
    """BM25 per field, the Robertson–Spärck Jones idf, a ``b`` per field."""

    def __init__(self, k1: float = K1, b: float = B, field_b: dict[str, float] | None = None):
        self.k1 = k1
        self.b = b
        self.field_b = dict(FIELD_B if field_b is None else field_b)

    def supports_block_quality(self) -> bool:
        return True

    def idf(self, searcher: Any, fieldname: str, text: bytes) -> float:
        parent = searcher.get_parent()
        return rsj_idf(parent.doc_frequency(fieldname, text), parent.doc_count_all())

    def scorer(self, searcher: Any, fieldname: str, text: bytes, qf: int = 1) -> Any:
        if not searcher.schema[fieldname].scorable:
            return scoring.WeightScorer.for_(searcher, fieldname, text)
        b = self.field_b.get(fieldname, self.b)
        return scoring.BM25FScorer(searcher, fieldname, text, b, self.k1, qf=qf)


def weighting() -> Okapi:
    """The ranking every searcher of the archive uses."""
    return Okapi()
