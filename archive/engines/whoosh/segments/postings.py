"""One field's postings encoded as Whoosh's W3 posting blocks and term entries, all at once.

What ``W3PostingsWriter`` writes per term, and what ``W3LeafMatcher`` reads: a tag, then
blocks of at most ``Layout.block`` postings, each a length (negative for the last block),
a pickled tuple of block statistics and the pickled (document numbers, weights, values)
tuple of its postings, compressed or not. The reader unpickles whatever the pickles hold
and only needs them to index like sequences, so the layout is ours to choose within that:
``Layout`` says how many postings a block holds, whether block data are compressed and
whether document numbers and weights are packed arrays (``array.array``, which numpy reads
without a loop) or tuples as Whoosh writes them.
"""

from __future__ import annotations

import itertools
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from archive.engines.whoosh.segments.streams import (
    MARK,
    TUPLE,
    Stream,
    bytes_header,
    const,
    fixed,
    grouped,
    join,
    pickled_floats,
    pickled_ints,
)

#: the tag at the start of every term's postings
MAGIC = b"W3Bl"
#: a posting list's values: none (``Existence``), frequencies (``Frequency``), or one byte
#: string per posting (positions and any other variable-size format)
NO_VALUES, FREQUENCIES, VALUES = "none", "frequencies", "values"
#: blocks of at least this many postings hold packed arrays rather than tuples
ARRAY_MIN = 32
_PROTO = b"\x80\x04"
_ARRAY = b"\x8c\x05array\x8c\x14_array_reconstructor\x93(\x8c\x05array\x8c\x05array\x93\x8c\x01"
#: array typecode and machine format (unsigned 32-bit / IEEE float, little-endian)
_UINTS, _FLOATS = b"IK\x06", b"fK\x0e"
_REDUCE = b"tR"
_END = b"\x87."  # TUPLE3, STOP
#: a block's statistics as one pickle frame of fixed size: (count, last document, maximum
#: weight, compression, shortest and longest field length bytes)
_INFO = np.dtype(
    {
        "names": ["head", "frame", "count", "last", "weight", "comp", "short", "long", "tail"],
        "formats": ["S4", "<u8", "<i4", "<i4", ">f8", "u1", "u1", "u1", "S2"],
        "offsets": [0, 3, 13, 18, 23, 32, 34, 36, 37],
        "itemsize": 39,
    }
)
_INFO_FRAME = 28
#: a term's entry (``W3TermInfo.to_bytes`` for postings that are not inlined)
TERMINFO = np.dtype(
    [
        ("flags", "u1"),
        ("weight", ">f4"),
        ("df", ">u4"),
        ("short", "u1"),
        ("long", "u1"),
        ("maxweight", ">f4"),
        ("first", ">u4"),
        ("last", ">u4"),
        ("offset", ">i8"),
        ("length", ">i4"),
    ]
)


@dataclass(frozen=True)
class Layout:
    """How posting blocks are laid out (every layout reads the same through Whoosh).

    The default decodes a common word's postings about twelve times faster than Whoosh's
    own layout (``bench/posting_layouts.py``): large blocks pay the per-block costs of
    unpickling less often, packed arrays skip a Python object per posting, and without
    compression nothing is inflated; the postings take about a fifth more room.
    """

    block: int = 1024
    compression: int = 0
    arrays: bool = True


#: the layout of Whoosh's own writer (blocks of 128, zlib level 3, tuples)
WHOOSH_LAYOUT = Layout(block=128, compression=3, arrays=False)


@dataclass
class Postings:
    """One field's postings in term then document order: term numbers (0 .. terms-1, in
    the terms' byte order), document numbers, weights, frequencies, the length byte of the
    field in the posting's document (0 for none), and for ``VALUES`` the values back to
    back with where each starts (each a pickled bytes object, as the blocks hold them)."""

    term: np.ndarray
    doc: np.ndarray
    weight: np.ndarray
    freq: np.ndarray
    lengths: np.ndarray
    kind: str
    values: tuple[np.ndarray, np.ndarray] | None = None


