"""The bulk pipeline: sources -> parse (in a process pool) -> engine writer + catalog.

Unchanged files are skipped by size and mtime, then by content hash. Work is committed
in batches, index first and catalog second, so an interruption keeps every finished
batch and the next run continues where this one stopped.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from archive.batches import Batch
from archive.catalog import Catalog, Entry, now
from archive.config import Settings
from archive.dedup import open_deduper
from archive.engines.base import Engine, EngineWriter
from archive.errors import ArchiveError, ParseError
from archive.ingest import sources
from archive.ingest.common import content_hash
from archive.ingest.selection import Selection
from archive.locking import write_lock
from archive.models import IngestReport, SourceRecord
from archive.parsing import Parsed, parse_source
from archive.workers import die_with_parent

log = logging.getLogger(__name__)

#: below this many bytes of sources a run parses in-process and writes with one writer
BULK_BYTES = 1_000_000
MAX_FAILURES_REPORTED = 1000


class Progress(Protocol):
    """What the pipeline tells whoever is watching (the CLI's progress bar)."""

    def start(self, total: int) -> None: ...

    def advance(self, sources: int, articles: int) -> None: ...

    def finish(self) -> None: ...


class _Silent:
    def start(self, total: int) -> None:
        pass

    def advance(self, sources: int, articles: int) -> None:
        pass

    def finish(self) -> None:
        pass


@dataclass
class _Job:
    file: sources.SourceFile
    key: str
    data: bytes


@dataclass
class _Tally:
    seen: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    removed: int = 0
    written: int = 0
    deleted: int = 0
    record_failures: int = 0
    skipped: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)

    started: float = field(default_factory=time.perf_counter)

    def report(self, interrupted: bool = False) -> IngestReport:
        return IngestReport(
            seen=self.seen,
            new=self.new,
            updated=self.updated,
            unchanged=self.unchanged,
            failed=self.failed,
            removed=self.removed,
            articles_written=self.written,
            articles_deleted=self.deleted,
            record_failures=self.record_failures,
            seconds=time.perf_counter() - self.started,
            failures=tuple(self.failures),
            skipped=self.skipped,
            interrupted=interrupted,
        )

    def fail(self, key: str, reason: str) -> None:
        self.failed += 1
        if len(self.failures) < MAX_FAILURES_REPORTED:
            self.failures.append((key, reason))


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
        changed = self._changed(files)
        timeout = self.settings.writer_timeout
        tally = _Tally(skipped=selection.skipped)
        try:
            with (
                write_lock(self.settings.data_dir, timeout, "indexing"),
                self.engine.writer(timeout, bulk=_is_bulk(changed)) as writer,
            ):
                self.recover()
                self._run(
                    files,
                    writer,
                    tally,
                    fresh=False,
                    prune=prune,
                    progress=progress,
                    parallel=len(files) > 1 and _is_bulk(changed),
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
        tally = _Tally()
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
                    parallel=len(files) > 1 and _is_bulk(files),
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
        tally: _Tally,
        *,
        fresh: bool,
        prune: bool,
        progress: Progress | None,
        parallel: bool,
        staged: bool = False,
    ) -> None:
        progress = progress or _Silent()
        batch = Batch(self.catalog, writer, staged, open_deduper(self.settings.data_dir))
        progress.start(len(files))
        try:
            for outcome in self._parsed(files, tally, fresh, batch, progress, parallel):
                self._apply(outcome, tally, batch, fresh)
                progress.advance(0, len(outcome.articles))
                if batch.articles >= self.settings.batch_articles:
                    batch.flush()
            if prune:
                self._prune(tally, batch)
            batch.flush()
        finally:
            batch.deduper.close()
            progress.finish()

    def _parsed(
        self,
        files: list[sources.SourceFile],
        tally: _Tally,
        fresh: bool,
        batch: Batch,
        progress: Progress,
        parallel: bool,
    ) -> Iterator[Parsed]:
        """Parsed sources in order; unchanged and unreadable ones are settled on the way."""
        jobs = self._jobs(files, tally, fresh, batch, progress)
        workers = self.settings.workers or os.cpu_count() or 1
        limits = (self.settings.max_article_chars, self.settings.max_parse_seconds)
        if workers <= 1 or not parallel:
            for job in jobs:
                yield parse_source(job.key, job.data, *limits)
            return
        with ProcessPoolExecutor(max_workers=workers, initializer=die_with_parent) as pool:
            window: list[Future[Parsed]] = []
            for job in jobs:
                window.append(pool.submit(parse_source, job.key, job.data, *limits))
                if len(window) >= workers * 8:
                    yield window.pop(0).result()
            for future in window:
                yield future.result()

    def _changed(self, files: list[sources.SourceFile]) -> list[sources.SourceFile]:
        """The files a run has to read: new, or changed in size or mtime since the last."""
        changed = []
        for file in files:
            if not _same_stat(self.catalog.for_file(file.path), file):
                changed.append(file)
        return changed

    def _jobs(
        self,
        files: list[sources.SourceFile],
        tally: _Tally,
        fresh: bool,
        batch: Batch,
        progress: Progress,
    ) -> Iterator[_Job]:
        for file in files:
            progress.advance(1, 0)
            known = [] if fresh else self.catalog.for_file(file.path)
            if _same_stat(known, file):
                for record in known:
                    tally.seen += 1
                    if record.status == "failed":
                        tally.fail(record.path, record.error or "failed")
                    else:
                        tally.unchanged += 1
                continue
            try:
                data = sources.read(file, self.settings.max_source_bytes)
            except ParseError as exc:
                tally.seen += 1
                tally.fail(file.path, str(exc))
                batch.record(_failed(file, file.path, 0, "", str(exc)), file.path, None)
                continue
            for key, member in sources.split(file.path, data):
                tally.seen += 1
                if isinstance(member, ParseError):
                    tally.fail(key, str(member))
                    batch.record(_failed(file, key, 0, "", str(member)), file.path, None)
                    continue
                old = None if fresh else self.catalog.get(key)
                if old and old.status != "failed" and old.content_hash == content_hash(member):
                    tally.unchanged += 1
                    batch.touch(key, file)
                    continue
                batch.files[key] = file
                yield _Job(file, key, member)

    def _apply(self, parsed: Parsed, tally: _Tally, batch: Batch, fresh: bool) -> None:
        file = batch.files.pop(parsed.key)
        tally.record_failures += len(parsed.failures)
        if parsed.error is not None:
            tally.fail(parsed.key, parsed.error)
            record = _failed(
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
        batch.add(parsed.articles, parsed.prints)
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

    def _prune(self, tally: _Tally, batch: Batch) -> None:
        """Forget sources whose files are gone, and delete their articles."""
        for file in list(self.catalog.files()):
            if sources.stat(file) is not None:
                continue
            for record in self.catalog.for_file(file):
                batch.forget(record.path)
                tally.removed += 1


def _same_stat(known: list[SourceRecord], file: sources.SourceFile) -> bool:
    """Whether the catalog knows ``file`` with its current size and mtime."""
    return bool(known) and all(r.size == file.size and r.mtime_ns == file.mtime_ns for r in known)


def _is_bulk(files: list[sources.SourceFile]) -> bool:
    """Whether reading ``files`` is big enough to be worth worker processes."""
    return sum(file.size for file in files) >= BULK_BYTES


def _failed(
    file: sources.SourceFile, key: str, size: int, digest: str, reason: str, fmt: str = ""
) -> SourceRecord:
    return SourceRecord(
        path=key,
        size=file.size,
        mtime_ns=file.mtime_ns,
        content_hash=digest,
        format=fmt or "unknown",
        status="failed",
        error=reason,
        article_count=0,
        indexed_at=now(),
    )
