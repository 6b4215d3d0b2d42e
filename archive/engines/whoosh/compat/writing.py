"""Leaner paths through Whoosh's segment writer, for bulk indexing.

Each function replaces one Whoosh method with one that writes the same index, byte for
byte, with less work: a bulk run writes millions of postings, so a cost paid per posting
adds up to a large share of the writer's time. ``compat.apply`` installs them.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from typing import Any

from whoosh.codec import whoosh3
from whoosh.util.numeric import byte_to_length

_MISSING = object()

#: a length byte's length; 0 means none (Whoosh's ``doc_field_length`` gives None then)
_LENGTHS = [None, *(byte_to_length(byte) for byte in range(1, 256))]


class _SegmentLengths:
    """The field lengths of a segment being written, each field's column read once.

    Writing a segment asks for the length of the posting's field in its document for
    every posting, and ``W3PerDocReader`` answers each through a column reader and a file
    read: a fifth of the time of a commit.
    """

    def __init__(self, reader: Any) -> None:
        self._reader = reader
        self._fields: dict[str, list[int | None] | None] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int | None:
        lengths = self._fields.get(fieldname, _MISSING)
        if lengths is _MISSING:
            lengths = self._fields[fieldname] = self._load(fieldname)
        if lengths is None:
            return default
        return lengths[docnum]  # type: ignore[index]

    def _load(self, fieldname: str) -> list[int | None] | None:
        column = self._reader._cached_reader(whoosh3._lenfield(fieldname), whoosh3.LENGTHS_COLUMN)
        if column is None:
            return None
        return [_LENGTHS[byte] for byte in column]

    def close(self) -> None:
        self._reader.close()


def flush_segment(self: Any) -> None:
    """``SegmentWriter._flush_segment`` with the lengths read through ``_SegmentLengths``."""
    self.perdocwriter.close()
    lengths = _SegmentLengths(self.per_document_reader()) if self.codec.length_stats else None
    self.fieldwriter.add_postings(self.schema, lengths, self.pool.iter_postings())
    self.fieldwriter.close()
    if lengths:
        lengths.close()


def cached_reader(self: Any, fieldname: str, column: Any) -> Any:
    """Like ``W3PerDocReader._cached_reader`` but remembering absent columns too.

    Whoosh asks for the length column of every posting it writes; for fields without one
    (keyword and numeric fields) the original asks the file system each time: millions of
    ``stat`` calls in a bulk run.
    """
    reader = self._readers.get(fieldname, _MISSING)
    if reader is _MISSING:
        reader = self.column_reader(fieldname, column) if self.has_column(fieldname) else None
        self._readers[fieldname] = reader
    return reader


#: postings pickled together when a writer spills a sorted run to disk
RUN_CHUNK = 8192


def write_run(self: Any, f: Any, items: list[Any]) -> None:
    """Like ``SortingPool._write_run`` but pickling postings in chunks, not one by one.

    A writer whose postings outgrow its memory spills sorted runs to disk and reads them
    back to merge; one ``pickle.dump``/``load`` per posting made that the largest single
    cost of a big commit.
    """
    for start in range(0, len(items), RUN_CHUNK):
        pickle.dump(items[start : start + RUN_CHUNK], f, pickle.HIGHEST_PROTOCOL)
    f.close()


def read_run(self: Any, path: str) -> Iterator[Any]:
    """``SortingPool._read_run`` for runs written by ``write_run``, a chunk at a time."""
    f = self._open_run(path)
    try:
        while True:
            try:
                chunk = pickle.load(f)
            except EOFError:
                return
            yield from chunk
    finally:
        f.close()
        self._remove_run(path)
