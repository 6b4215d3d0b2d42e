"""The catalog: an embedded SQLite record of every source and the articles it gave.

It makes re-runs incremental (size, mtime and content hash per source) and bad files
visible (status and error per source). The index is always written before the catalog,
so after a crash the catalog never claims an article the index lacks; a source the
catalog does not know yet is simply parsed again, and re-adding by id never duplicates.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

from archive.errors import ArchiveError
from archive.indexing.database import connect, connect_for_reading
from archive.indexing.journal import Entry
from archive.models import SourceRecord

SCHEMA = """
CREATE TABLE IF NOT EXISTS sources (
    path TEXT PRIMARY KEY,
    file TEXT NOT NULL,
    file_size INTEGER NOT NULL,
    file_mtime_ns INTEGER NOT NULL,
    size INTEGER NOT NULL,
    content_hash TEXT NOT NULL,
    format TEXT NOT NULL,
    status TEXT NOT NULL,
    error TEXT,
    article_count INTEGER NOT NULL,
    indexed_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sources_file ON sources(file);
CREATE INDEX IF NOT EXISTS sources_status ON sources(status);
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY,
    path TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS articles_path ON articles(path);
CREATE TABLE IF NOT EXISTS pending (
    seq INTEGER PRIMARY KEY,
    op TEXT NOT NULL,
    entry TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS staged_sources AS SELECT * FROM sources WHERE 0;
CREATE TABLE IF NOT EXISTS staged_articles AS SELECT * FROM articles WHERE 0;
CREATE INDEX IF NOT EXISTS staged_sources_file ON staged_sources(file);
CREATE TABLE IF NOT EXISTS roots (
    path TEXT PRIMARY KEY
);
"""
_LIVE = ("sources", "articles")
#: the mtime recorded for a source whose file must be read again (no file has it)
RETRY = -1
_COLUMNS = (
    "path, file_size, file_mtime_ns, content_hash, format, status, error, article_count, indexed_at"
)


class Catalog:
    """The archive's SQLite database: its sources, their articles and the batch journal.

    The copy fingerprints (``dedup``) live in the same database, so one commit holds a
    batch's changes to both. A write joins the open transaction if there is one (a
    batch's, opened by ``begin``) and is its own transaction otherwise.

    ``read_only`` opens an existing catalog for the reading commands, creating nothing
    (``FileNotFoundError`` when there is none); it takes no writes.
    """

    def __init__(self, path: Path, read_only: bool = False) -> None:
        self.path = path
        self.read_only = read_only
        self.db = connect_for_reading(path) if read_only else connect(path, SCHEMA)
        if read_only and not self._has_tables():
            self.db.close()
            raise ArchiveError(
                f"the catalog {path} cannot be read: it holds no catalog (its last changes may "
                "be in its -wal file, which a read-only folder cannot read without the -shm file)"
            )

    def _has_tables(self) -> bool:
        found = self.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {"sources", "articles"} <= {row[0] for row in found}

    def close(self) -> None:
        self.db.close()

    # reading ---------------------------------------------------------------------------

    def for_file(self, file: str) -> list[SourceRecord]:
        """The records of a file: one, or one per member of a container."""
        rows = self.db.execute(f"SELECT {_COLUMNS} FROM sources WHERE file = ?", (file,))
        return [_record(row) for row in rows]

    def get(self, path: str) -> SourceRecord | None:
        row = self.db.execute(f"SELECT {_COLUMNS} FROM sources WHERE path = ?", (path,)).fetchone()
        return _record(row) if row else None

    def sizes(self, file: str) -> dict[str, int]:
        """The size of each source of a file, by key (a member's own size)."""
        return dict(self.db.execute("SELECT path, size FROM sources WHERE file = ?", (file,)))

    def roots(self) -> list[str]:
        """The files and folders given to ``index``, as keys."""
        return [row[0] for row in self.db.execute("SELECT path FROM roots ORDER BY path")]

    def add_roots(self, roots: Iterable[str]) -> None:
        self.db.executemany("INSERT OR IGNORE INTO roots (path) VALUES (?)", ((r,) for r in roots))

    def drop_roots(self, roots: Iterable[str]) -> None:
        self.db.executemany("DELETE FROM roots WHERE path = ?", ((r,) for r in roots))

    def article_ids(self, path: str) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT id FROM articles WHERE path = ?", (path,))]

    def all_article_ids(self) -> Iterator[str]:
        with closing(self.db.execute("SELECT id FROM articles")) as cursor:
            for (article_id,) in cursor:
                yield article_id

    def files(self) -> Iterator[str]:
        with closing(self.db.execute("SELECT DISTINCT file FROM sources")) as cursor:
            yield from (row[0] for row in cursor.fetchall())

    def failures(self) -> list[SourceRecord]:
        """The sources that failed, and those skipped (links not followed), by key."""
        rows = self.db.execute(
            f"SELECT {_COLUMNS} FROM sources WHERE status IN ('failed', 'skipped') ORDER BY path"
        )
        return [_record(row) for row in rows]

    def counts(self) -> dict[str, int]:
        """Sources per status, and articles."""
        counts = dict(self.db.execute("SELECT status, COUNT(*) FROM sources GROUP BY status"))
        counts["articles"] = self.db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
        return counts

    def formats(self) -> dict[str, int]:
        rows = self.db.execute(
            "SELECT format, COUNT(*) FROM sources WHERE status = 'indexed' GROUP BY format"
        )
        return dict(rows)

    def last_indexed(self) -> str | None:
        return self.db.execute("SELECT MAX(indexed_at) FROM sources").fetchone()[0]

    # writing ---------------------------------------------------------------------------

    def begin(self) -> None:
        """Open a write transaction, unless one is open (then the writes join it)."""
        if not self.db.in_transaction:
            self.db.execute("BEGIN IMMEDIATE")

    def commit(self) -> None:
        if self.db.in_transaction:
            self.db.execute("COMMIT")

    def rollback(self) -> None:
        if self.db.in_transaction:
            self.db.execute("ROLLBACK")

    def record(
        self,
        record: SourceRecord,
        file: str,
        size: int,
        article_ids: Iterable[str] | None,
        staged: bool = False,
    ) -> None:
        """Write a source's record; ``article_ids`` replaces its articles unless ``None``.

        ``staged`` records go to the staging tables a rebuild fills; they replace the
        catalog in one step when the rebuilt index is swapped in (``install_staged``).
        """
        sources, articles = ("staged_sources", "staged_articles") if staged else _LIVE
        self.db.execute(
            f"INSERT OR REPLACE INTO {sources} (path, file, file_size, file_mtime_ns, size, "
            "content_hash, format, status, error, article_count, indexed_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                record.path,
                file,
                record.size,
                record.mtime_ns,
                size,
                record.content_hash,
                record.format,
                record.status,
                record.error,
                record.article_count,
                record.indexed_at,
            ),
        )
        if article_ids is not None:
            self.db.execute(f"DELETE FROM {articles} WHERE path = ?", (record.path,))
            self.db.executemany(
                f"INSERT OR REPLACE INTO {articles} (id, path) VALUES (?, ?)",
                ((article_id, record.path) for article_id in article_ids),
            )

    def staged_files(self) -> dict[str, set[tuple[int, int]]]:
        """Files a rebuild in progress has already written, with the size and mtime each
        had when it was read."""
        staged: dict[str, set[tuple[int, int]]] = {}
        rows = self.db.execute("SELECT file, file_size, file_mtime_ns FROM staged_sources")
        for file, size, mtime in rows:
            staged.setdefault(file, set()).add((size, mtime))
        return staged

    def staged_ids(self, file: str) -> list[str]:
        """The article ids a rebuild in progress staged for ``file``."""
        rows = self.db.execute(
            "SELECT a.id FROM staged_articles a JOIN staged_sources s ON a.path = s.path "
            "WHERE s.file = ?",
            (file,),
        )
        return [row[0] for row in rows]

    def unstage(self, file: str) -> None:
        """Drop what a rebuild in progress staged for ``file``."""
        self.db.execute(
            "DELETE FROM staged_articles WHERE path IN "
            "(SELECT path FROM staged_sources WHERE file = ?)",
            (file,),
        )
        self.db.execute("DELETE FROM staged_sources WHERE file = ?", (file,))

    def reset_staged(self) -> None:
        self.db.execute("DELETE FROM staged_articles")
        self.db.execute("DELETE FROM staged_sources")

    def install_staged(self) -> None:
        """Make the staged records the catalog (inside the caller's transaction)."""
        self.clear()
        self.db.execute("INSERT INTO sources SELECT * FROM staged_sources")
        self.db.execute("INSERT INTO articles SELECT * FROM staged_articles")
        self.reset_staged()

    def touch(self, path: str, file_size: int, mtime_ns: int, staged: bool = False) -> None:
        """Note a new size and mtime for a source whose content did not change."""
        table = "staged_sources" if staged else "sources"
        self.db.execute(
            f"UPDATE {table} SET file_size = ?, file_mtime_ns = ? WHERE path = ?",
            (file_size, mtime_ns, path),
        )

    def forget(self, path: str) -> list[str]:
        """Drop a source; returns the ids of the articles it had."""
        ids = self.article_ids(path)
        self.db.execute("DELETE FROM articles WHERE path = ?", (path,))
        self.db.execute("DELETE FROM sources WHERE path = ?", (path,))
        return ids

    # the journal --------------------------------------------------------------------------

    def journal(self, entries: Iterable[Entry]) -> None:
        """Note a batch's catalog changes, to be committed before the engine commits it.

        After a crash between the engine's commit and the catalog's, ``pending`` tells
        recovery what the batch was, so it can be completed or dropped.
        """
        self.begin()
        self.db.executemany(
            "INSERT INTO pending (op, entry) VALUES (?, ?)",
            ((entry.op, json.dumps(entry.to_json())) for entry in entries),
        )

    def pending(self) -> list[Entry]:
        rows = self.db.execute("SELECT op, entry FROM pending ORDER BY seq")
        return [Entry.from_json(op, json.loads(data)) for op, data in rows]

    def settle(self, apply: bool) -> None:
        """Apply the journalled batch (the engine committed it) or drop it (it did not)."""
        self.begin()
        try:
            if apply:
                for entry in self.pending():
                    if entry.op == "forget":
                        self.forget(entry.path)
                    elif entry.op == "touch":
                        self.touch(entry.path, entry.size, entry.mtime)
                    elif entry.record is not None:
                        self.record(entry.record, entry.file, entry.size, entry.ids)
            self.db.execute("DELETE FROM pending")
        except BaseException:
            self.rollback()
            raise
        self.commit()

    def clear(self) -> None:
        self.db.execute("DELETE FROM articles")
        self.db.execute("DELETE FROM sources")


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _record(row: tuple) -> SourceRecord:
    return SourceRecord(
        path=row[0],
        size=row[1],
        mtime_ns=row[2],
        content_hash=row[3],
        format=row[4],
        status=row[5],
        error=row[6],
        article_count=row[7],
        indexed_at=row[8],
    )
