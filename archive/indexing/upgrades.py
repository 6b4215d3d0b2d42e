"""Bringing a catalog written by an earlier version up to date, once, under the write lock.

Version 1 names sources by key (``ingest.keys``): earlier catalogs wrote paths as they
were and members as ``file!member``, so a file named ``a.zip!m.txt`` and the member
``m.txt`` of ``a.zip`` shared a name. Their rows are renamed in one transaction; the
article ids they list stay as they are (the index holds them), and a container read
again later gives its members ids made from their new keys.
"""

from __future__ import annotations

import logging

from archive.indexing.catalog import Catalog
from archive.ingest import keys

log = logging.getLogger(__name__)

#: the catalog's layout version, in SQLite's ``user_version``
VERSION = 1
_TABLES = (("sources", "articles"), ("staged_sources", "staged_articles"))


def upgrade(catalog: Catalog) -> None:
    """Rename an earlier catalog's sources to keys; nothing when it is up to date.

    Call with the write lock held and no batch journalled (after ``Indexer.recover``).
    """
    db = catalog.db
    if db.execute("PRAGMA user_version").fetchone()[0] >= VERSION:
        return
    catalog.begin()
    try:
        renamed = 0
        for sources, articles in _TABLES:
            for path, file in db.execute(f"SELECT path, file FROM {sources}").fetchall():
                key, file_key = keys.legacy(path, file), keys.file_key(file)
                if (key, file_key) == (path, file):
                    continue
                renamed += 1
                db.execute(
                    f"UPDATE OR REPLACE {sources} SET path = ?, file = ? WHERE path = ?",
                    (key, file_key, path),
                )
                db.execute(f"UPDATE {articles} SET path = ? WHERE path = ?", (key, path))
        db.execute(f"PRAGMA user_version = {VERSION}")
    except BaseException:
        catalog.rollback()
        raise
    catalog.commit()
    if renamed:
        log.info("the catalog names %d sources by their new keys", renamed)
