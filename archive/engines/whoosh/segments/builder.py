"""Whoosh segments written from arrays, and added to an index as Whoosh's commit does.

Whoosh's own writer adds a document's postings one at a time in Python and writes them
one at a time again at commit: most of the cost of bulk indexing. ``SegmentBuilder``
takes documents already analysed into arrays (``analysis``, in the
processes that parse them), puts each field's postings in term order with one sort, and
writes a complete W3 segment (term index, posting blocks, field lengths, columns, stored
fields, in one compound file) that Whoosh's readers read like one of its own. ``commit``
then publishes segments and deletions in a new generation of the index's table of
contents, written and renamed into place exactly as ``SegmentWriter.commit`` does, so a
crash before the rename leaves the index as it was.
"""

from __future__ import annotations

import struct
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np
from whoosh import columns, fields, formats
from whoosh.codec import default_codec
from whoosh.codec.whoosh3 import W3Codec, W3Segment
from whoosh.index import TOC, FileIndex, clean_files
from whoosh.reading import SegmentReader
from whoosh.util.numeric import byte_to_length

from archive.engines.whoosh import compat
from archive.engines.whoosh.segments.analysis import Analysed
from archive.engines.whoosh.segments.files import (
    OFFSETS_CUTOFF,
    Compound,
    lengths_column,
    numeric_column,
    other_column,
    terms_file,
    varbytes_column,
)
from archive.engines.whoosh.segments.order import FieldPostings
from archive.engines.whoosh.segments.postings import (
    FREQUENCIES,
    NO_VALUES,
    TERMINFO,
    VALUES,
    Layout,
    encode,
)

#: the length each length byte stands for (``whoosh.util.numeric.byte_to_length``)
_BYTE_LENGTHS = np.array([byte_to_length(code) for code in range(256)], dtype=np.int64)


def length_bytes(lengths: np.ndarray) -> np.ndarray:
    """``whoosh.util.numeric.length_to_byte`` of each length."""
    return np.minimum(np.searchsorted(_BYTE_LENGTHS, lengths, side="left"), 255).astype(np.uint8)


