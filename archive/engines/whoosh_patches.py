"""Targeted fixes to Whoosh internals, applied once when the engine is imported.

Each patch keeps Whoosh's behaviour and removes a cost measured in profiles of bulk
indexing (see the README's notes on throughput), or, for the bulk writer's subprocesses,
a way to outlive a killed parent.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from typing import Any

from whoosh import externalsort, multiproc
from whoosh.codec import whoosh3

from archive.workers import die_with_parent

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


#: postings pickled together when a writer spills a sorted run to disk
RUN_CHUNK = 8192


def _write_run(self: Any, f: Any, items: list[Any]) -> None:
    """Like ``SortingPool._write_run`` but pickling postings in chunks, not one by one.

    A writer whose postings outgrow its memory spills sorted runs to disk and reads them
    back to merge; one ``pickle.dump``/``load`` per posting made that the largest single
    cost of a big commit.
    """
    for start in range(0, len(items), RUN_CHUNK):
        pickle.dump(items[start : start + RUN_CHUNK], f, pickle.HIGHEST_PROTOCOL)
    f.close()


def _read_run(self: Any, path: str) -> Iterator[Any]:
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


_task_run = multiproc.SubWriterTask.run


def _run_task(self: Any) -> None:
    """Like ``SubWriterTask.run``, but the task dies with the writer that started it.

    An orphaned task waits for jobs forever while holding the index's locks it inherited.
    """
    die_with_parent()
    _task_run(self)


def apply() -> None:
    multiproc.SubWriterTask.run = _run_task
    whoosh3.W3PerDocReader._cached_reader = _cached_reader
    externalsort.SortingPool._write_run = _write_run
    externalsort.SortingPool._read_run = _read_run
