"""Many small byte strings built at once: the encodings a Whoosh segment is made of.

A segment holds millions of small records (posting values, posting blocks, term entries),
each a few fields of bytes. Building them one at a time in Python costs about a
microsecond each; here each kind of field is built for all records at once as a *stream*
(the fields of every record back to back, with each record's length), and ``join`` lays
the streams out record by record with one scatter per stream.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: bytes laid out per scatter (its index arrays take 4 bytes per byte; small ones stay in cache)
JOIN_BYTES = 1 << 19
#: the pickle opcodes this module writes (``pickletools`` names)
MARK, TUPLE, BININT, BININT1, BININT2, BINFLOAT = b"(", b"t", b"J", b"K", b"M", b"G"
SHORT_BINBYTES, BINBYTES = b"C", b"B"
#: items pickle puts in one APPENDS (``pickle._Pickler._BATCHSIZE``)
APPENDS_BATCH = 1000


@dataclass
class Stream:
    """One field of a list of records: ``data`` holds every record's bytes back to back,
    ``lengths`` how many belong to each record (0 for records without the field)."""

    data: np.ndarray
    lengths: np.ndarray


def const(value: bytes, present: np.ndarray) -> Stream:
    """``value`` in each record where ``present`` is true."""
    present = np.asarray(present, dtype=bool)
    data = np.tile(np.frombuffer(value, dtype=np.uint8), int(present.sum()))
    return Stream(data, np.where(present, len(value), 0).astype(np.int64))


def fixed(values: np.ndarray, dtype: str) -> Stream:
    """One binary number per record (``dtype`` says its width and byte order)."""
    data = np.ascontiguousarray(values, dtype=dtype).view(np.uint8)
    return Stream(data, np.full(len(values), np.dtype(dtype).itemsize, dtype=np.int64))


def prefix(rows: np.ndarray, widths: np.ndarray) -> np.ndarray:
    """The first ``widths[i]`` bytes of each row of ``rows``, back to back."""
    return rows[np.arange(rows.shape[1]) < widths[:, None]]


def grouped(item: Stream, groups: np.ndarray) -> Stream:
    """Consecutive records of ``item`` gathered into one record per group of ``groups``
    sizes (the sizes add up to the number of records)."""
    ends = np.cumsum(item.lengths)
    bounds = np.concatenate(([0], ends))[np.concatenate(([0], np.cumsum(groups)))]
    return Stream(item.data, np.diff(bounds))


def join(streams: list[Stream]) -> tuple[np.ndarray, np.ndarray]:
    """Every record's fields in stream order, records back to back; and where each record
    starts (one more entry than records: the total)."""
    lengths = np.stack([stream.lengths for stream in streams])
    sizes = lengths.sum(axis=0)
    starts = np.concatenate(([0], np.cumsum(sizes)))
    out = np.empty(int(starts[-1]), dtype=np.uint8)
    # where each field starts in its record, and where its bytes start in its stream
    within = np.cumsum(lengths, axis=0) - lengths
    sources = np.cumsum(lengths, axis=1) - lengths
    for low, high in _chunks(starts):
        # positions within one chunk fit 32 bits, which halves the index arrays
        base = int(starts[low])
        chunk = out[base : int(starts[high])]
        for number, stream in enumerate(streams):
            counts = lengths[number, low:high]
            total = int(counts.sum())
            if not total:
                continue
            first = int(sources[number, low])
            shift = starts[low:high] - base + within[number, low:high]
            shift -= sources[number, low:high] - first
            target = np.repeat(shift.astype(np.int32), counts)
            target += np.arange(total, dtype=np.int32)
            chunk[target] = stream.data[first : first + total]
    return out, starts


def _chunks(starts: np.ndarray) -> list[tuple[int, int]]:
    """Ranges of records of about ``JOIN_BYTES`` bytes each."""
    count = len(starts) - 1
    if starts[-1] <= JOIN_BYTES:
        return [(0, count)]
    cuts = np.searchsorted(starts, np.arange(JOIN_BYTES, int(starts[-1]), JOIN_BYTES))
    bounds = np.unique(np.concatenate(([0], cuts, [count])))
    return list(zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True))


def pickled_ints(values: np.ndarray, smallest: bool = True) -> Stream:
    """Each value (0 <= value < 2**31) as a pickle opcode: ``BININT1``, ``BININT2`` or
    ``BININT``, the smallest that holds it as pickle writes them, or with ``smallest``
    false always ``BININT`` (records of one width are cheaper to make)."""
    values = np.asarray(values, dtype=np.int64)
    rows = np.empty((len(values), 5), dtype=np.uint8)
    rows[:, 1:] = values.astype("<u4").view(np.uint8).reshape(-1, 4)
    if not smallest:
        rows[:, 0] = BININT[0]
        return Stream(rows.reshape(-1), np.full(len(values), 5, dtype=np.int64))
    small, medium = values < 256, (values >= 256) & (values < 65536)
    rows[:, 0] = np.where(small, BININT1[0], np.where(medium, BININT2[0], BININT[0]))
    widths = np.where(small, 2, np.where(medium, 3, 5)).astype(np.int64)
    return Stream(prefix(rows, widths), widths)


def pickled_floats(values: np.ndarray) -> Stream:
    """Each value as a pickle ``BINFLOAT`` (a big-endian double)."""
    rows = np.empty((len(values), 9), dtype=np.uint8)
    rows[:, 0] = BINFLOAT[0]
    rows[:, 1:] = np.asarray(values, dtype=">f8").view(np.uint8).reshape(-1, 8)
    return Stream(rows.reshape(-1), np.full(len(values), 9, dtype=np.int64))


def bytes_header(sizes: np.ndarray) -> Stream:
    """The pickle opcode that starts a bytes object of each size (``SHORT_BINBYTES`` below
    256 bytes, ``BINBYTES`` from there)."""
    sizes = np.asarray(sizes, dtype=np.int64)
    rows = np.empty((len(sizes), 5), dtype=np.uint8)
    short = sizes < 256
    rows[:, 0] = np.where(short, SHORT_BINBYTES[0], BINBYTES[0])
    rows[:, 1:] = sizes.astype("<u4").view(np.uint8).reshape(-1, 4)
    widths = np.where(short, 2, 5).astype(np.int64)
    return Stream(prefix(rows, widths), widths)


def position_values(
    positions: np.ndarray, freqs: np.ndarray, pickled: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Each posting's value as ``whoosh.formats.Positions.encode`` writes it (the count,
    then the position deltas as a protocol 2 pickle of a list), byte for byte; with
    ``pickled``, each as a pickled bytes object (opcode and length first).

    ``positions`` holds each posting's positions in order, postings back to back;
    ``freqs`` how many each has. Returns the values back to back and where each starts.
    Each byte is written in place: values are small, so one pass per field of them beats
    joining streams.
    """
    freqs = np.asarray(freqs, dtype=np.int64)
    firsts = np.cumsum(freqs) - freqs
    deltas = np.diff(positions, prepend=0)
    deltas[firsts] = positions[firsts]
    widths = np.where(deltas < 256, 2, np.where(deltas < 65536, 3, 5))
    # pickle appends a list's items in batches (MARK, items, APPENDS), a list of one item
    # as that item and APPEND; then STOP
    many = freqs > 1
    batches = -(-freqs // APPENDS_BATCH)
    items = np.add.reduceat(widths, firsts) if len(freqs) else widths[:0]
    body = 9 + items + np.where(many, 2 * batches, 1) + 1
    head = np.where(body < 256, 2, 5) if pickled else np.zeros(len(freqs), dtype=np.int64)
    starts = np.concatenate(([0], np.cumsum(head + body)))
    out = np.empty(int(starts[-1]), dtype=np.uint8)
    if pickled:
        header = bytes_header(body)
        out[_places(starts[:-1], header.lengths)] = header.data
    base = starts[:-1] + head
    rows = np.empty((len(freqs), 9), dtype=np.uint8)
    rows[:, :4] = freqs.astype(">u4").view(np.uint8).reshape(-1, 4)
    rows[:, 4:] = np.frombuffer(b"\x80\x02]q\x00", dtype=np.uint8)
    out[base[:, None] + np.arange(9)] = rows
    rank = np.arange(len(deltas)) - np.repeat(firsts, freqs)
    within = np.cumsum(widths) - widths
    within -= np.repeat(within[firsts], freqs)
    spread = np.repeat(many, freqs)
    at = np.repeat(base + 9, freqs) + spread + within + 2 * (rank // APPENDS_BATCH)
    out[at] = np.where(widths == 2, BININT1[0], np.where(widths == 3, BININT2[0], BININT[0]))
    raw = deltas.astype("<u4").view(np.uint8).reshape(-1, 4)
    for byte in range(4):
        kept = widths > byte + 1
        out[at[kept] + 1 + byte] = raw[kept, byte]
    opens = spread & (rank % APPENDS_BATCH == 0)
    out[at[opens] - 1] = MARK[0]
    last = np.zeros(len(deltas), dtype=bool)
    last[firsts + freqs - 1] = True
    closes = last | (rank % APPENDS_BATCH == APPENDS_BATCH - 1)
    out[at[closes] + widths[closes]] = np.where(spread[closes], ord("e"), ord("a"))
    out[starts[1:] - 1] = ord(".")
    return out, starts


def _places(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Positions ``starts[i]`` to ``starts[i] + lengths[i]``, back to back."""
    firsts = np.cumsum(lengths) - lengths
    return np.repeat(starts - firsts, lengths) + np.arange(int(lengths.sum()))
