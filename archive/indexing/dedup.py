"""Wire copies: the same story published more than once, found at indexing and grouped.

``Deduper`` keeps every indexed article's fingerprint (``fingerprints``) in the catalog's
database and gives each article a group id: the group of the copy it matches best, or its
own id when it matches none. The engine stores the group id; searches show one hit per
group unless asked for every copy. Candidates are found with locality-sensitive hashing:
the signature is cut into bands and articles sharing any band are compared, so a new
article is checked against a handful of others, never against the whole archive.

The fingerprints are written in the catalog's open transaction, so a batch commits them
with its other catalog changes: one commit, before the engine's (a fingerprint of an
article the engine never got is harmless: at worst it lends a group id to a later copy,
and the next run parses its source again and replaces it).

Earlier versions kept the fingerprints in a file of their own, ``dedup.sqlite3``; the
first run that opens a deduper copies its rows into the catalog and removes it. What
cannot be copied (an unreadable file, fingerprints of another scheme) is said in a
warning: ``newsarchive reindex`` fingerprints every article again and regroups the copies.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path

from archive.indexing.catalog import Catalog
from archive.indexing.fingerprints import (
    VERSION,
    Fingerprint,
    fingerprint,
    resemblance,
    same_story,
)
from archive.models import Article

log = logging.getLogger(__name__)

#: SQLite page cache while fingerprints are matched, in KiB
CACHE_KB = 64 * 1024
#: the file beside the catalog where earlier versions kept the fingerprints
OLD_FILE = "dedup.sqlite3"
SCHEMA = (
    """CREATE TABLE IF NOT EXISTS fingerprints (
        doc INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        grp TEXT NOT NULL,
        exact TEXT NOT NULL,
        size INTEGER NOT NULL,
        day INTEGER,
        figures TEXT NOT NULL,
        signature BLOB NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS fingerprints_exact ON fingerprints(exact)",
    "CREATE INDEX IF NOT EXISTS fingerprints_grp ON fingerprints(grp)",
    """CREATE TABLE IF NOT EXISTS fingerprint_bands (
        band INTEGER NOT NULL,
        doc INTEGER NOT NULL,
        PRIMARY KEY (band, doc)
    ) WITHOUT ROWID""",
    "CREATE TABLE IF NOT EXISTS fingerprint_scheme (version INTEGER NOT NULL)",
)


