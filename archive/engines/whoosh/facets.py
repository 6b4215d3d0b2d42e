"""Facet and timeline counts of a search's matches, from a ``View``'s arrays.

A single-valued keyword field is an array of value numbers, one per document: counting the
matches' values is one ``bincount``. A multi-valued field (tags) is a list of
(document, value) pairs: the pairs of matching documents are counted.
"""

from __future__ import annotations

import numpy as np

from archive.engines.whoosh.arrays import View


def counts(view: View, field: str, docs: np.ndarray, several: bool = False) -> dict[str, int]:
    """How many of ``docs`` have each value of ``field`` (values no document has left out)."""
    if field not in view.searcher.schema or not len(docs):
        return {}
    if several:
        pair_docs, values, vocabulary = view.pairs(field)
        chosen = np.zeros(view.size, dtype=bool)
        chosen[docs] = True
        found = values[chosen[pair_docs]]
    else:
        ordinals, vocabulary = view.values(field)
        found = ordinals[docs]
        found = found[found >= 0]
    tally = np.bincount(found, minlength=len(vocabulary))
    return {
        vocabulary[number]: int(tally[number])
        for number in np.flatnonzero(tally)
        if vocabulary[number]
    }
