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

from archive import languages
from archive.catalog import Catalog, Entry, now
from archive.config import Settings
from archive.dedup import Deduper, Fingerprint, fingerprint, open_deduper
from archive.engines.base import Engine, EngineWriter
from archive.errors import ArchiveError, ParseError
from archive.ingest import formats, sources
from archive.ingest.common import SourceDoc, content_hash
from archive.locking import write_lock
from archive.models import Article, IngestReport, RecordFailure, SourceRecord
from archive.timelimit import Overtime, time_limit
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
class Parsed:
    """The outcome of parsing one source (picklable: it crosses process boundaries)."""

    key: str
    size: int
    content_hash: str
    format: str = ""
    articles: list[Article] = field(default_factory=list)
    #: the copy-detection fingerprint of each article, computed beside the parse
    prints: list[Fingerprint] = field(default_factory=list)
    failures: list[RecordFailure] = field(default_factory=list)
    error: str | None = None


def parse_source(key: str, data: bytes, max_chars: int = 0, seconds: float = 0) -> Parsed:
    """Parse one source; never raises: every problem becomes ``error`` or a record failure.

    An article whose text is longer than ``max_chars`` is refused as a record failure,
    and a parse that takes longer than ``seconds`` refuses the whole source (0: no limit).
    The per-article work that needs no index (language detection, copy fingerprints) is
    done here too, so it runs in the parsing processes rather than beside the writer.
    """
    parsed = Parsed(key=key, size=len(data), content_hash=content_hash(data))
    try:
        with time_limit(seconds):
            parsed.format = formats.detect(data, os.path.basename(key))
            doc = SourceDoc(key, data, parsed.content_hash)
            for item in formats.parse(doc, parsed.format):
                if isinstance(item, RecordFailure):
                    parsed.failures.append(item)
                elif max_chars and len(item.body) > max_chars:
                    parsed.failures.append(_too_long(item, max_chars))
                else:
                    parsed.articles.append(languages.with_language(item))
        parsed.prints = [fingerprint(article) for article in parsed.articles]
    except Overtime:
        parsed.articles.clear()
        parsed.prints.clear()
        parsed.error = f"parsing took longer than {seconds:g} s; the source was refused"
    except ParseError as exc:
        parsed.error = str(exc)
    except Exception as exc:  # a parser bug must not stop a bulk run
        log.exception("parser for %s failed on %s", parsed.format or "detection", key)
        parsed.error = f"the {parsed.format or 'format'} parser failed: {type(exc).__name__}: {exc}"
    if parsed.error is None and not parsed.articles:
        reasons = "; ".join(f.reason for f in parsed.failures[:3])
        parsed.error = f"no articles found ({reasons})" if reasons else "no articles found"
    return parsed


def _too_long(article: Article, max_chars: int) -> RecordFailure:
    return RecordFailure(
        article.record or article.id,
        f"the article text is {len(article.body):,} characters long; the limit is {max_chars:,}",
    )


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
        files = list(sources.walk(paths))
        # a run is sized by what it has to read, not by the unchanged files it skips;
        # a lone file is parsed in this process
        changed = self._changed(files)
        timeout = self.settings.writer_timeout
        tally = _Tally()
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
        batch = _Batch(self.catalog, writer, staged, open_deduper(self.settings.data_dir))
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
        batch: _Batch,
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
            known = self.catalog.for_file(file.path)
            if not known or any(r.size != file.size or r.mtime_ns != file.mtime_ns for r in known):
                changed.append(file)
        return changed

    def _jobs(
        self,
        files: list[sources.SourceFile],
        tally: _Tally,
        fresh: bool,
        batch: _Batch,
        progress: Progress,
    ) -> Iterator[_Job]:
        for file in files:
            progress.advance(1, 0)
            known = [] if fresh else self.catalog.for_file(file.path)
            if known and all(r.size == file.size and r.mtime_ns == file.mtime_ns for r in known):
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

    def _apply(self, parsed: Parsed, tally: _Tally, batch: _Batch, fresh: bool) -> None:
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

    def _prune(self, tally: _Tally, batch: _Batch) -> None:
        """Forget sources whose files are gone, and delete their articles."""
        for file in list(self.catalog.files()):
            if sources.stat(file) is not None:
                continue
            for record in self.catalog.for_file(file):
                batch.forget(record.path)
                tally.removed += 1


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


class _Batch:
    """Changes waiting for the next commit: the engine first, then the catalog.

    A source's articles and its catalog record always land in the same batch, so after any
    interruption the catalog lists exactly the sources whose articles are committed.
    """

    def __init__(
        self, catalog: Catalog, writer: EngineWriter, staged: bool, deduper: Deduper
    ) -> None:
        self.catalog = catalog
        self.writer = writer
        #: groups copies of one story (archive.dedup); committed right after the engine
        self.deduper = deduper
        self.staged = staged
        self.articles = 0
        self.files: dict[str, sources.SourceFile] = {}
        self._records: list[tuple[SourceRecord, str, list[str] | None, int]] = []
        self._touched: list[tuple[str, sources.SourceFile]] = []
        self._forget: list[str] = []

    def add(self, articles: list[Article], prints: list[Fingerprint]) -> None:
        articles = self.deduper.assign(articles, prints)
        self.writer.add(articles)
        self.articles += len(articles)

    def record(self, record: SourceRecord, file: str, ids: list[str] | None, size: int = 0) -> None:
        self._records.append((record, file, ids, size))

    def touch(self, key: str, file: sources.SourceFile) -> None:
        self._touched.append((key, file))

    def forget(self, key: str) -> None:
        self._forget.append(key)

    def flush(self) -> None:
        """Commit the batch: journal it, commit the engine, then the catalog.

        A staged batch (a rebuild's) needs no journal: a continued rebuild replaces by id.
        """
        entries = [
            Entry("record", r.path, file, size, r, ids) for r, file, ids, size in self._records
        ]
        entries += [Entry("forget", key) for key in self._forget]
        if not self.staged and entries:
            self.catalog.journal(entries)
        for key in self._forget:
            self.writer.delete(self.catalog.article_ids(key))
            self.deduper.forget(self.catalog.article_ids(key))
        log.debug("commit started: %d articles", self.articles)
        started = time.perf_counter()
        self.writer.commit()
        engine = time.perf_counter() - started
        self.deduper.commit()
        log.debug(
            "commit done: engine %.1f s, fingerprints %.1f s",
            engine,
            time.perf_counter() - started - engine,
        )
        if self.staged:
            self.catalog.begin()
            for r, file, ids, size in self._records:
                self.catalog.record(r, file, size, ids, staged=True)
            self.catalog.commit()
        elif entries:
            self.catalog.settle(apply=True)
        if self._touched:
            self.catalog.begin()
            for key, source in self._touched:
                self.catalog.touch(key, source.size, source.mtime_ns)
            self.catalog.commit()
        self._records.clear()
        self._touched.clear()
        self._forget.clear()
        self.articles = 0
