"""One batch of the bulk pipeline: the changes waiting for the next commit."""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from typing import Any

from archive.engines.base import EngineWriter
from archive.indexing.catalog import RETRY, Catalog
from archive.indexing.dedup import Deduper
from archive.indexing.fingerprints import Fingerprint
from archive.indexing.journal import Entry
from archive.ingest import sources
from archive.models import Article, SourceRecord

log = logging.getLogger(__name__)


class Batch:
    """Changes waiting for the next commit: the engine first, then the catalog.

    A source's articles and its catalog record always land in the same batch, so after any
    interruption the catalog lists exactly the sources whose articles are committed.

    A file's sources (a container's members) may be split over batches. While a file is
    open (being read, or some of its sources not parsed yet: ``opened``, ``closed``),
    its sources are committed with a mtime no file has (``RETRY``), and given the file's
    own once it is closed: a run interrupted half-way through a file reads it again,
    rather than take it for unchanged with members missing.
    """

    def __init__(
        self, catalog: Catalog, writer: EngineWriter, staged: bool, deduper: Deduper
    ) -> None:
        self.catalog = catalog
        self.writer = writer
        #: groups copies of one story (``dedup``); its fingerprints wait in the catalog's
        #: open transaction and are committed with the batch's other catalog changes
        self.deduper = deduper
        self.staged = staged
        self.articles = 0
        self.files: dict[str, sources.SourceFile] = {}
        self._records: list[tuple[SourceRecord, str, list[str] | None, int]] = []
        self._touched: list[tuple[str, sources.SourceFile]] = []
        self._forget: list[str] = []
        #: files whose sources are not all settled, with how much is outstanding
        self._open: dict[str, int] = {}
        #: sources of open files committed early, to be given their file's mtime
        self._early: dict[str, list[str]] = {}

    def opened(self, file: str) -> None:
        """One more thing outstanding in ``file`` (its reading, one of its sources)."""
        self._open[file] = self._open.get(file, 0) + 1

    def closed(self, file: sources.SourceFile) -> None:
        """One thing less outstanding in ``file``; when none is, its sources committed
        early get its mtime (in the next commit)."""
        key = file.key
        self._open[key] -= 1
        if not self._open[key]:
            del self._open[key]
            self._touched += [(path, file) for path in self._early.pop(key, [])]

    def add(self, articles: list[Article], prints: list[Fingerprint], prepared: Any = None) -> None:
        articles = self.deduper.assign(articles, prints)
        self.writer.add(articles, prepared)
        self.articles += len(articles)

    def record(self, record: SourceRecord, file: str, ids: list[str] | None, size: int = 0) -> int:
        """Write a source's record; ``ids`` (unless ``None``) replaces its articles, and
        those it had that ``ids`` does not hold are deleted. Returns how many were."""
        self._records.append((record, file, ids, size))
        if ids is None or self.staged:
            return 0
        return self._delete(set(self.catalog.article_ids(record.path)) - set(ids))

    def touch(self, key: str, file: sources.SourceFile) -> None:
        self._touched.append((key, file))

    def forget(self, key: str) -> int:
        """Drop a source and delete its articles; returns how many it had."""
        self._forget.append(key)
        return 0 if self.staged else self._delete(set(self.catalog.article_ids(key)))

    def _delete(self, ids: set[str]) -> int:
        if ids:
            self.writer.delete(ids)
            self.deduper.forget(ids)
        return len(ids)

    def flush(self) -> None:
        """Commit the batch: the engine's commit between the catalog's.

        A live batch commits, in one catalog transaction, its copy fingerprints and the
        journal of its records (the sources whose size or mtime alone changed too, since
        those say a file was wholly read); then the engine; then the journal is settled
        into the records. A staged batch (a rebuild's) needs no journal, since a continued
        rebuild replaces by id: the engine commits first, then the fingerprints and the
        staged records in one catalog transaction.
        """
        records = [(self._held(r, file), file, ids, size) for r, file, ids, size in self._records]
        touched = [(key, s.size, self._held_mtime(key, s)) for key, s in self._touched]
        entries = [Entry("record", r.path, file, size, r, ids) for r, file, ids, size in records]
        entries += [Entry("forget", key) for key in self._forget]
        entries += [Entry("touch", key, size=size, mtime=mtime) for key, size, mtime in touched]
        log.debug("commit started: %d articles", self.articles)
        started = time.perf_counter()
        if not self.staged:
            if entries:
                self.catalog.journal(entries)
            self.catalog.commit()
        before = time.perf_counter() - started
        self.writer.commit()
        engine = time.perf_counter() - started - before
        if self.staged:
            self.catalog.begin()
            for r, file, ids, size in records:
                self.catalog.record(r, file, size, ids, staged=True)
            for key, size, mtime in touched:
                self.catalog.touch(key, size, mtime, staged=True)
            self.catalog.commit()
        catalog = time.perf_counter() - started - engine
        log.debug("commit done: engine %.1f s, catalog %.1f s", engine, catalog)
        if not self.staged and entries:
            self.catalog.settle(apply=True)
        self._records.clear()
        self._touched.clear()
        self._forget.clear()
        self.articles = 0

    def _held(self, record: SourceRecord, file: str) -> SourceRecord:
        """The record as committed now: with ``RETRY`` for a mtime while its file is open."""
        if file not in self._open:
            return record
        self._early.setdefault(file, []).append(record.path)
        return replace(record, mtime_ns=RETRY)

    def _held_mtime(self, key: str, source: sources.SourceFile) -> int:
        if source.key not in self._open:
            return source.mtime_ns
        self._early.setdefault(source.key, []).append(key)
        return RETRY
