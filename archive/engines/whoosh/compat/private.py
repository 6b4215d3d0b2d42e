"""Reads of Whoosh's private attributes, each behind one function (listed in ``PRIVATE``).

The array view reads a term's postings a block at a time and a segment's field lengths as
one column, where Whoosh's public matchers and readers give them one document at a time;
the writer takes the index's write lock itself so it can always release it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from whoosh.codec import whoosh3

if TYPE_CHECKING:
    import numpy as np

    #: one posting block: document numbers (segment-local, ascending) and the block's
    #: weights (or, with ``values``, its encoded values)
    Block = tuple[np.ndarray, Any]


def posting_blocks(matcher: Any, values: bool = False) -> Iterator[Block] | None:
    """A Whoosh 3 term matcher's postings block by block (up to 128 postings each), as
    ``W3LeafMatcher`` decodes them; ``None`` for any other matcher, which is then read one
    posting at a time."""
    if not isinstance(matcher, whoosh3.W3LeafMatcher) or matcher._byteids:
        return None
    return _blocks(matcher, values)


def _blocks(matcher: Any, values: bool) -> Iterator[Block]:
    import numpy as np  # here: opening a searcher applies the patches, only searches need it

    while matcher.is_active():
        if matcher._data is None:
            matcher._read_data()
        ids = np.cumsum(np.asarray(matcher._data[0], dtype=np.int64))  # stored as deltas
        if values:
            matcher._read_values()
            yield ids, matcher._values
        else:
            yield ids, _weights(matcher._data[1], matcher._blocklength)
        matcher._next_block()


def _weights(stored: Any, count: int) -> np.ndarray:
    """A block's weights as ``W3LeafMatcher._read_weights`` reads them: ``None`` for all
    1.0, one float (single precision) for all alike, else one per posting."""
    import numpy as np

    if stored is None:
        return np.ones(count)
    if isinstance(stored, float):
        return np.full(count, np.float32(stored), dtype=np.float64)
    return np.asarray(stored, dtype=np.float64)


def length_column(reader: Any, field: str) -> Any:
    """A segment's column of one-byte field lengths of ``field`` (a column of the codec,
    not of the schema), or ``None`` when no document has the field."""
    perdoc = reader._perdoc
    name = whoosh3._lenfield(field)
    if not perdoc.has_column(name):
        return None
    return perdoc.column_reader(name, whoosh3.LENGTHS_COLUMN)


def locked_writer(ix: Any, lock: Any, options: dict[str, Any]) -> Any:
    """``ix.writer(**options)`` under ``lock``, a write lock the caller holds already:
    Whoosh takes none of its own (``_lk=False``) and releases this one on commit or cancel
    (its ``writelock``)."""
    writer = ix.writer(_lk=False, **options)
    writer.writelock = lock
    return writer


def writer_lock(writer: Any) -> Any:
    """The write lock a writer from ``locked_writer`` holds, if any."""
    return getattr(writer, "writelock", None)


def set_field_lengths(segment: Any, totals: dict[str, int]) -> None:
    """Give a segment its fields' total lengths, where ``W3PerDocWriter.close`` leaves them
    (they travel with the segment into the table of contents)."""
    from collections import defaultdict

    segment._fieldlengths = defaultdict(int, totals)


def numeric_width(field: Any) -> int:
    """How many bytes a ``NUMERIC`` field's sortable number takes in its terms."""
    return int(field._struct.size)


def numeric_column_format(column: Any) -> tuple[str, Any]:
    """A ``NumericColumn``'s struct typecode and the value of documents without one."""
    return column._typecode, column._default
