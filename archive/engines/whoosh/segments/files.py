"""The files of a W3 segment other than postings: the term index, columns, the compound file.

Each function returns the bytes Whoosh's own writer would write for the same content
(``filetables.OrderedHashWriter``, ``columns.VarBytesColumn``/``NumericColumn``,
``compound.CompoundStorage.assemble``), built from arrays.
"""

from __future__ import annotations

import hashlib
import io
import pickle
import struct
import time
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from whoosh import columns
from whoosh.filedb.structfile import StructFile

from archive.engines.whoosh import compat
from archive.engines.whoosh.segments.streams import Stream, join

_HASH_HEADER = b"HSH3" + bytes(9)  # tag, hash type 0 (md5), two unused ints
_SLOT = np.dtype([("hash", ">u4"), ("position", ">i8")])
_DIRECTORY = np.dtype([("position", ">i8"), ("slots", ">i4")])
#: VarBytesColumn writes an offsets array past this many documents (its default cutoff)
OFFSETS_CUTOFF = 2**15
#: array types a column's lengths and offsets grow through, and the term index's
COLUMN_CODES = ("B", "H", "i", "I")
INDEX_CODES = ("H", "i", "I", "q")
_LIMITS = {"B": 2**8, "H": 2**16, "i": 2**31, "I": 2**32, "q": 2**63}
_BIG_ENDIAN = {"B": ">u1", "H": ">u2", "i": ">i4", "I": ">u4", "q": ">i8"}


def terms_file(keys: list[bytes], values: np.ndarray, fieldmap: dict[str, int]) -> bytes:
    """An ordered hash file of ``keys`` (increasing) and their fixed-size ``values`` (one
    row of bytes per key), with ``fieldmap`` among its extras (``W3FieldWriter``)."""
    count = len(keys)
    key_sizes = np.fromiter(map(len, keys), np.int64, count)
    sizes = np.empty((count, 2), dtype=">i4")
    sizes[:, 0], sizes[:, 1] = key_sizes, values.shape[1]
    records, starts = join(
        [
            Stream(sizes.view(np.uint8).reshape(-1), np.full(count, 8, dtype=np.int64)),
            Stream(np.frombuffer(b"".join(keys), dtype=np.uint8), key_sizes),
            Stream(values.reshape(-1), np.full(count, values.shape[1], dtype=np.int64)),
        ]
    )
    positions = starts[:-1] + len(_HASH_HEADER)
    hashes = _md5_hashes(keys)
    tables, directory = _hash_tables(hashes, positions, len(_HASH_HEADER) + len(records))
    code = _typecode(int(positions[-1]) if count else 0, INDEX_CODES)
    extras = {"fieldmap": fieldmap, "indextype": code, "indexlen": count}
    tail = pickle.dumps(extras, pickle.HIGHEST_PROTOCOL) + _array(positions, code)
    return b"".join(
        [_HASH_HEADER, records.tobytes(), tables, directory, tail, struct.pack("!i", len(tail))]
    )


def _md5_hashes(keys: list[bytes]) -> np.ndarray:
    """``filetables.md5_hash`` of each key: the last four bytes of its MD5 digest."""
    digests = b"".join(hashlib.md5(key, usedforsecurity=False).digest() for key in keys)
    rows = np.frombuffer(digests, dtype=np.uint8).reshape(len(keys), 16)
    return np.ascontiguousarray(rows[:, 12:]).view(">u4").reshape(-1).astype(np.int64)


