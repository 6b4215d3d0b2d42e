"""Writing to one generation of a Whoosh index: the engine's writer and its merge policy."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from typing import Any

from whoosh import index as windex
from whoosh.reading import SegmentReader
from whoosh.util.filelock import try_for

from archive.engines.whoosh import compat
from archive.engines.whoosh.generations import disk
from archive.engines.whoosh.schema import to_document
from archive.errors import IndexBusy
from archive.models import Article

log = logging.getLogger(__name__)

WRITER_MEMORY_MB = 256
#: documents handed to a bulk writer's subprocess at a time
BULK_BATCH = 256
#: most segments a generation keeps before the smallest are merged
MAX_SEGMENTS = 8


class WhooshWriter:
    """Buffered adds and deletes on one generation; a new Whoosh writer opens after each commit.

    A bulk writer analyses documents in one subprocess per core (Whoosh's ``MpWriter``),
    each writing its own segment; segments are not re-merged at commit, which would cost
    as much again as writing them.
    """

    def __init__(self, ix: windex.Index, timeout: float, fresh: bool, bulk: bool) -> None:
        self._ix = ix
        self._timeout = timeout
        self._fresh = fresh
        self._procs = (os.cpu_count() or 1) if bulk else 1
        self._writer: Any = None
        #: nothing is analysed in the parsing processes for Whoosh's writer
        self.prepare = None
        #: whether this writer continues an interrupted rebuild
        self.resumed = False

    def _open(self) -> Any:
        if self._writer is None:
            options: dict[str, Any] = {"limitmb": WRITER_MEMORY_MB}
            if self._procs > 1:
                limit = {"limitmb": WRITER_MEMORY_MB // self._procs}
                options.update(
                    procs=self._procs,
                    multisegment=True,
                    batchsize=BULK_BATCH,
                    subargs=limit,
                    **limit,
                )
            # the lock is taken here rather than by Whoosh, which keeps it when opening
            # the writer fails (a full disk), so it can always be released
            lock = self._ix.lock("WRITELOCK")
            if not try_for(lock.acquire, timeout=self._timeout, delay=0.05):
                raise IndexBusy(
                    f"another process is writing to the index in {self._ix.storage.folder}; "
                    f"waited {self._timeout:g} s"
                )
            try:
                with disk(self._ix.storage.folder):
                    # released by Whoosh on commit or cancel
                    self._writer = compat.locked_writer(self._ix, lock, options)
            except BaseException:
                lock.release()
                raise
        return self._writer

    def add(self, articles: Iterable[Article], prepared: Any = None) -> None:
        writer = self._open()
        documents = [to_document(article) for article in articles]
        with disk(self._ix.storage.folder):
            if not self._fresh:
                # one lookup for the batch instead of a searcher per update_document()
                self._delete_existing(writer, [doc["id"] for doc in documents])
            for document in documents:
                writer.add_document(**document)

    def _delete_existing(self, writer: Any, ids: list[str]) -> None:
        with writer.searcher() as searcher:
            for article_id in ids:
                docnum = searcher.document_number(id=article_id)
                if docnum is not None:
                    writer.delete_document(docnum)

    def delete(self, ids: Iterable[str]) -> None:
        writer = self._open()
        with disk(self._ix.storage.folder):
            for article_id in ids:
                writer.delete_by_term("id", article_id)

    def commit(self) -> None:
        if self._writer is not None:
            with disk(self._ix.storage.folder):
                self._writer.commit(mergetype=merge_policy)
            self._writer = None

    def cancel(self) -> None:
        """Drop the changes since the last commit and release Whoosh's lock.

        Never raises: it runs while another error (often the disk's) is on its way out,
        and a commit that failed half-way leaves a writer that cannot cancel cleanly.
        """
        writer, self._writer = self._writer, None
        if writer is None:
            return
        try:
            writer.cancel()
        except Exception as exc:  # the error on its way out matters more than this one
            log.info("the index writer did not cancel cleanly: %s", exc)
            lock = compat.writer_lock(writer)
            if lock is not None:
                lock.release()


def merge_policy(writer: Any, segments: list[Any]) -> list[Any]:
    """Keep the segment count bounded: past ``MAX_SEGMENTS``, merge the smallest ones.

    Whoosh's default policy only ever merges tiny segments, so the large segments a bulk
    writer adds on every commit would pile up and slow every search down.
    """
    if len(segments) <= MAX_SEGMENTS:
        return segments
    ordered = sorted(segments, key=lambda segment: segment.doc_count_all())
    merge, keep = (
        ordered[: len(segments) - MAX_SEGMENTS // 2],
        ordered[len(segments) - MAX_SEGMENTS // 2 :],
    )
    for segment in merge:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        writer.add_reader(reader)
        reader.close()
    return keep
