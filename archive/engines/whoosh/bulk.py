"""The bulk writer: articles analysed into arrays in the parsing processes, written as
Whoosh segments of our own (``segments``) instead of through Whoosh's writer.

``Prepare`` is what the indexing pipeline runs in each parsing process beside the parse
(``EngineWriter.prepare``): every article's fields analysed into arrays (``Analysed``).
``SegmentsWriter`` gathers the batches in a ``SegmentBuilder`` and, at each commit, writes
them as one segment (more when they outgrow ``SEGMENT_BYTES``) and publishes it with the
batch's deletions in one new generation of the table of contents, renamed into place as
Whoosh's own commit does: a crash before the rename leaves the index as it was, and the
files it left behind are removed by the next commit. The story group of each article is
only known in the main process (copy detection), so those fields are added there
(``Analyser.complete``).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from whoosh import index as windex
from whoosh.util.filelock import try_for

from archive.engines.whoosh import compat
from archive.engines.whoosh.generations import disk
from archive.engines.whoosh.schema import schema, to_document
from archive.engines.whoosh.segments.analysis import STORED_LEVEL, Analysed, Analyser
from archive.engines.whoosh.segments.builder import SegmentBuilder, commit
from archive.engines.whoosh.write import MAX_SEGMENTS, merge_policy
from archive.errors import IndexBusy
from archive.models import Article

log = logging.getLogger(__name__)

#: fields whose values are only known after copy detection, in the main process
LATE = ("copy", "group")
#: analysed articles a writer keeps before writing them as a segment (published with the
#: rest of the batch at its commit): bounds the main process's memory whatever the batch
SEGMENT_BYTES = 192 * 2**20


@functools.lru_cache(maxsize=2)
def _analyser(stored_level: int) -> Analyser:
    """One analyser per process and level: it remembers what each distinct word becomes."""
    return Analyser(schema(), late=LATE, stored_level=stored_level)


@dataclass(frozen=True)
class Prepare:
    """Articles analysed into arrays for ``SegmentsWriter.add``; picklable and small, so
    the pipeline sends it with each job to its parsing processes."""

    stored_level: int = STORED_LEVEL

    def __call__(self, articles: list[Article]) -> Analysed:
        compat.apply()
        documents = [to_document(article) for article in articles]
        return _analyser(self.stored_level).analyse(documents)


class SegmentsWriter:
    """The engine writer of bulk runs: a segment per commit, written from arrays."""

    def __init__(self, ix: windex.FileIndex, timeout: float, fresh: bool) -> None:
        self._ix = ix
        self._timeout = timeout
        self._fresh = fresh
        self.prepare = Prepare()
        self._builder = SegmentBuilder(ix.schema)
        self._lock: Any = None
        self._deleted: list[str] = []
        self._added: list[str] = []
        #: segments written for the batch in progress, published with it
        self._written: list[Any] = []
        #: whether this writer continues an interrupted rebuild
        self.resumed = False

    def _locked(self) -> None:
        """Take the index's write lock for the batch (released at its commit)."""
        if self._lock is not None:
            return
        lock = self._ix.lock("WRITELOCK")
        if not try_for(lock.acquire, timeout=self._timeout, delay=0.05):
            raise IndexBusy(
                f"another process is writing to the index in {self._ix.storage.folder}; "
                f"waited {self._timeout:g} s"
            )
        self._lock = lock

    def add(self, articles: Iterable[Article], prepared: Any = None) -> None:
        """Add articles; ``prepared`` is what ``prepare`` made of them in a parsing process
        (before copy detection gave them their story groups), or None."""
        articles = list(articles)
        if not articles:
            return
        self._locked()
        if not isinstance(prepared, Analysed) or prepared.count != len(articles):
            prepared = Prepare()([replace_group(article) for article in articles])
        late = {name: list(values) for name, values in prepared.late.items()}
        for number, article in enumerate(articles):
            # the parsing process's document had no group: only a copy's late values differ
            if article.group not in (None, article.id):
                document = to_document(article)
                for name in LATE:
                    late[name][number] = document.get(name)
        analyser = _analyser(self.prepare.stored_level)
        analyser.complete(prepared, late)
        self._builder.add(prepared)
        self._added.extend(article.id for article in articles)
        if self._builder.size() > SEGMENT_BYTES:
            with disk(self._ix.storage.folder):
                self._written.append(self._builder.write(self._ix))

    def delete(self, ids: Iterable[str]) -> None:
        ids = list(ids)
        if ids:
            self._locked()
            self._deleted.extend(ids)

    def commit(self) -> None:
        """Write the batch's segment and publish it with the batch's deletions (and, when
        the index is not new, the older copies of the articles added), atomically."""
        if self._lock is None:
            return
        try:
            with disk(self._ix.storage.folder):
                written = [*self._written, self._builder.write(self._ix)]
                new = [segment for segment in written if segment is not None]
                replaced = [] if self._fresh else self._added
                final = commit(self._ix, new, {"id": [*self._deleted, *replaced]})
                self._deleted, self._added, self._written = [], [], []
                if len(final) - len(new) > MAX_SEGMENTS:
                    self._merge(new)
        finally:
            self._release()

    def _merge(self, new: list[Any]) -> None:
        """Merge the smallest of the segments there before this commit, when Whoosh's
        writer would (``merge_policy`` at its commit, on the segments it found)."""
        lock, self._lock = self._lock, None  # Whoosh's writer releases it

        def older(writer: Any, segments: list[Any]) -> list[Any]:
            ours = {segment.segment_id() for segment in new}
            kept = [segment for segment in segments if segment.segment_id() not in ours]
            return merge_policy(writer, kept) + new

        writer = compat.locked_writer(self._ix, lock, {})
        try:
            writer.commit(mergetype=older)
        except BaseException:
            writer.cancel()
            raise

    def cancel(self) -> None:
        """Drop the batch in progress (its written segment files are removed by the next
        commit, which keeps only what the table of contents names) and release the lock."""
        self._builder = SegmentBuilder(self._ix.schema)
        self._deleted, self._added, self._written = [], [], []
        self._release()

    def _release(self) -> None:
        lock, self._lock = self._lock, None
        if lock is not None:
            try:
                lock.release()
            except OSError as exc:  # the error on its way out matters more than this one
                log.info("the index lock was not released cleanly: %s", exc)


def replace_group(article: Article) -> Article:
    """The article as a parsing process sees it: no story group yet."""
    return article if article.group is None else replace(article, group=None)
