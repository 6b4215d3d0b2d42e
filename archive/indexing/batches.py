"""One batch of the bulk pipeline: the changes waiting for the next commit."""

from __future__ import annotations

import logging
import time
from typing import Any

from archive.engines.base import EngineWriter
from archive.indexing.catalog import Catalog, Entry
from archive.indexing.dedup import Deduper
from archive.indexing.fingerprints import Fingerprint
from archive.ingest import sources
from archive.models import Article, SourceRecord

log = logging.getLogger(__name__)


class Batch:
    """Changes waiting for the next commit: the engine first, then the catalog.

    A source's articles and its catalog record always land in the same batch, so after any
    interruption the catalog lists exactly the sources whose articles are committed.
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

    def add(self, articles: list[Article], prints: list[Fingerprint], prepared: Any = None) -> None:
        articles = self.deduper.assign(articles, prints)
        self.writer.add(articles, prepared)
        self.articles += len(articles)

    def record(self, record: SourceRecord, file: str, ids: list[str] | None, size: int = 0) -> None:
        self._records.append((record, file, ids, size))

    def touch(self, key: str, file: sources.SourceFile) -> None:
        self._touched.append((key, file))

    def forget(self, key: str) -> None:
        self._forget.append(key)

    def flush(self) -> None:
        """Commit the batch: the engine's commit between the catalog's.

        A live batch commits, in one catalog transaction, its copy fingerprints, the
        sources whose size or mtime alone changed and the journal of its records; then the
        engine; then the journal is settled into the records. A staged batch (a rebuild's)
        needs no journal, since a continued rebuild replaces by id: the engine commits
        first, then the fingerprints and the staged records in one catalog transaction.
        """
        entries = [
            Entry("record", r.path, file, size, r, ids) for r, file, ids, size in self._records
        ]
        entries += [Entry("forget", key) for key in self._forget]
        for key in self._forget:
            gone = self.catalog.article_ids(key)
            self.writer.delete(gone)
            self.deduper.forget(gone)
        for key, source in self._touched:
            self.catalog.begin()
            self.catalog.touch(key, source.size, source.mtime_ns)
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
            for r, file, ids, size in self._records:
                self.catalog.record(r, file, size, ids, staged=True)
            self.catalog.commit()
        catalog = time.perf_counter() - started - engine
        log.debug("commit done: engine %.1f s, catalog %.1f s", engine, catalog)
        if not self.staged and entries:
            self.catalog.settle(apply=True)
        self._records.clear()
        self._touched.clear()
        self._forget.clear()
        self.articles = 0