def encode(postings: Postings, terms: int, layout: Layout, base: int) -> tuple[bytes, np.ndarray]:
    """The field's posting lists as they are written at offset ``base`` of the postings
    file, and each term's entry (``TERMINFO`` records)."""
    count = len(postings.term)
    starts = np.searchsorted(postings.term, np.arange(terms + 1))
    rank = np.arange(count) - starts[postings.term]
    firsts = np.flatnonzero(rank % layout.block == 0)
    sizes = np.diff(np.append(firsts, count))
    deltas = np.diff(postings.doc, prepend=0)
    deltas[firsts] = postings.doc[firsts]
    weights32 = postings.weight.astype(np.float32)
    data = _data_streams(postings, deltas, weights32, firsts, sizes, layout)
    if layout.compression:
        joined, data_starts = join(data)
        data = [Stream(*_compress(joined, data_starts, layout.compression))]
    data_sizes = sum(stream.lengths for stream in data)
    raw = _infos(postings, firsts, sizes, layout)
    opening = np.ones(len(firsts), dtype=bool)
    opening[1:] = postings.term[firsts[1:]] != postings.term[firsts[:-1]]
    closing = np.append(opening[1:], True)
    signed = np.where(closing, -1, 1) * (data_sizes + _INFO.itemsize)
    blocks, block_starts = join(
        [
            const(MAGIC, opening),
            fixed(signed, ">i4"),
            Stream(raw.reshape(-1), np.full(len(firsts), _INFO.itemsize, dtype=np.int64)),
            *data,
        ]
    )
    entries = _entries(postings, starts, weights32)
    first_block = np.flatnonzero(opening)
    term_starts = np.append(block_starts[first_block], block_starts[-1])
    entries["offset"] = base + term_starts[:-1]
    entries["length"] = np.diff(term_starts)
    return blocks.tobytes(), entries


def _infos(postings: Postings, firsts: np.ndarray, sizes: np.ndarray, layout: Layout) -> Any:
    """Each block's statistics, pickled (one fixed-size frame per block)."""
    info = np.zeros(len(firsts), dtype=_INFO)
    info["head"], info["frame"], info["tail"] = b"\x80\x04\x95", _INFO_FRAME, b"t."
    info["count"] = sizes
    info["last"] = postings.doc[firsts + sizes - 1]
    info["weight"] = np.maximum.reduceat(postings.weight, firsts)
    info["comp"] = layout.compression
    info["short"], info["long"] = _length_range(postings.lengths, firsts)
    raw = info.view(np.uint8).reshape(len(firsts), _INFO.itemsize)
    for offset, code in ((11, MARK), (12, b"J"), (17, b"J"), (22, b"G"), (31, b"K")):
        raw[:, offset] = code[0]
    raw[:, 33] = raw[:, 35] = ord("K")
    return raw


def _data_streams(
    postings: Postings,
    deltas: np.ndarray,
    weights32: np.ndarray,
    firsts: np.ndarray,
    sizes: np.ndarray,
    layout: Layout,
) -> list[Stream]:
    """The streams of each block's pickled (document numbers, weights, values) tuple."""
    blocks = len(firsts)
    everywhere = np.ones(blocks, dtype=bool)
    packed = (sizes >= ARRAY_MIN) if layout.arrays else ~everywhere
    # document numbers: each block's first one absolute, the others as differences
    streams = [const(_PROTO, everywhere)]
    streams += _sequence(deltas, sizes, packed, ~packed, _UINTS, "<u4", _ints)
    # weights: None when all are 1, one float when all are alike, else one per posting
    low = np.minimum.reduceat(weights32, firsts)
    alike = low == np.maximum.reduceat(weights32, firsts)
    ones = alike & (low == 1.0)
    single = pickled_floats(low[alike & ~ones])
    streams += [const(b"N", ones), Stream(single.data, _spread(single.lengths, alike & ~ones))]
    streams += _sequence(
        weights32, sizes, packed & ~alike, ~packed & ~alike, _FLOATS, "<f4", pickled_floats
    )
    streams += _values(postings, sizes)
    streams.append(const(_END, everywhere))
    return streams