def _hash_tables(hashes: np.ndarray, positions: np.ndarray, base: int) -> tuple[bytes, bytes]:
    """The 256 open-addressing tables (``HashWriter._write_hashes``) and their directory."""
    buckets = hashes & 255
    order = np.argsort(buckets, kind="stable")
    counts = np.bincount(buckets, minlength=256)
    slots = np.zeros(int(counts.sum()) * 2, dtype=_SLOT)
    directory = np.zeros(256, dtype=_DIRECTORY)
    start = 0
    for bucket, first in enumerate((np.cumsum(counts) - counts).tolist()):
        size = int(counts[bucket]) * 2
        directory[bucket] = (base + start * _SLOT.itemsize, size)
        if size:
            entries = order[first : first + size // 2]
            taken = _probe((hashes[entries] >> 8) % size, size)
            slots["hash"][start + taken] = hashes[entries]
            slots["position"][start + taken] = positions[entries]
        start += size
    return slots.tobytes(), directory.tobytes()


def _probe(homes: np.ndarray, size: int) -> np.ndarray:
    """Linear probing in insertion order: each entry's slot."""
    free = [True] * size
    taken = []
    for home in homes.tolist():
        while not free[home]:
            home = (home + 1) % size
        free[home] = False
        taken.append(home)
    return np.asarray(taken, dtype=np.int64)


def _typecode(largest: int, codes: tuple[str, ...] = COLUMN_CODES) -> str:
    """The array type ``GrowableArray`` ends with when its largest number is ``largest``."""
    for code in codes:
        if largest < _LIMITS[code]:
            return code
    raise OverflowError(f"{largest} is too big for a column")


def _array(values: np.ndarray, code: str) -> bytes:
    """``values`` as a big-endian array of type ``code`` (``StructFile.write_array``)."""
    return np.asarray(values).astype(_BIG_ENDIAN[code]).tobytes()


def lengths_column(lengths: np.ndarray) -> bytes:
    """The ``_<field>_len`` column (``LENGTHS_COLUMN``): each document's length byte, up
    to the last document with a length."""
    written = np.flatnonzero(lengths)
    return lengths[: written[-1] + 1].astype(np.uint8).tobytes() if len(written) else b""


def numeric_column(column: columns.NumericColumn, values: Sequence[Any]) -> bytes:
    """A numeric column: every value up to the last one that is not the default, the
    default in documents without one."""
    typecode, default = compat.numeric_column_format(column)
    kept = [default if value is None else value for value in values]
    last = max((i for i, value in enumerate(kept) if value != default), default=-1)
    return struct.pack(f"!{last + 1}{typecode}", *kept[: last + 1])


def varbytes_column(values: Sequence[bytes | None], count: int) -> bytes:
    """A ``VarBytesColumn`` (also the layout of compressed and pickled columns): the values
    back to back, then their lengths, then (past the cutoff) their offsets, then typecodes."""
    sizes = np.fromiter((len(value) if value else 0 for value in values), np.int64, count)
    data = b"".join(value for value in values if value)
    codes = _typecode(int(sizes.max()) if count else 0)
    parts = [data, _array(sizes, codes)]
    if count > OFFSETS_CUTOFF:
        offsets = np.cumsum(sizes) - sizes
        code = _typecode(int(offsets[-1]))
        parts.append(_array(offsets, code))
        codes += code + "X"
    parts.append(codes.encode("ascii"))
    return b"".join(parts)


def other_column(column: columns.Column, values: Sequence[Any], count: int) -> bytes:
    """Any other column type, through its own writer."""
    buffer = io.BytesIO()
    writer = column.writer(StructFile(buffer))
    for docnum, value in enumerate(values):
        if value is not None:
            writer.add(docnum, value)
    writer.finish(count)
    return buffer.getvalue()


class Compound:
    """A compound segment file (``CompoundStorage.assemble``) written file by file to
    ``handle`` (a new ``StructFile``), so no file needs to be whole in memory."""

    def __init__(self, handle: Any) -> None:
        self._handle = handle
        self._handle.write(bytes(12))  # where the directory is, and its length
        self._position = 12
        self._directory: dict[str, dict[str, Any]] = {}

    def add(self, name: str, parts: Iterable[bytes]) -> None:
        """Add a file made of ``parts`` (written as they come)."""
        start = self._position
        for part in parts:
            self._handle.write(part)
            self._position += len(part)
        length = self._position - start
        self._directory[name] = {"offset": start, "length": length, "modified": time.time()}

    def close(self) -> None:
        tail = pickle.dumps(self._directory, -1) + pickle.dumps({}, -1)
        self._handle.write(tail)
        self._handle.seek(0)
        self._handle.write(struct.pack("!qi", self._position, len(tail)))
        self._handle.close()
