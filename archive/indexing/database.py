"""The archive's SQLite database (the catalog, the copy fingerprints): opening it, and a
connection whose disk errors are ours.

The database is in WAL mode, so searches read while an indexer writes; every statement
runs through ``archive.storage.disk_writes``, so a disk that refuses a write rolls the
open transaction back and raises ``StorageError``.

Readers open it with ``connect_for_reading``, which creates nothing: not the folder, not
the file, not the tables. A WAL database needs its ``-shm`` index to be read, and a
read-only folder cannot hold a new one; there the database is read as an immutable file
(what its last writer checkpointed into it).
"""

from __future__ import annotations

import logging
import sqlite3
import time
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from archive.errors import ArchiveError
from archive.storage import disk_writes

log = logging.getLogger(__name__)

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


def connect_for_reading(path: Path) -> sqlite3.Connection:
    """Open the existing database at ``path`` to read it, creating nothing.

    Tried in turn: a plain connection (in a writable folder it tidies its ``-wal`` and
    ``-shm`` files away when it closes), a read-only one (where those files exist: it sees
    what a running writer commits), and an immutable one (a read-only folder without
    them). ``FileNotFoundError`` when there is no database; ``ArchiveError`` when none of
    these can read it.
    """
    if not path.is_file():
        raise FileNotFoundError(path)
    problem: sqlite3.Error | None = None
    for mode in ("rw", "ro", "ro&immutable=1"):
        db = None
        try:
            db = sqlite3.connect(
                f"{path.absolute().as_uri()}?mode={mode}",
                uri=True,
                timeout=OPEN_TIMEOUT,
                isolation_level=None,
                check_same_thread=False,
                factory=_Connection,
            )
            # the plain execute: a refusal here means "try the next way", not a failed write
            sqlite3.Connection.execute(db, "SELECT COUNT(*) FROM sqlite_master").fetchone()
            sqlite3.Connection.execute(db, "PRAGMA query_only = ON")  # a reader never writes
        except sqlite3.Error as exc:
            problem = exc
            if db is not None:
                db.close()
            continue
        db.path = path
        if "immutable" in mode and _size(path.with_name(f"{path.name}-wal")):
            log.warning(
                "%s-wal holds changes to %s that cannot be read in a read-only folder without "
                "its -shm file; what the catalog shows may be older than the index",
                path,
                path,
            )
        return db
    raise ArchiveError(f"the catalog {path} cannot be read: {problem}")


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


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