class SegmentBuilder:
    """Analysed batches gathered into one segment, written when ``write`` is called."""

    def __init__(self, schema: fields.Schema, layout: Layout | None = None) -> None:
        self.schema = schema
        self.layout = layout or Layout()
        self._reset()

    def _reset(self) -> None:
        #: documents added since the last segment was written
        self.count = 0
        self._postings: dict[str, FieldPostings] = defaultdict(FieldPostings)
        self._lengths: dict[str, list[tuple[int, np.ndarray]]] = defaultdict(list)
        self._columns: dict[str, list[tuple[int, list[Any]]]] = defaultdict(list)
        self._stored: list[bytes] = []
        self._stored_bytes = 0

    def add(self, batch: Analysed) -> None:
        """Add a batch's documents (their numbers follow the documents added before)."""
        base = self.count
        for name, found in batch.fields.items():
            self._postings[name].add(found, base)
        for name, lengths in batch.lengths.items():
            self._lengths[name].append((base, lengths))
        for name, values in batch.columns.items():
            self._columns[name].append((base, values))
        self._stored.extend(batch.stored)
        self._stored_bytes += sum(map(len, batch.stored))
        self.count += batch.count

    def size(self) -> int:
        """About how many bytes the documents added so far take (postings and stored
        fields), to write a segment before they outgrow the memory they may have."""
        postings = sum(field.size() for field in self._postings.values())
        return postings + self._stored_bytes + 8 * self.count * len(self._lengths)

    def write(self, index: FileIndex) -> W3Segment | None:
        """Write the documents added so far as one compound segment of ``index`` (not yet
        in its table of contents: see ``commit``) and start a new one."""
        if not self.count:
            return None
        segment = default_codec().new_segment(index.storage, index.indexname)
        lengths = {name: self._joined_lengths(name) for name in self._lengths}
        bytes_of = {name: length_bytes(values) for name, values in lengths.items()}
        names = sorted(name for name in self._postings if self._postings[name].parts)
        keys: list[bytes] = []
        entries: list[bytes] = []
        compound = Compound(index.storage.create_file(segment.make_filename(segment.COMPOUND_EXT)))
        postings = self._posting_lists(names, bytes_of, keys, entries)
        compound.add(segment.make_filename(W3Codec.POSTS_EXT), postings)
        table = np.frombuffer(b"".join(entries), dtype=np.uint8).reshape(-1, TERMINFO.itemsize)
        fieldmap = {name: number for number, name in enumerate(names)}
        compound.add(segment.make_filename(W3Codec.TERMS_EXT), [terms_file(keys, table, fieldmap)])
        for name, data in self._column_files(segment, bytes_of):
            compound.add(name, [data])
        compound.close()
        segment.set_doc_count(self.count)
        totals = {name: int(lengths[name].sum()) for name in sorted(lengths)}
        compat.set_field_lengths(segment, {name: total for name, total in totals.items() if total})
        segment.compound = True
        self._reset()
        return segment

    def _posting_lists(
        self,
        names: list[str],
        bytes_of: dict[str, np.ndarray],
        keys: list[bytes],
        entries: list[bytes],
    ) -> Iterator[bytes]:
        """Each field's posting lists in turn (one field in memory at a time), filling
        ``keys`` and ``entries`` with its terms' keys and entries."""
        offset = 0
        for number, name in enumerate(names):
            kind = _kind(self.schema[name])
            texts, slices = self._postings[name].ordered(bytes_of.get(name), kind)
            prefix = struct.pack("!H", number)
            keys.extend(prefix + text for text in texts)
            for part, terms in slices:
                data, found = encode(part, terms, self.layout, offset)
                entries.append(found.tobytes())  # (numpy would join them in native order)
                offset += len(data)
                yield data

    def _joined_lengths(self, name: str) -> np.ndarray:
        joined = np.zeros(self.count, dtype=np.int64)
        for base, values in self._lengths[name]:
            joined[base : base + len(values)] = values
        return joined

    def _column_files(
        self, segment: W3Segment, bytes_of: dict[str, np.ndarray]
    ) -> list[tuple[str, bytes]]:
        files = [("_stored", varbytes_column(self._stored, self.count))]
        for name in sorted(bytes_of):
            if bytes_of[name].any():
                files.append((f"_{name}_len", lengths_column(bytes_of[name])))
        for name in sorted(self._columns):
            values: list[Any] = [None] * self.count
            for base, given in self._columns[name]:
                values[base : base + len(given)] = given
            if all(value is None for value in values):
                continue
            files.append((name, _column(self.schema[name].column_type, values, self.count)))
        return [(W3Codec.column_filename(segment, name), data) for name, data in sorted(files)]


def _kind(fieldobj: Any) -> str:
    fmt = fieldobj.format
    if type(fmt) is formats.Frequency:
        return FREQUENCIES
    return NO_VALUES if fmt.fixed_value_size() == 0 else VALUES


def _column(column: columns.Column, values: list[Any], count: int) -> bytes:
    plain = type(column) is columns.VarBytesColumn and column.allow_offsets
    if plain and column.write_offsets_cutoff == OFFSETS_CUTOFF:
        return varbytes_column(values, count)
    if type(column) is columns.NumericColumn:
        return numeric_column(column, values)
    return other_column(column, values, count)


def commit(
    index: FileIndex, segments: Iterable[W3Segment], delete: dict[str, Iterable[Any]] | None = None
) -> list[W3Segment]:
    """Publish ``segments`` and delete the documents holding any of ``delete``'s terms (in
    the segments already there) in a new generation of the table of contents; the caller
    holds the index's write lock. Returns the segments the index holds now."""
    storage, name = index.storage, index.indexname
    toc = TOC.read(storage, name)
    existing = list(toc.segments)
    if delete:
        _delete(storage, toc.schema, existing, delete)
    final = existing + [segment for segment in segments if segment is not None]
    TOC(toc.schema, final, toc.generation + 1).write(storage, name)
    clean_files(storage, name, toc.generation + 1, final)
    return final


def _delete(
    storage: Any, schema: fields.Schema, segments: list[Any], delete: dict[str, Iterable[Any]]
) -> None:
    terms = [
        (field, schema[field].to_bytes(value))
        for field, values in delete.items()
        for value in values
    ]
    for segment in segments:
        reader = SegmentReader(storage, schema, segment)
        try:
            for term in terms:
                if term in reader:
                    for docnum in reader.postings(*term).all_ids():
                        segment.delete_document(docnum)
        finally:
            reader.close()
