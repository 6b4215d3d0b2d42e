"""One field's postings for a batch of values, made three ways: through a token-local
analyser's memo (``chains``), as the trie terms of whole numbers
(``NUMERIC``), or through the field's own ``index`` for anything else. Each gives what
``FieldType.index`` gives for every value, as arrays in term then document order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from whoosh import fields

from archive.engines.whoosh import compat
from archive.engines.whoosh.segments.chains import Memo
from archive.engines.whoosh.segments.postings import NO_VALUES, VALUES
from archive.engines.whoosh.segments.streams import Stream, bytes_header, join, position_values


@dataclass
class FieldBatch:
    """One field's postings in a batch, in term then document order: the terms in byte
    order, each posting's term (an index into ``terms``), document (in the batch),
    frequency and weight; for ``VALUES`` fields each posting's value as a pickled bytes
    object (as posting blocks hold them), back to back, and where each starts."""

    terms: list[bytes]
    term: np.ndarray
    doc: np.ndarray
    freq: np.ndarray
    #: None when each weight is the frequency times ``boost`` (the common case, not shipped)
    weight: np.ndarray | None = None
    boost: float = 1.0
    values: tuple[np.ndarray, np.ndarray] | None = None

    def weights(self) -> np.ndarray:
        """Each posting's weight."""
        return self.freq * self.boost if self.weight is None else self.weight


@dataclass
class Plan:
    """How a field is analysed: its postings' kind, its format's boost and its memo."""

    name: str
    field: Any
    kind: str
    boost: float
    memo: Memo | None


def from_memo(plan: Plan, memo: Memo, values: list[str]) -> FieldBatch:
    """Postings through a token-local analyser's memo: each value's terms, grouped by
    term, with their positions encoded when the format keeps them."""
    positions = plan.kind == VALUES
    out = memo.outputs(values, positions)
    numbers = np.unique(out.term)
    terms, rank = sorted_terms([memo.texts[number] for number in numbers.tolist()])
    size = len(values)
    key = rank[np.searchsorted(numbers, out.term)] * size + out.doc
    if positions:
        order = np.argsort(key, kind="stable")
        key = key[order]
        assert out.pos is not None
        pos = out.pos[order]
    else:
        key = np.sort(key)
    starts = np.flatnonzero(np.diff(key, prepend=-1))
    freq = np.diff(np.append(starts, len(key))).astype(np.int32)
    batch = FieldBatch(
        terms=terms,
        term=(key[starts] // size).astype(np.int32),
        doc=(key[starts] % size).astype(np.int32),
        freq=freq,
        boost=plan.boost,
    )
    if plan.kind == NO_VALUES:  # (Existence) one occurrence, whatever the frequency
        batch.freq = np.ones(len(freq), dtype=np.int32)
    if positions:
        batch.values = position_values(pos, freq, pickled=True)
    return batch


def sorted_terms(texts: list[bytes]) -> tuple[list[bytes], np.ndarray]:
    """``texts`` in byte order, and the place each takes in that order."""
    order = sorted(range(len(texts)), key=texts.__getitem__)
    rank = np.empty(len(texts), dtype=np.int64)
    rank[order] = np.arange(len(texts))
    return [texts[number] for number in order], rank


def from_field(plan: Plan, values: list[Any]) -> FieldBatch:
    """Postings through the field's own ``index`` (what ``add_document`` calls)."""
    numbers: dict[bytes, int] = {}
    found: list[tuple[int, int, int, float, bytes]] = []
    for index, value in enumerate(values):
        for btext, count, wt, vbytes in plan.field.index(value):
            found.append((numbers.setdefault(btext, len(numbers)), index, count, wt, vbytes))
    terms, rank = sorted_terms(list(numbers))
    found.sort(key=lambda posting: (rank[posting[0]], posting[1]))
    batch = FieldBatch(
        terms=terms,
        term=rank[[posting[0] for posting in found]].astype(np.int32),
        doc=np.asarray([posting[1] for posting in found], dtype=np.int32),
        freq=np.asarray([posting[2] for posting in found], dtype=np.int32),
        weight=np.asarray([posting[3] for posting in found], dtype=np.float64),
    )
    if plan.kind == VALUES:
        sizes = np.fromiter((len(posting[4]) for posting in found), np.int64, len(found))
        data = np.frombuffer(b"".join(posting[4] for posting in found), dtype=np.uint8)
        batch.values = join([bytes_header(sizes), Stream(data, sizes)])
    return batch


def integers(field: Any, values: list[Any]) -> bool:
    """Whether ``values`` are whole numbers of a ``NUMERIC`` field of whole numbers (their
    trie terms are made by ``from_numbers``)."""
    return (
        type(field) is fields.NUMERIC
        and field.numtype is int
        and not field.decimal_places
        and all(type(value) is int for value in values)
    )


def from_numbers(plan: Plan, values: list[int]) -> FieldBatch:
    """The trie terms of each number (``NUMERIC.index``): the number made sortable and
    shifted right by each multiple of ``shift_step``, after a byte giving the shift."""
    field = plan.field
    if any(value < field.min_value or value > field.max_value for value in values):
        raise ValueError(f"a number is out of the range of the field {plan.name!r}")
    offset = 1 << (field.bits - 1) if field.signed else 0
    sortable = np.array([value + offset for value in values], dtype=np.uint64)
    shifts = np.arange(0, field.bits, field.shift_step or field.bits, dtype=np.uint64)
    shifted = sortable[None, :] >> shifts[:, None]  # one row per shift
    level = np.repeat(np.arange(len(shifts)), len(values))
    doc = np.tile(np.arange(len(values)), len(shifts))
    flat = shifted.reshape(-1)
    order = np.lexsort((doc, flat, level))
    level, flat, doc = level[order], flat[order], doc[order]
    new = np.ones(len(flat), dtype=bool)
    new[1:] = (level[1:] != level[:-1]) | (flat[1:] != flat[:-1])
    firsts = np.flatnonzero(new)
    width = compat.numeric_width(field)
    rows = np.empty((len(firsts), 1 + width), dtype=np.uint8)
    rows[:, 0] = shifts[level[firsts]]
    rows[:, 1:] = flat[firsts].astype(f">u{width}").view(np.uint8).reshape(-1, width)
    raw = rows.tobytes()
    size = 1 + width
    term = np.cumsum(new) - 1
    return FieldBatch(
        terms=[raw[at : at + size] for at in range(0, len(raw), size)],
        term=term.astype(np.int32),
        doc=doc.astype(np.int32),
        freq=np.ones(len(doc), dtype=np.int32),
    )
