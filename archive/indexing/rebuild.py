"""What a rebuild reads, and what it keeps of what it cannot read.

A rebuild (``newsarchive reindex``) reads again every file the catalog knows. A file that
cannot be read now (gone, unmounted, no permission, a link where a file was) is not taken
as empty: its sources keep their records and their articles, carried over from the live
generation (``Carrier``), and the report counts them as kept. Only ``prune`` drops the
sources of files that are gone. A folder or file given to ``index`` that is missing
entirely stops the rebuild before it starts (``lost_roots``): a moved or unmounted folder
is a mistake to fix, not a reason to rebuild without it.
"""

from __future__ import annotations

import logging
import os

from archive.engines.base import Engine, EngineWriter
from archive.errors import ArchiveError
from archive.indexing import changes
from archive.indexing.catalog import Catalog
from archive.indexing.fingerprints import fingerprint
from archive.indexing.parsing import Parsed
from archive.indexing.reporting import Tally
from archive.ingest import keys, sources

log = logging.getLogger(__name__)


def lost_roots(catalog: Catalog, prune: bool) -> list[str]:
    """The roots given to ``index`` that are missing entirely; ``ArchiveError`` unless
    ``prune`` asks to rebuild without them."""
    lost = [root for root in catalog.roots() if sources.kind(keys.path_of(root)) == ""]
    if lost and not prune:
        named = ", ".join(lost[:3]) + (f" and {len(lost) - 3} more" if len(lost) > 3 else "")
        verb, them = ("is", "its") if len(lost) == 1 else ("are", "their")
        raise ArchiveError(
            f"cannot rebuild: {named}, indexed before, {verb} missing (moved or unmounted?); "
            "the index is left as it is. Put it back, or run `newsarchive reindex --prune` "
            f"to rebuild without {them} articles"
        )
    return lost


def files(
    catalog: Catalog, writer: EngineWriter, prune: bool, tally: Tally
) -> list[sources.SourceFile]:
    """The files of the catalog a rebuild still has to read.

    A continued rebuild skips the files it staged, unless they changed since: those are
    taken out of the new generation and read again. With ``prune``, files that are gone
    are left out (and counted as removed); others that cannot be read are given with a
    size and mtime no file has, so reading them fails and their articles are carried over.
    """
    if writer.resumed:
        done = _still_current(catalog, writer)
    else:
        catalog.reset_staged()
        done = set()
    found = []
    for file in list(catalog.files()):
        if file in done:
            continue
        path = keys.path_of(file)
        kind = sources.kind(path)
        known = catalog.for_file(file)
        if prune and changes.gone(known, kind):
            tally.removed += len(known)
        elif kind == "link" and not changes.gone(known, kind):
            info = os.lstat(path)
            reason = known[0].error or "a symbolic link, not followed"
            found.append(sources.SourceFile(path, info.st_size, info.st_mtime_ns, reason))
        else:
            current = sources.stat(path) if kind == "file" else None
            found.append(current or sources.SourceFile(path, 0, changes.RETRY))
    return found


def _still_current(catalog: Catalog, writer: EngineWriter) -> set[str]:
    """The staged files unchanged since they were staged; the others are unstaged and
    their articles deleted from the new generation (the generation first)."""
    staged = catalog.staged_files()
    stale = [file for file, stats in staged.items() if stats != {_stat(keys.path_of(file))}]
    if stale:
        writer.delete([article for file in stale for article in catalog.staged_ids(file)])
        writer.commit()
        catalog.begin()
        for file in stale:
            catalog.unstage(file)
        catalog.commit()
    return staged.keys() - set(stale)


def _stat(path: str) -> tuple[int, int] | None:
    try:
        info = os.stat(path) if sources.kind(path) == "file" else os.lstat(path)
    except OSError:
        return None
    return info.st_size, info.st_mtime_ns


class Carrier:
    """A source's live record and articles, for a rebuild that cannot read its file."""

    def __init__(self, catalog: Catalog, engine: Engine) -> None:
        self.catalog = catalog
        self.engine = engine

    def __call__(self, key: str) -> Parsed | None:
        record = self.catalog.get(key)
        if record is None:
            return None
        articles = []
        for article_id in self.catalog.article_ids(key):
            try:
                articles.append(self.engine.get(article_id))
            except ArchiveError as exc:
                log.warning("%s: article %s cannot be kept: %s", key, article_id, exc)
        return Parsed(
            key=key,
            size=self.catalog.sizes(keys.file_of(key)).get(key, 0),
            content_hash=record.content_hash,
            format=record.format,
            articles=articles,
            prints=[fingerprint(article) for article in articles],
            carried=record,
        )
