"""The bulk pipeline's run: sources -> parse (in a process pool) -> engine writer + catalog.

Unchanged files are skipped by size and mtime, then by content hash (``changes``). Work is
committed in batches (``batches``), index first and catalog second, so an interruption
keeps every finished batch and the next run continues where this one stopped. A rebuild
(``rebuild``) never loses what it cannot read: it carries those articles over.
"""

from __future__ import annotations

import logging
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archive.config import Settings
from archive.engines.base import Engine, EngineWriter
from archive.errors import ArchiveError
from archive.indexing import changes, dedup, rebuild
from archive.indexing.batches import Batch
from archive.indexing.catalog import Catalog, now
from archive.indexing.changes import Job
from archive.indexing.dedup import Deduper
from archive.indexing.journal import Entry
from archive.indexing.locking import write_lock
from archive.indexing.parsing import Parsed, parse_source
from archive.indexing.reporting import Progress, Silent, Tally
from archive.indexing.upgrades import upgrade
from archive.ingest import containers, keys, sources
from archive.ingest.inflating import Unpacked
from archive.ingest.selection import Selection
from archive.models import Article, IngestReport, SourceRecord
from archive.workers import die_with_parent

if TYPE_CHECKING:
    from concurrent.futures import Future

log = logging.getLogger(__name__)

#: most bytes of sources handed to the parsing processes and not yet parsed
MAX_HELD_BYTES = 64 * 1024 * 1024


