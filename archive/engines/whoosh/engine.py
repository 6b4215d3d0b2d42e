"""The embedded default engine: a Whoosh index in generations under the data directory.

Layout::

    index/CURRENT        the name of the live generation (replaced atomically)
    index/gen-000001/    a complete Whoosh index

Each thread keeps a long-lived searcher and refreshes it only when the live generation is
swapped or a writer commits, so requests never reopen the index.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from whoosh import index as windex
from whoosh.reading import ReaderClosed, SegmentReader
from whoosh.searching import Searcher
from whoosh.util.filelock import try_for

from archive.config import Settings
from archive.engines.whoosh import compat as whoosh_patches
from archive.engines.whoosh import more
from archive.engines.whoosh.arrays import ArrayCache
from archive.engines.whoosh.compile import Compiler
from archive.engines.whoosh.feedback import expand
from archive.engines.whoosh.schema import from_document, schema, to_document
from archive.engines.whoosh.scoring import weighting
from archive.engines.whoosh.search import run_search, scan
from archive.errors import ArticleNotFound, IndexBusy, IndexMissing, StorageError
from archive.models import Article, Completion, Hit, SearchPage, SearchRequest
from archive.querytree import Node

log = logging.getLogger(__name__)
whoosh_patches.apply()

POINTER = "CURRENT"
BUILDING = "BUILDING"
PREFIX = "gen-"
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
                with _disk(self._ix.storage.folder):
                    self._writer = self._ix.writer(_lk=False, **options)
            except BaseException:
                lock.release()
                raise
            self._writer.writelock = lock  # released by Whoosh on commit or cancel
        return self._writer

    def add(self, articles: Iterable[Article]) -> None:
        writer = self._open()
        documents = [to_document(article) for article in articles]
        with _disk(self._ix.storage.folder):
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
        with _disk(self._ix.storage.folder):
            for article_id in ids:
                writer.delete_by_term("id", article_id)

    def commit(self) -> None:
        if self._writer is not None:
            with _disk(self._ix.storage.folder):
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
            lock = getattr(writer, "writelock", None)
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


class WhooshEngine:
    """The engine protocol (``archive.engines.base.Engine``) on Whoosh."""

    name = "whoosh"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.root = settings.index_root
        self.schema = schema()
        self.compiler = Compiler(self.schema)
        self._local = threading.local()
        self.arrays = ArrayCache()
        self._lock = threading.Lock()

    # generations -----------------------------------------------------------------------

    def generation(self) -> str:
        try:
            return (self.root / POINTER).read_text(encoding="ascii").strip()
        except FileNotFoundError:
            return ""

    def _generations(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir() if p.name.startswith(PREFIX))

    def _next_generation(self) -> str:
        names = self._generations()
        number = int(names[-1][len(PREFIX) :]) + 1 if names else 1
        return f"{PREFIX}{number:06d}"

    def _swap(self, name: str) -> None:
        """Point CURRENT at ``name`` in one atomic step, then drop stale generations."""
        self._point(POINTER, name)
        self._clean(keep={name})

    def _point(self, pointer: str, name: str) -> None:
        """Replace a pointer file atomically and durably."""
        temp = self.root / f"{pointer}.tmp"
        with _disk(self.root):
            with open(temp, "w", encoding="ascii") as handle:
                handle.write(name + "\n")
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp, self.root / pointer)
            _fsync_dir(self.root)

    def _clean(self, keep: set[str]) -> None:
        """Remove generations other than ``keep`` (open searchers keep reading their files)."""
        for other in self._generations():
            if other not in keep:
                shutil.rmtree(self.root / other, ignore_errors=True)

    def _open(self, name: str) -> windex.Index:
        try:
            return windex.open_dir(str(self.root / name))
        except (OSError, windex.EmptyIndexError) as exc:
            raise IndexMissing(f"the index {self.root / name} cannot be opened: {exc}") from exc

    def _live(self, create: bool = False) -> windex.Index:
        name = self.generation()
        if name:
            return self._open(name)
        if not create:
            raise IndexMissing("nothing has been indexed yet; run `newsarchive index PATH` first")
        with self._lock, _disk(self.root):
            name = self._next_generation()
            (self.root / name).mkdir(parents=True, exist_ok=True)
            windex.create_in(str(self.root / name), self.schema)
            self._swap(name)
        return self._open(name)

    # writing ---------------------------------------------------------------------------

    @contextmanager
    def writer(self, timeout: float, bulk: bool = False) -> Iterator[WhooshWriter]:
        writer = WhooshWriter(self._live(create=True), timeout, fresh=False, bulk=bulk)
        try:
            yield writer
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

    @contextmanager
    def rebuild(self, timeout: float) -> Iterator[WhooshWriter]:
        """Build a new generation beside the live one; swap it in when the block succeeds.

        An interrupted build stays on disk, named by BUILDING, and the next rebuild
        continues it (``writer.resumed`` says so); older leftovers are removed.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        name = self._building()
        resumed = bool(name)
        if not resumed:
            name = self._next_generation()
            with _disk(self.root):
                (self.root / name).mkdir()
                windex.create_in(str(self.root / name), self.schema)
            self._point(BUILDING, name)
        self._clean(keep={self.generation(), name})
        # a continued build replaces by id: its last batch may be committed but unrecorded
        writer = WhooshWriter(self._open(name), timeout, fresh=not resumed, bulk=True)
        writer.resumed = resumed
        try:
            yield writer
            writer.commit()
        except BaseException:
            writer.cancel()
            raise
        self._swap(name)
        (self.root / BUILDING).unlink(missing_ok=True)

    def _building(self) -> str:
        """The generation an interrupted rebuild left, if it can be continued."""
        try:
            name = (self.root / BUILDING).read_text(encoding="ascii").strip()
        except FileNotFoundError:
            return ""
        if name and windex.exists_in(str(self.root / name)):
            return name
        return ""

    # reading ---------------------------------------------------------------------------

    def _searcher(self) -> Searcher:
        """This thread's searcher, refreshed if the index changed since it was opened."""
        name = self.generation()
        if not name:
            raise IndexMissing("nothing has been indexed yet; run `newsarchive index PATH` first")
        current: tuple[str, Searcher] | None = getattr(self._local, "searcher", None)
        if current is not None:
            if current[0] == name and current[1].up_to_date():
                return current[1]
            # a fresh searcher, not Searcher.refresh(): refresh reuses segment readers and
            # misses deletions committed to a segment it already had
            self._local.searcher = None
            _discard(current[1])
        name, searcher = self._open_searcher(name)
        self._local.searcher = (name, searcher)
        return searcher

    def _open_searcher(self, name: str) -> tuple[str, Searcher]:
        """A searcher on generation ``name``, or on the one that replaced it meanwhile.

        A rebuild swaps the pointer and then deletes the old generation, so a generation
        read from the pointer a moment ago may be gone when its files are opened.
        """
        while True:
            try:
                return name, self._open(name).searcher(weighting=weighting())
            except (IndexMissing, OSError) as exc:
                latest = self.generation()
                if latest and latest != name:
                    name = latest
                    continue
                if isinstance(exc, IndexMissing):
                    raise
                raise IndexMissing(f"the index {self.root / name} cannot be read: {exc}") from exc

    def search(self, tree: Node, request: SearchRequest) -> SearchPage:
        searcher = self._searcher()
        query = self.compiler.compile(tree)
        if request.expand:
            query = expand(searcher, query)
        return run_search(searcher, query, request, self.settings, self.arrays)

    def scan(self, tree: Node, request: SearchRequest) -> Iterator[Hit]:
        yield from scan(self._searcher(), self.compiler.compile(tree), request, self.arrays)

    def similar(self, article_id: str, limit: int) -> tuple[Hit, ...]:
        return more.similar(self._searcher(), article_id, limit, self.settings, self.arrays)

    def suggest(self, words: Sequence[str]) -> dict[str, str]:
        return more.suggest(self._searcher(), words)

    def complete(self, prefix: str, limit: int) -> Completion:
        return more.complete(self._searcher(), prefix, limit)

    def get(self, article_id: str) -> Article:
        stored = self._searcher().document(id=article_id)
        if stored is None:
            raise ArticleNotFound(f"no article has the id {article_id!r}")
        return from_document(stored)

    def count(self) -> int:
        try:
            return int(self._searcher().doc_count())
        except IndexMissing:
            return 0

    def ids(self) -> Iterator[str]:
        reader = self._searcher().reader()
        for _, stored in reader.iter_docs():
            yield stored["id"]

    def health(self) -> str:
        return "ok"

    def close(self) -> None:
        current = getattr(self._local, "searcher", None)
        if current is not None:
            current[1].close()
            self._local.searcher = None


def _discard(searcher: Searcher) -> None:
    """Close a searcher being replaced; one whose readers are closed already needs nothing,
    and a failure here must not keep the thread from opening the next one."""
    try:
        searcher.close()
    except ReaderClosed:
        log.debug("a replaced searcher's readers were closed already")


@contextmanager
def _disk(folder: object) -> Iterator[None]:
    """Turn the file system's refusal to write (full, failing, read-only) into ours."""
    try:
        yield
    except OSError as exc:
        raise StorageError(
            f"cannot write the index in {folder}: {exc.strerror or exc}. The unfinished "
            "changes were dropped and what was committed before is intact; free some space "
            "or fix the disk, then run the command again"
        ) from exc


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
