"""One field's postings from many batches, put in the order a segment stores them.

Each batch arrives with its postings in term then document order. A segment needs the
field's postings in term order over all batches, and for one term in document order; so
the field's postings are the batches' runs of one term each, ordered by the term and then
by batch (later batches hold later documents). Only the runs are sorted; postings are
then gathered a slice of terms at a time, so memory holds one slice beyond the batches.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from archive.engines.whoosh.segments.fields import FieldBatch, sorted_terms
from archive.engines.whoosh.segments.postings import VALUES, Postings

#: postings encoded at a time (encoding makes a few arrays as large as its input)
SLICE_POSTINGS = 1 << 18
#: about what a term of the vocabulary takes (its bytes and its place in a dict)
TERM_BYTES = 130


@dataclass
class _Part:
    """A batch's postings of the field, terms numbered in the field's vocabulary."""

    term: np.ndarray
    doc: np.ndarray
    freq: np.ndarray
    weight: np.ndarray | None
    boost: float
    #: the values back to back (as bytes, which slice cheaply) and where each starts
    values: tuple[bytes, np.ndarray] | None


def _part_bytes(part: _Part) -> int:
    arrays = [part.term, part.doc, part.freq, part.weight]
    total = sum(array.nbytes for array in arrays if array is not None)
    if part.values is not None:
        total += len(part.values[0]) + part.values[1].nbytes
    return total


class FieldPostings:
    """The postings of one field gathered from batches, until a segment is written."""

    def __init__(self) -> None:
        self.vocabulary: dict[bytes, int] = {}
        self.parts: list[_Part] = []
        self._size = 0

    def add(self, found: FieldBatch, base: int) -> None:
        """Add a batch's postings; its documents are numbered from ``base``."""
        vocabulary = self.vocabulary
        known = len(vocabulary)
        numbers = [vocabulary.setdefault(text, len(vocabulary)) for text in found.terms]
        remap = np.asarray(numbers, dtype=np.int32)
        doc = found.doc.astype(np.int32) + base
        values = None
        if found.values is not None:
            values = (found.values[0].tobytes(), found.values[1])
        part = _Part(remap[found.term], doc, found.freq, found.weight, found.boost, values)
        self.parts.append(part)
        self._size += TERM_BYTES * (len(vocabulary) - known) + _part_bytes(part)

    def size(self) -> int:
        """About how many bytes the postings and the terms take (kept as batches are
        added: a segment of thousands of one-article batches asks after each one)."""
        return self._size

    def ordered(
        self, lengths: np.ndarray | None, kind: str
    ) -> tuple[list[bytes], Iterator[tuple[Postings, int]]]:
        """The field's terms in byte order, and its postings in slices of whole terms
        (each slice's terms numbered from 0, and how many terms it has). ``lengths`` is
        the field's length byte in each document. The batches are let go of."""
        parts, self.parts = self.parts, []
        terms, rank = sorted_terms(list(self.vocabulary))
        starts = np.cumsum([0] + [len(part.term) for part in parts])
        runs = [np.flatnonzero(np.diff(part.term, prepend=-1)) for part in parts]
        firsts = np.concatenate([found + start for found, start in zip(runs, starts, strict=False)])
        sizes = np.diff(np.append(firsts, starts[-1]))
        term = np.concatenate([part.term for part in parts])
        run_rank = rank[term[firsts]]
        batch = np.repeat(np.arange(len(parts)), [len(found) for found in runs])
        order = np.lexsort((batch, run_rank))
        joined = _Joined(parts, kind == VALUES)
        slices = _slices(run_rank[order], firsts[order], sizes[order], batch[order], len(terms))
        return terms, (joined.slice(*piece, lengths, kind) for piece in slices)


class _Joined:
    """The batches' postings joined end to end, gathered a slice at a time (their values
    stay in the batches' byte strings)."""

    def __init__(self, parts: list[_Part], values: bool) -> None:
        self.doc = np.concatenate([part.doc for part in parts])
        self.freq = np.concatenate([part.freq for part in parts])
        self.weight = None
        if any(part.weight is not None for part in parts):
            self.weight = np.concatenate(
                [part.freq * part.boost if part.weight is None else part.weight for part in parts]
            )
        self.boost = parts[0].boost
        #: each batch's values, where each value starts (as if they were joined) and
        #: where each batch's start
        self.datas: list[bytes] = []
        self.starts = np.zeros(1, dtype=np.int64)
        self.bases = np.zeros(len(parts), dtype=np.int64)
        if values:
            starts, base = [np.zeros(1, dtype=np.int64)], 0
            for number, part in enumerate(parts):
                assert part.values is not None
                data, offsets = part.values
                self.datas.append(data)
                self.bases[number] = base
                starts.append(offsets[1:] + base)
                base += len(data)
            self.starts = np.concatenate(starts)

    def slice(
        self,
        ranks: np.ndarray,
        firsts: np.ndarray,
        sizes: np.ndarray,
        batches: np.ndarray,
        low: int,
        high: int,
        lengths: np.ndarray | None,
        kind: str,
    ) -> tuple[Postings, int]:
        """The postings of the runs given (the terms ``low`` to ``high``, in order)."""
        gather = np.repeat(firsts - (np.cumsum(sizes) - sizes), sizes)
        gather += np.arange(len(gather))
        doc = self.doc[gather]
        freq = self.freq[gather]
        weight = freq * self.boost if self.weight is None else self.weight[gather]
        postings = Postings(
            term=np.repeat(ranks - low, sizes),
            doc=doc,
            weight=weight,
            freq=freq,
            lengths=lengths[doc] if lengths is not None else np.zeros(len(doc), np.uint8),
            kind=kind,
        )
        if kind == VALUES:
            starts, base = self.starts, self.bases[batches]
            lows, highs = (starts[firsts] - base).tolist(), (starts[firsts + sizes] - base).tolist()
            datas = [self.datas[number] for number in batches.tolist()]
            copied = b"".join([data[a:b] for data, a, b in zip(datas, lows, highs, strict=True)])
            value_sizes = (starts[1:] - starts[:-1])[gather]
            postings.values = (
                np.frombuffer(copied, dtype=np.uint8),
                np.concatenate(([0], np.cumsum(value_sizes))),
            )
        return postings, high - low


def _slices(
    ranks: np.ndarray, firsts: np.ndarray, sizes: np.ndarray, batches: np.ndarray, terms: int
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int, int]]:
    """The ordered runs cut into slices of whole terms of about ``SLICE_POSTINGS``
    postings: each slice's runs and its first and last (excluded) term."""
    ends = np.cumsum(sizes)
    # a slice may end only where a term ends
    term_ends = np.flatnonzero(np.append(ranks[1:] != ranks[:-1], True)) + 1
    marks = np.searchsorted(
        ends[term_ends - 1], np.arange(SLICE_POSTINGS, int(ends[-1]), SLICE_POSTINGS)
    )
    cuts = np.unique(np.concatenate(([0], term_ends[np.minimum(marks, len(term_ends) - 1)])))
    bounds = [*cuts[cuts < len(ranks)].tolist(), len(ranks)]
    for first, last in itertools.pairwise(bounds):
        low = int(ranks[first])
        high = int(ranks[last]) if last < len(ranks) else terms
        runs = slice(first, last)
        yield ranks[runs], firsts[runs], sizes[runs], batches[runs], low, high
