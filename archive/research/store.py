"""The research store: saved searches and the id sets behind citations, in
``research.sqlite3`` beside the catalog.

A database of its own, so saving a search or recording a citation never waits for an
indexer's batch (which holds the catalog's write transaction), and ``reindex``, which
rebuilds the catalog's tables, leaves it alone. Id sets are kept once per fingerprint
(sha256 of the sorted ids): the same result set cited a thousand times is stored once.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import threading
import zlib
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from archive.errors import ArchiveError
from archive.indexing.database import connect, connect_for_reading

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS idsets (
    fingerprint TEXT PRIMARY KEY,
    count INTEGER NOT NULL,
    ids BLOB NOT NULL,
    created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS saved_searches (
    name TEXT PRIMARY KEY,
    request TEXT NOT NULL,
    created TEXT NOT NULL,
    seen TEXT,
    seen_at TEXT,
    counted TEXT,
    counted_at TEXT
);
"""


def fingerprint(ids: Iterable[str]) -> tuple[str, list[str]]:
    """The sha256 of the ids sorted, each followed by a newline, and the sorted ids."""
    ordered = sorted(ids)
    digest = hashlib.sha256()
    digest.update("".join(f"{article_id}\n" for article_id in ordered).encode("utf-8"))
    return digest.hexdigest(), ordered


def now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


class Store:
    """Saved searches and recorded id sets; safe to share between threads.

    Reading creates nothing: the database is made by the first write. Recording the ids of
    a citation is best effort (a data directory that does not exist, or cannot be written,
    gets none: the citation is given all the same, and a later check of it can tell
    whether it holds, not what changed); saving a search is a write that must succeed.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lock = threading.Lock()
        self._db: sqlite3.Connection | None = None

    def _open(self, create: bool) -> sqlite3.Connection | None:
        """The database (made when ``create`` and absent); None when absent; read as it is
        when it cannot be written (a read-only data directory). Call locked."""
        if self._db is None and (create or self.path.exists()):
            try:
                self._db = connect(self.path, SCHEMA)
            except (ArchiveError, sqlite3.Error):
                if create or not self.path.exists():
                    raise
                self._db = connect_for_reading(self.path)
        return self._db

    def close(self) -> None:
        with self.lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    # id sets ---------------------------------------------------------------------------

    def record(self, key: str, ordered: list[str]) -> None:
        """Keep the sorted ids whose fingerprint is ``key`` (once), if the data directory
        is there and takes writes."""
        if not self.path.parent.is_dir():
            return
        with self.lock:
            try:
                db = self._open(create=True)
                assert db is not None
                if db.execute("SELECT 1 FROM idsets WHERE fingerprint = ?", (key,)).fetchone():
                    return
                blob = zlib.compress("\n".join(ordered).encode("utf-8"), 6)
                db.execute(
                    "INSERT OR IGNORE INTO idsets (fingerprint, count, ids, created) "
                    "VALUES (?,?,?,?)",
                    (key, len(ordered), blob, now()),
                )
            except (ArchiveError, sqlite3.Error) as exc:
                log.debug("the ids behind a citation are not recorded: %s", exc)

    def ids(self, key: str) -> list[str] | None:
        """The ids recorded under fingerprint ``key``, sorted; None when not recorded."""
        with self.lock:
            db = self._open(create=False)
            row = None
            if db is not None:
                row = db.execute("SELECT ids FROM idsets WHERE fingerprint = ?", (key,)).fetchone()
        if row is None:
            return None
        text = zlib.decompress(row[0]).decode("utf-8")
        return text.split("\n") if text else []

    # saved searches --------------------------------------------------------------------

    def save(self, name: str, request: dict[str, Any], key: str) -> bool:
        """Save a search (its request as JSON), its current matches counted as seen;
        False when the name is taken."""
        stamp = now()
        with self.lock:
            db = self._open(create=True)
            assert db is not None
            cursor = db.execute(
                "INSERT OR IGNORE INTO saved_searches "
                "(name, request, created, seen, seen_at, counted, counted_at) "
                "VALUES (?,?,?,?,?,?,?)",
                (name, json.dumps(request), stamp, key, stamp, key, stamp),
            )
            return cursor.rowcount == 1

    def saved(self) -> list[dict[str, Any]]:
        """Every saved search's row, by name."""
        with self.lock:
            db = self._open(create=False)
            rows = (
                []
                if db is None
                else db.execute(
                    "SELECT name, request, created, seen, seen_at, counted, counted_at "
                    "FROM saved_searches ORDER BY name"
                ).fetchall()
            )
        columns = ("name", "request", "created", "seen", "seen_at", "counted", "counted_at")
        found = [dict(zip(columns, row, strict=True)) for row in rows]
        for row in found:
            row["request"] = json.loads(row["request"])
        return found

    def remove(self, name: str) -> bool:
        with self.lock:
            db = self._open(create=False)
            if db is None:
                return False
            return db.execute("DELETE FROM saved_searches WHERE name = ?", (name,)).rowcount == 1

    def mark(self, name: str, column: str, key: str) -> None:
        """Set a saved search's ``seen`` or ``counted`` fingerprint (and its time) to ``key``."""
        if column not in ("seen", "counted"):
            raise ValueError(column)
        with self.lock:
            db = self._open(create=True)
            assert db is not None
            db.execute(
                f"UPDATE saved_searches SET {column} = ?, {column}_at = ? WHERE name = ?",
                (key, now(), name),
            )