def _ints(values: np.ndarray) -> Stream:
    return pickled_ints(values)


def _sequence(
    values: np.ndarray,
    sizes: np.ndarray,
    packed: np.ndarray,
    tupled: np.ndarray,
    typecode: bytes,
    dtype: str,
    items: Callable[[np.ndarray], Stream],
) -> list[Stream]:
    """Each block's numbers as a packed array where ``packed``, as a tuple of pickled
    items where ``tupled``, and not at all elsewhere."""
    width = np.dtype(dtype).itemsize
    header = bytes_header(sizes[packed] * width)
    return [
        const(_ARRAY + typecode, packed),
        Stream(header.data, _spread(header.lengths, packed)),
        grouped(fixed(values[np.repeat(packed, sizes)], dtype), np.where(packed, sizes, 0)),
        const(_REDUCE, packed),
        const(MARK, tupled),
        grouped(items(values[np.repeat(tupled, sizes)]), np.where(tupled, sizes, 0)),
        const(TUPLE, tupled),
    ]


def _spread(lengths: np.ndarray, present: np.ndarray) -> np.ndarray:
    """``lengths`` of the records where ``present``, 0 for the others."""
    spread = np.zeros(len(present), dtype=np.int64)
    spread[present] = lengths
    return spread


def _values(postings: Postings, sizes: np.ndarray) -> list[Stream]:
    """Streams of each block's values: None, the frequencies as one byte string, or a
    tuple of one byte string per posting."""
    blocks = len(sizes)
    everywhere = np.ones(blocks, dtype=bool)
    if postings.kind == NO_VALUES:
        return [const(b"N", everywhere)]
    if postings.kind == FREQUENCIES:
        header = bytes_header(sizes * 4)
        return [header, grouped(fixed(postings.freq, ">u4"), sizes)]
    assert postings.values is not None
    items = Stream(postings.values[0], np.diff(postings.values[1]))
    return [const(MARK, everywhere), grouped(items, sizes), const(TUPLE, everywhere)]


def _compress(data: np.ndarray, starts: np.ndarray, level: int) -> tuple[np.ndarray, np.ndarray]:
    raw = data.tobytes()
    parts = [zlib.compress(raw[a:b], level) for a, b in itertools.pairwise(starts.tolist())]
    sizes = np.fromiter(map(len, parts), np.int64, len(parts))
    return np.frombuffer(b"".join(parts), dtype=np.uint8), sizes


def _length_range(lengths: np.ndarray, firsts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per group starting at ``firsts``: the smallest non-zero length byte (0 if none) and
    the largest."""
    wide = lengths.astype(np.int16)
    short = np.minimum.reduceat(np.where(wide == 0, 256, wide), firsts)
    return np.where(short == 256, 0, short), np.maximum.reduceat(wide, firsts)


def _entries(postings: Postings, starts: np.ndarray, weights32: np.ndarray) -> np.ndarray:
    """Each term's entry but for where its postings are."""
    firsts = starts[:-1]
    entries = np.zeros(len(firsts), dtype=TERMINFO)
    entries["weight"] = np.add.reduceat(weights32.astype(np.float64), firsts)
    entries["df"] = np.diff(starts)
    entries["short"], entries["long"] = _length_range(postings.lengths, firsts)
    entries["maxweight"] = np.maximum.reduceat(postings.weight, firsts)
    entries["first"] = postings.doc[firsts]
    entries["last"] = postings.doc[starts[1:] - 1]
    return entries