class Deduper:
    """Assigns group ids to articles, remembering fingerprints in the catalog's database.

    Changes join the catalog's open transaction (opening one if needed): whoever commits
    the catalog commits them, and a rollback drops them.
    """

    def __init__(self, catalog: Catalog) -> None:
        """Open on ``catalog``, with no transaction open (preparing the tables commits)."""
        self.catalog = catalog
        self.db = catalog.db
        self.db.execute(f"PRAGMA cache_size = -{CACHE_KB}")
        self._prepare()
        old = catalog.path.parent / OLD_FILE
        if old.exists():
            self._move_old_file(old)

    def assign(
        self, articles: Sequence[Article], prints: Sequence[Fingerprint] | None = None
    ) -> list[Article]:
        """The articles with their group ids set; ``prints`` may hold their fingerprints
        computed elsewhere (in the parsing processes)."""
        self.catalog.begin()
        out = []
        for index, article in enumerate(articles):
            fp = prints[index] if prints is not None else fingerprint(article)
            bands = fp.bands()
            self._remove([article.id])
            group = self._match(fp, bands) or self._new_group(article.id)
            self._insert(article.id, group, fp, bands)
            out.append(replace(article, group=group))
        return out

    def forget(self, ids: Iterable[str]) -> None:
        """Drop the fingerprints of deleted articles."""
        self.catalog.begin()
        self._remove(list(ids))

    def group(self, article_id: str) -> str | None:
        found = self.db.execute("SELECT grp FROM fingerprints WHERE id = ?", (article_id,))
        row = found.fetchone()
        return row[0] if row else None

    def _match(self, fp: Fingerprint, bands: list[int]) -> str | None:
        marks = ",".join("?" * len(bands))
        rows = self.db.execute(
            "SELECT doc, grp, exact, size, signature, day, figures FROM fingerprints "
            "WHERE exact = ? UNION ALL "
            "SELECT p.doc, p.grp, p.exact, p.size, p.signature, p.day, p.figures "
            f"FROM fingerprint_bands b JOIN fingerprints p ON p.doc = b.doc "
            f"WHERE b.band IN ({marks})",
            [fp.exact, *bands],
        ).fetchall()
        best: tuple[float, str] | None = None
        seen = set()
        for doc, group, exact, size, signature, day, figures in rows:
            if doc in seen:
                continue
            seen.add(doc)
            other = Fingerprint(exact, signature, size, day, figures)
            if same_story(fp, other):
                score = 2.0 if exact == fp.exact else resemblance(fp, other)[0]
                if best is None or score > best[0]:
                    best = (score, group)
        return best[1] if best else None

    def _new_group(self, article_id: str) -> str:
        """The label of a group an article starts: its own id, unless the copies of a group
        it headed before (it was edited, or deleted and is back) still carry that id;
        then the id with a number, so it does not rejoin them."""
        label, number = article_id, 0
        while self.db.execute("SELECT 1 FROM fingerprints WHERE grp = ?", (label,)).fetchone():
            number += 1
            label = f"{article_id}.{number}"
        return label

    def _insert(self, article_id: str, group: str, fp: Fingerprint, bands: list[int]) -> None:
        doc = self.db.execute(
            "INSERT INTO fingerprints (id, grp, exact, size, day, figures, signature) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (article_id, group, fp.exact, fp.size, fp.day, fp.figures, fp.signature),
        ).lastrowid
        self.db.executemany(
            "INSERT INTO fingerprint_bands (band, doc) VALUES (?, ?)", [(b, doc) for b in bands]
        )

    def _remove(self, ids: list[str]) -> None:
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(
                f"SELECT doc, signature FROM fingerprints WHERE id IN ({marks})", chunk
            ).fetchall()
            for doc, signature in rows:
                keys = Fingerprint("", signature, 0).bands()
                self.db.executemany(
                    "DELETE FROM fingerprint_bands WHERE band = ? AND doc = ?",
                    [(key, doc) for key in keys],
                )
                self.db.execute("DELETE FROM fingerprints WHERE doc = ?", (doc,))

    # the tables, and the file of earlier versions -------------------------------------------

    def _prepare(self) -> None:
        """Create the tables; fingerprints of another scheme cannot be compared: drop them."""
        self.catalog.begin()
        try:
            for statement in SCHEMA:
                self.db.execute(statement)
            row = self.db.execute("SELECT version FROM fingerprint_scheme").fetchone()
            if row is None or row[0] != VERSION:
                if row is not None:
                    _regroup_later(self._count(), "were made by another version")
                for table in ("fingerprints", "fingerprint_bands", "fingerprint_scheme"):
                    self.db.execute(f"DELETE FROM {table}")
                self.db.execute("INSERT INTO fingerprint_scheme VALUES (?)", (VERSION,))
        except BaseException:
            self.catalog.rollback()
            raise
        self.catalog.commit()

    def _count(self, after: int = 0) -> int:
        found = self.db.execute("SELECT COUNT(*) FROM fingerprints WHERE doc > ?", (after,))
        return int(found.fetchone()[0])

    def _move_old_file(self, old: Path) -> None:
        """Copy the fingerprints an earlier version kept in ``old`` into the catalog.

        Every fingerprint of an article the catalog has none for is copied, in one
        transaction; then the file is removed (copying again after a crash in between
        finds nothing left to copy). An unreadable file is left where it is.
        """
        try:
            self._copy_from(old)
        except sqlite3.DatabaseError as exc:
            log.warning(
                "the copy fingerprints in %s cannot be read (%s): until `newsarchive reindex` "
                "groups them again, copies indexed before are not grouped with new ones; "
                "remove the file afterwards",
                old,
                exc,
            )
            return
        for leftover in (old, old.with_name(f"{OLD_FILE}-journal")):
            try:
                leftover.unlink(missing_ok=True)
            except OSError as exc:
                log.warning("%s cannot be removed (%s); remove it by hand", leftover, exc)

    def _copy_from(self, old: Path) -> None:
        self.db.execute("ATTACH DATABASE ? AS earlier", (str(old),))
        try:
            found = self.db.execute("SELECT name FROM earlier.sqlite_master WHERE type = 'table'")
            if "prints" not in {row[0] for row in found}:
                return
            count = self.db.execute("SELECT COUNT(*) FROM earlier.prints").fetchone()[0]
            if self.db.execute("PRAGMA earlier.user_version").fetchone()[0] != VERSION:
                _regroup_later(count, f"in {old} were made by another version")
                return
            self.catalog.begin()
            try:
                last = self.db.execute("SELECT COALESCE(MAX(doc), 0) FROM fingerprints")
                moved = self._copy_rows(int(last.fetchone()[0]))
            except BaseException:
                self.catalog.rollback()
                raise
            self.catalog.commit()
            log.info("copied %d of %d copy fingerprints from %s to the catalog", moved, count, old)
        finally:
            self.db.execute("DETACH DATABASE earlier")

    def _copy_rows(self, last: int) -> int:
        """Copy the old file's fingerprints of articles the catalog has none for (their
        rows get numbers after ``last``); returns how many."""
        self.db.execute(
            "INSERT INTO fingerprints (id, grp, exact, size, day, figures, signature) "
            "SELECT id, grp, exact, size, day, figures, signature FROM earlier.prints "
            "WHERE id NOT IN (SELECT id FROM fingerprints) ORDER BY doc"
        )
        self.db.execute(
            "INSERT INTO fingerprint_bands (band, doc) SELECT b.band, f.doc "
            "FROM earlier.bands b JOIN earlier.prints p ON p.doc = b.doc "
            "JOIN fingerprints f ON f.id = p.id WHERE f.doc > ?",
            (last,),
        )
        return self._count(after=last)


def drop_unknown(catalog: Catalog) -> None:
    """Drop the fingerprints of articles the catalog no longer lists (a rebuild left them
    out), inside the caller's transaction; they would only lend groups to later copies."""
    db = catalog.db
    unknown = "SELECT doc FROM fingerprints WHERE id NOT IN (SELECT id FROM articles)"
    db.execute(f"DELETE FROM fingerprint_bands WHERE doc IN ({unknown})")
    db.execute(f"DELETE FROM fingerprints WHERE doc IN ({unknown})")


def _regroup_later(count: int, why: str) -> None:
    """Say that fingerprints are dropped, and how to group their articles' copies again."""
    if count:
        log.warning(
            "%d copy fingerprints %s and are dropped: until `newsarchive reindex` groups them "
            "again, copies indexed before are not grouped with new ones",
            count,
            why,
        )
