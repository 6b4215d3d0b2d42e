"""The disk refusing a write, said one way for every store the archive writes.

A full, failing or read-only disk shows up as an ``OSError`` from file writes (the index)
or as an SQLite error with an I/O, full or read-only code (the catalog). ``disk_writes``
turns either into ``StorageError``: one line naming what could not be written, why, how
much room is left (SQLite reports a full disk as an I/O error) and what to do.
"""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from archive.errors import StorageError

#: SQLite's result codes for a disk that refuses to write: failing, full, read-only
SQLITE_DISK_ERRORS = (sqlite3.SQLITE_IOERR, sqlite3.SQLITE_FULL, sqlite3.SQLITE_READONLY)


def refused(exc: BaseException) -> bool:
    """Whether ``exc`` is the disk refusing a write, rather than a mistake in the writing."""
    if isinstance(exc, sqlite3.OperationalError):
        return getattr(exc, "sqlite_errorcode", 0) & 0xFF in SQLITE_DISK_ERRORS
    return isinstance(exc, OSError)


@contextmanager
def disk_writes(
    what: str, place: Path | str | None, undo: Callable[[], object] | None = None
) -> Iterator[None]:
    """Raise ``StorageError`` when the disk refuses a write made in the block.

    ``what`` names the store for the message ("the catalog /data/catalog.sqlite3"),
    ``place`` is a file or folder of it (for the free space), ``undo`` drops the changes
    the block left unfinished before the error is raised. Other errors pass unchanged.
    """
    try:
        yield
    except (OSError, sqlite3.OperationalError) as exc:
        if not refused(exc):
            raise
        if undo is not None:
            with suppress(sqlite3.Error, OSError):
                undo()
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise StorageError(
            f"cannot write {what}: {reason}{free_space(place)}. The unfinished changes were "
            f"dropped and what was committed before is intact; {_advice(exc)}, then run the "
            "command again"
        ) from exc


def check_writable(folder: Path) -> None:
    """Make sure ``folder`` exists and takes new files, before a writer changes anything.

    Creates the folder (and its parents) if needed, then creates and removes one empty
    file in it; raises ``StorageError`` naming the folder when the disk refuses.
    """
    with disk_writes(f"the data directory {folder}", folder):
        folder.mkdir(parents=True, exist_ok=True)
        handle, probe = tempfile.mkstemp(prefix=".write-probe-", dir=folder)
        os.close(handle)
        os.unlink(probe)


def _advice(exc: BaseException) -> str:
    """What to do about a refused write, by its cause."""
    if isinstance(exc, OSError):
        if exc.errno == errno.EROFS:
            return "its file system is read-only: mount it read-write or choose another --data-dir"
        if exc.errno in (errno.EACCES, errno.EPERM):
            return "this user may not write there: fix the permissions or choose another --data-dir"
    elif getattr(exc, "sqlite_errorcode", 0) & 0xFF == sqlite3.SQLITE_READONLY:
        return "it is read-only: make it writable or choose another --data-dir"
    return "free some space or fix the disk"


def free_space(place: Path | str | None) -> str:
    """`` (N MB free on its file system)`` for a file or folder, or nothing if unknown."""
    if place is None:
        return ""
    path = Path(place)
    for candidate in (path, path.parent):
        try:
            free = shutil.disk_usage(candidate).free
        except OSError:
            continue
        return f" ({free / 1e6:.1f} MB free on its file system)"
    return ""
