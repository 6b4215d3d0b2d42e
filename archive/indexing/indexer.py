"""The bulk pipeline's run: sources -> parse (in a process pool) -> engine writer + catalog.

Unchanged files are skipped by size and mtime, then by content hash (``changes``). Work is
committed in batches (``batches``), index first and catalog second, so an interruption
keeps every finished batch and the next run continues where this one stopped.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from archive.config import Settings
from archive.engines.base import Engine, EngineWriter
from archive.errors import ArchiveError
from archive.indexing import changes
from archive.indexing.batches import Batch
from archive.indexing.catalog import Catalog, Entry, now
from archive.indexing.dedup import Deduper
from archive.indexing.locking import write_lock
from archive.indexing.parsing import Parsed, parse_source
from archive.indexing.reporting import Progress, Silent, Tally
from archive.ingest import sources
from archive.ingest.selection import Selection
from archive.models import IngestReport, SourceRecord
from archive.workers import die_with_parent

if TYPE_CHECKING:
    from concurrent.futures import Future

log = logging.getLogger(__name__)


class Indexer:
    """Runs ``index`` and ``reindex`` for one archive."""

    def __init__(self, settings: Settings, engine: Engine, catalog: Catalog) -> None:
        self.settings = settings
        self.engine = engine
        self.catalog = catalog

    def index(
        self, paths: Iterable[Path | str], prune: bool = False, progress: Progress | None = None
    ) -> IngestReport:
        """Bring the live index up to date with ``paths``.

        Ctrl-C (``KeyboardInterrupt``) drops the batch in progress and keeps every batch
        committed before it; the report says it was interrupted and the next run continues.
        """
        selection = Selection(self.settings.include, self.settings.exclude)
        files = list(sources.walk(paths, selection))
        # a run is sized by what it has to read, not by the unchanged files it skips;
        # a lone file is parsed in this process
        changed = changes.changed(self.catalog, files)
        timeout = self.settings.writer_timeout
        tally = Tally(skipped=selection.skipped)
        try:
            with (
                write_lock(self.settings.data_dir, timeout, "indexing"),
                self.engine.writer(timeout, bulk=changes.is_bulk(changed)) as writer,
            ):
                self.recover()
                self._run(
                    files,
                    writer,
                    tally,
                    fresh=False,
                    prune=prune,
                    progress=progress,
                    parallel=len(files) > 1 and changes.is_bulk(changed),
                )
        except KeyboardInterrupt:
            return tally.report(interrupted=True)
        return tally.report()

    def recover(self) -> bool:
        """Settle a batch a crash left between the engine's commit and the catalog's.

        The engine commits atomically, so the batch is either wholly in the index or not at
        all; one journalled article tells which. Returns whether anything was settled.
        Call with the write lock held.
        """
        entries = self.catalog.pending()
        if not entries:
            return False
        self.catalog.settle(apply=self._committed(entries))
        return True

    def _committed(self, entries: list[Entry]) -> bool:
        for entry in entries:
            if entry.op == "record" and entry.ids and entry.record is not None:
                try:
                    article = self.engine.get(entry.ids[0])
                except ArchiveError:
                    return False
                return article.content_hash == entry.record.content_hash
        for entry in entries:
            ids = self.catalog.article_ids(entry.path) if entry.op == "forget" else []
            if ids:
                try:
                    self.engine.get(ids[0])
                except ArchiveError:
                    return True
                return False
        return True

    def reindex(self, progress: Progress | None = None) -> IngestReport:
        """Rebuild everything the catalog knows into a new generation and swap it in.

        Progress is committed in batches to the new generation and to the catalog's staging
        tables; an interrupted rebuild leaves the live index as it was and is continued by
        the next one. The catalog switches to the staged records in the same step as the index.
        """
        timeout = self.settings.writer_timeout
        tally = Tally()
        try:
            with (
                write_lock(self.settings.data_dir, timeout, "reindexing"),
                self.engine.rebuild(timeout) as writer,
            ):
                self.recover()
                if not writer.resumed:
                    self.catalog.reset_staged()
                done = self.catalog.staged_files()
                files = [
                    file
                    for path in list(self.catalog.files())
                    if path not in done and (file := sources.stat(path))
                ]
                self._run(
                    files,
                    writer,
                    tally,
                    fresh=True,
                    prune=False,
                    progress=progress,
                    parallel=len(files) > 1 and changes.is_bulk(files),
                    staged=True,
                )
                self.catalog.begin()
                self.catalog.install_staged()
        except KeyboardInterrupt:
            self.catalog.rollback()
            return tally.report(interrupted=True)
        except BaseException:
            self.catalog.rollback()
            raise
        # the engine has swapped the new generation in: the catalog follows
        self.catalog.commit()
        return tally.report()

    # the loop --------------------------------------------------------------------------

    def _run(
        self,
        files: list[sources.SourceFile],
        writer: EngineWriter,
        tally: Tally,
        *,
        fresh: bool,
        prune: bool,
        progress: Progress | None,
        parallel: bool,
        staged: bool = False,
    ) -> None:
        progress = progress or Silent()
        batch = Batch(self.catalog, writer, staged, Deduper(self.catalog))
        progress.start(len(files))
        try:
            for outcome in self._parsed(files, tally, fresh, batch, progress, parallel):
                self._apply(outcome, tally, batch, fresh)
                progress.advance(0, len(outcome.articles))
                if batch.articles >= self.settings.batch_articles:
                    batch.flush()
            if prune:
                changes.prune(self.catalog, tally, batch)
            batch.flush()
        finally:
            self.catalog.rollback()  # an unfinished batch's fingerprints
            progress.finish()

    def _parsed(
        self,
        files: list[sources.SourceFile],
        tally: Tally,
        fresh: bool,
        batch: Batch,
        progress: Progress,
        parallel: bool,
    ) -> Iterator[Parsed]:
        """Parsed sources in order; unchanged and unreadable ones are settled on the way."""
        jobs = changes.jobs(
            self.catalog,
            files,
            self.settings.max_source_bytes,
            fresh=fresh,
            tally=tally,
            batch=batch,
            progress=progress,
        )
        workers = self.settings.workers or os.cpu_count() or 1
        limits = (
            self.settings.max_article_chars,
            self.settings.max_parse_seconds,
            batch.writer.prepare,
        )
        if workers <= 1 or not parallel:
            for job in jobs:
                yield parse_source(job.key, job.data, *limits)
            return
        from concurrent.futures import ProcessPoolExecutor  # only a bulk run starts a pool

        with ProcessPoolExecutor(max_workers=workers, initializer=die_with_parent) as pool:
            window: list[Future[Parsed]] = []
            for job in jobs:
                window.append(pool.submit(parse_source, job.key, job.data, *limits))
                if len(window) >= workers * 8:
                    yield window.pop(0).result()
            for future in window:
                yield future.result()

    def _apply(self, parsed: Parsed, tally: Tally, batch: Batch, fresh: bool) -> None:
        file = batch.files.pop(parsed.key)
        tally.record_failures += len(parsed.failures)
        if parsed.error is not None:
            tally.fail(parsed.key, parsed.error)
            record = changes.failed(
                file, parsed.key, parsed.size, parsed.content_hash, parsed.error, parsed.format
            )
            batch.record(record, file.path, None)
            return
        old_ids = [] if fresh else self.catalog.article_ids(parsed.key)
        new_ids = [article.id for article in parsed.articles]
        stale = set(old_ids) - set(new_ids)
        if stale:
            batch.writer.delete(stale)
            batch.deduper.forget(stale)
            tally.deleted += len(stale)
        batch.add(parsed.articles, parsed.prints, parsed.prepared)
        tally.written += len(parsed.articles)
        if fresh or self.catalog.get(parsed.key) is None:
            tally.new += 1
        else:
            tally.updated += 1
        record = SourceRecord(
            path=parsed.key,
            size=file.size,
            mtime_ns=file.mtime_ns,
            content_hash=parsed.content_hash,
            format=parsed.format,
            status="indexed",
            error=None,
            article_count=len(new_ids),
            indexed_at=now(),
        )
        batch.record(record, file.path, new_ids, parsed.size)
