"""The archive's SQLite database (the catalog, the copy fingerprints): opening it, and a
connection whose disk errors are ours.

The database is in WAL mode, so searches read while an indexer writes; every statement
runs through ``archive.storage.disk_writes``, so a disk that refuses a write rolls the
open transaction back and raises ``StorageError``.
"""

from __future__ import annotations

import sqlite3
import time
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from archive.errors import ArchiveError
from archive.storage import disk_writes

#: seconds to wait for other processes while opening (and creating) the database
OPEN_TIMEOUT = 30


def connect(path: Path, schema: str) -> sqlite3.Connection:
    """Open (or create) the database at ``path`` with the tables of ``schema``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        db = sqlite3.connect(
            path,
            timeout=30,
            isolation_level=None,
            check_same_thread=False,
            factory=_Connection,
        )
        db.path = path
        _prepare(db, schema)
    except sqlite3.DatabaseError as exc:
        raise ArchiveError(f"the catalog {path} cannot be opened: {exc}") from exc
    return db


def _prepare(db: sqlite3.Connection, schema: str) -> None:
    """Switch to WAL and create the tables, waiting out other processes doing the same.

    Changing the journal mode does not wait on SQLite's busy timeout: several processes
    opening a new catalog at once get "database is locked" straight away, so retry.
    """
    deadline = time.monotonic() + OPEN_TIMEOUT
    while True:
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.executescript(schema)
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


class _Connection(sqlite3.Connection):
    """A connection whose disk errors are ours (``StorageError``), with what to do."""

    path: Path | None = None

    def execute(self, *args: Any) -> sqlite3.Cursor:
        with self._writes():
            return super().execute(*args)

    def executemany(self, *args: Any) -> sqlite3.Cursor:
        with self._writes():
            return super().executemany(*args)

    def executescript(self, *args: Any) -> sqlite3.Cursor:
        with self._writes():
            return super().executescript(*args)

    def _writes(self) -> AbstractContextManager[None]:
        return disk_writes(f"the catalog {self.path}", self.path, undo=self._drop)

    def _drop(self) -> None:
        if self.in_transaction:
            self.rollback()