class Indexer:
    """Runs ``index`` and ``reindex`` for one archive."""

    def __init__(self, settings: Settings, engine: Engine, catalog: Catalog) -> None:
        self.settings = settings
        self.engine = engine
        self.catalog = catalog

    def index(
        self,
        paths: Iterable[Path | str],
        prune: bool = False,
        progress: Progress | None = None,
        follow_links: bool = False,
    ) -> IngestReport:
        """Bring the live index up to date with ``paths``.

        ``prune`` drops the sources under ``paths`` whose files are gone; without it they
        are kept and counted (``missing``). Ctrl-C (``KeyboardInterrupt``) drops the batch
        in progress and keeps every batch committed before it; the report says it was
        interrupted and the next run continues.
        """
        tops = sources.roots(paths)
        roots = [keys.file_key(top) for top in tops]
        selection = Selection(self.settings.include, self.settings.exclude)
        files = list(sources.walk(tops, selection, follow_links))
        walked = {file.key for file in files}
        tally = Tally(skipped=selection.skipped)

        def finish(batch: Batch) -> None:
            if prune:
                changes.prune(self.catalog, roots, walked, tally, batch)
            else:
                changes.missing(self.catalog, roots, walked, tally)

        try:
            with write_lock(self.settings.data_dir, self.settings.writer_timeout, "indexing"):
                self.recover()
                upgrade(self.catalog)
                # a run is sized by what it has to read, not by the unchanged files it skips
                bulk = changes.is_bulk(changes.changed(self.catalog, files))
                with self.engine.writer(self.settings.writer_timeout, bulk=bulk) as writer:
                    self.catalog.add_roots(roots)
                    self._run(files, writer, tally, progress, parallel=bulk, finish=finish)
        except KeyboardInterrupt:
            return tally.report(self.catalog.counts(), interrupted=True)
        return tally.report(self.catalog.counts())

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

    def reindex(self, prune: bool = False, progress: Progress | None = None) -> IngestReport:
        """Rebuild everything the catalog knows into a new generation and swap it in.

        A source whose file cannot be read now keeps its articles, carried over from the
        live generation; with ``prune`` the sources of files that are gone are dropped.
        A folder or file given to ``index`` that is missing entirely is an error unless
        ``prune``: the live generation is left as it is.

        Progress is committed in batches to the new generation and to the catalog's staging
        tables; an interrupted rebuild leaves the live index as it was and is continued by
        the next one. The catalog switches to the staged records in the same step as the index.
        """
        timeout = self.settings.writer_timeout
        tally = Tally()
        try:
            with write_lock(self.settings.data_dir, timeout, "reindexing"):
                self.recover()
                upgrade(self.catalog)
                lost = rebuild.lost_roots(self.catalog, prune)
                with self.engine.rebuild(timeout) as writer:
                    files = rebuild.files(self.catalog, writer, prune, tally)
                    carry = rebuild.Carrier(self.catalog, self.engine)
                    self._run(files, writer, tally, progress, parallel=True, carry=carry)
                    self.catalog.begin()
                    self.catalog.install_staged()
                    self.catalog.drop_roots(lost)
                    dedup.drop_unknown(self.catalog)
        except KeyboardInterrupt:
            self.catalog.rollback()
            return tally.report(self.catalog.counts(), interrupted=True)
        except BaseException:
            self.catalog.rollback()
            raise
        # the engine has swapped the new generation in: the catalog follows
        self.catalog.commit()
        return tally.report(self.catalog.counts())

    # the loop --------------------------------------------------------------------------

    def _run(
        self,
        files: list[sources.SourceFile],
        writer: EngineWriter,
        tally: Tally,
        progress: Progress | None,
        *,
        parallel: bool,
        carry: rebuild.Carrier | None = None,
        finish: Callable[[Batch], None] | None = None,
    ) -> None:
        progress = progress or Silent()
        fresh = carry is not None
        batch = Batch(self.catalog, writer, fresh, Deduper(self.catalog))
        budget = changes.Budget(
            self.settings.max_source_bytes,
            containers.Limits(self.settings.max_source_bytes, self.settings.max_unpacked_bytes),
            self.settings.max_run_unpacked_bytes,
            Unpacked(),
        )
        jobs = changes.jobs(
            self.catalog, files, budget, fresh=fresh, tally=tally, batch=batch,
            progress=progress, carry=carry,
        )  # fmt: skip
        progress.start(len(files))
        try:
            for outcome in self._parsed(jobs, parallel and len(files) > 1, writer.prepare):
                budget.unpacked.add(outcome.unpacked)
                self._apply(outcome, tally, batch, carry)
                progress.advance(0, len(outcome.articles))
                if batch.articles >= self.settings.batch_articles:
                    batch.flush()
            if finish is not None:
                finish(batch)
            batch.flush()
        finally:
            self.catalog.rollback()  # an unfinished batch's fingerprints
            progress.finish()

    def _parsed(
        self,
        jobs: Iterator[Job | Parsed],
        parallel: bool,
        prepare: Callable[[list[Article]], Any] | None,
    ) -> Iterator[Parsed]:
        """Parsed sources in order (carried ones as they are), each with what the engine
        writer's ``prepare`` made of its articles; at most ``MAX_HELD_BYTES`` of sources
        wait in the parsing processes at a time (but always one)."""
        workers = self.settings.workers or os.cpu_count() or 1
        limits = (
            self.settings.max_article_chars,
            self.settings.max_parse_seconds,
            self.settings.max_unpacked_bytes,
            prepare,
        )
        if workers <= 1 or not parallel:
            for job in jobs:
                yield job if isinstance(job, Parsed) else parse_source(job.key, job.data, *limits)
            return
        from concurrent.futures import ProcessPoolExecutor  # only a bulk run starts a pool

        with ProcessPoolExecutor(max_workers=workers, initializer=die_with_parent) as pool:
            window: deque[tuple[Future[Parsed] | Parsed, int]] = deque()
            held = 0
            for job in jobs:
                if isinstance(job, Parsed):
                    window.append((job, 0))
                else:
                    future = pool.submit(parse_source, job.key, job.data, *limits)
                    window.append((future, len(job.data)))
                    held += len(job.data)
                while window and (len(window) >= workers * 8 or held > MAX_HELD_BYTES):
                    item, size = window.popleft()
                    held -= size
                    yield item if isinstance(item, Parsed) else item.result()
            for item, _size in window:
                yield item if isinstance(item, Parsed) else item.result()

    def _apply(
        self, parsed: Parsed, tally: Tally, batch: Batch, carry: rebuild.Carrier | None
    ) -> None:
        if parsed.carried is not None:
            tally.keep(parsed.key)
            ids = [article.id for article in parsed.articles]
            batch.add(parsed.articles, parsed.prints)
            batch.record(parsed.carried, keys.file_of(parsed.key), ids, parsed.size)
            return
        file = batch.files.pop(parsed.key)
        try:
            self._settle(parsed, file, tally, batch, carry)
        finally:
            batch.closed(file)

    def _settle(
        self,
        parsed: Parsed,
        file: sources.SourceFile,
        tally: Tally,
        batch: Batch,
        carry: rebuild.Carrier | None,
    ) -> None:
        """Record a parsed source of ``file``: its articles, or why it has none."""
        tally.record_failures += len(parsed.failures)
        if parsed.error is not None:
            if parsed.transient and carry is not None and (kept := carry(parsed.key)):
                self._apply(kept, tally, batch, carry)
                return
            tally.fail(parsed.key, parsed.error)
            record = changes.failed(
                file, parsed.key, parsed.size, parsed.content_hash, parsed.error, parsed.format
            )
            # a parse that ran out of time says nothing of the content: what the source gave
            # is kept (and it is not parsed again, at that cost, until it changes)
            tally.deleted += batch.record(record, file.key, None if parsed.transient else [])
            return
        new_ids = [article.id for article in parsed.articles]
        if carry is not None or self.catalog.get(parsed.key) is None:
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
        tally.deleted += batch.record(record, file.key, new_ids, parsed.size)
        batch.add(parsed.articles, parsed.prints, parsed.prepared)
        tally.written += len(parsed.articles)
