"""Targeted fixes to Whoosh internals, applied once when the engine is imported.

Each patch keeps Whoosh's behaviour and removes a cost measured in profiles of bulk
indexing (see the README's notes on throughput).
"""

from __future__ import annotations

from typing import Any

from whoosh.codec import whoosh3

_MISSING = object()


def _cached_reader(self: Any, fieldname: str, column: Any) -> Any:
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


def apply() -> None:
    whoosh3.W3PerDocReader._cached_reader = _cached_reader
