"""Targeted fixes to Whoosh internals, applied once when the engine is imported.

Each patch keeps Whoosh's behaviour and removes a cost measured in profiles of bulk
indexing (see the README's notes on throughput), a private copy of the index in every
searcher, or, for the bulk writer's subprocesses, a way to outlive a killed parent; one
fixes a wrong answer (``_and_not_first``).
"""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from typing import Any

from whoosh import externalsort, multiproc
from whoosh.codec import whoosh3
from whoosh.filedb import structfile
from whoosh.matching import binary

from archive.engines import whoosh_writing
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


class _View:
    """A read-only file over a memoryview of the index's mapped file, without a copy.

    Whoosh reads each part of a compound segment through ``BytesIO(memoryview)``, which
    copies the part: every searcher (there is one per thread) held private copies of the
    postings and term index, about 250 MB per searcher on 108,000 articles.
    """

    def __init__(self, view: memoryview) -> None:
        self._view = view
        self._position = 0

    def read(self, size: int | None = -1) -> bytes:
        end = len(self._view)
        if size is not None and size >= 0:
            end = min(end, self._position + size)
        data = self._view[self._position : end].tobytes()
        self._position = max(self._position, end)
        return data

    def readline(self, size: int | None = -1) -> bytes:
        line = bytearray()
        while size is None or size < 0 or len(line) < size:
            byte = self.read(1)
            line += byte
            if not byte or byte == b"\n":
                break
        return bytes(line)

    def seek(self, offset: int, whence: int = 0) -> int:
        base = (0, self._position, len(self._view))[whence]
        self._position = max(0, base + offset)
        return self._position

    def tell(self) -> int:
        return self._position

    def close(self) -> None:
        self._position = 0

    def __iter__(self) -> Iterator[bytes]:
        while line := self.readline():
            yield line


def _buffer_file(self: Any, buf: Any, name: str | None = None, onclose: Any = None) -> None:
    """``BufferFile.__init__`` reading ``buf`` in place (see ``_View``)."""
    self._buf = buf
    self._name = name
    self.file = _View(memoryview(buf))
    self.onclose = onclose
    self.is_real = False
    self.is_closed = False


def _and_not_first(self: Any) -> None:
    """``AndNotMatcher._find_first`` that also skips the excluded matcher forward.

    The original looks for an excluded first document only when both matchers start on
    the same one, so ``a ANDNOT b`` kept ``a``'s first document whenever ``b`` started
    earlier and also held it (``tests/test_querylang.py`` shows it).
    """
    if self.a.is_active() and self.b.is_active():
        self._find_next()


def apply() -> None:
    binary.AndNotMatcher._find_first = _and_not_first
    whoosh_writing.apply()
    structfile.BufferFile.__init__ = _buffer_file
    multiproc.SubWriterTask.run = _run_task
    whoosh3.W3PerDocReader._cached_reader = _cached_reader
    externalsort.SortingPool._write_run = _write_run
    externalsort.SortingPool._read_run = _read_run
