"""The embedded default engine: the engine protocol on a Whoosh index in generations.

Writes go through ``write.WhooshWriter`` to the live generation, or to a new one that a
rebuild swaps in (``generations``). Each thread keeps a long-lived searcher and refreshes
it only when the live generation is swapped or a writer commits, so requests never
reopen the index.

What searches on arrays (``search``, ``more`` and the ``ArrayCache``, with numpy) is
imported by the first search that needs it: reading an article or counting them does not.
"""

from __future__ import annotations

import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from whoosh.reading import ReaderClosed
from whoosh.searching import Searcher

from archive.config import Settings
from archive.engines.whoosh import compat
from archive.engines.whoosh.expand import bound_expansions
from archive.engines.whoosh.generations import Generations
from archive.engines.whoosh.highlight import marks, tokens
from archive.engines.whoosh.rank import weighting
from archive.engines.whoosh.schema import from_document, schema
from archive.engines.whoosh.write import WhooshWriter
from archive.errors import ArticleNotFound, IndexMissing, nothing_indexed, unreadable_index
from archive.models import Article, Completion, Hit, SearchPage, SearchRequest
from archive.models.research import MarkedText, TermCounts
from archive.querytree import Node
from archive.search.highlight import Token

if TYPE_CHECKING:
    from archive.engines.whoosh.arrays import ArrayCache, View
    from archive.engines.whoosh.bulk import SegmentsWriter
    from archive.engines.whoosh.compile import Compiler
    from archive.engines.whoosh.evaluate import Matches
    from archive.engines.whoosh.terms import Terms

log = logging.getLogger(__name__)

#: the evaluated matches of this many recent research trees kept per thread
KEPT_MATCHES = 8


class WhooshEngine:
    """The engine protocol (``archive.engines.base.Engine``) on Whoosh."""

    name = "whoosh"

    def __init__(self, settings: Settings) -> None:
        compat.apply()
        self.settings = settings
        self.root = settings.index_root
        self.schema = schema()
        self._compiler: Compiler | None = None
        self.generations = Generations(self.root, self.schema)
        self._local = threading.local()
        self._arrays: ArrayCache | None = None
        self._arrays_lock = threading.Lock()
        self._terms: Terms | None = None

    def generation(self) -> str:
        return self.generations.current()

    @property
    def compiler(self) -> Compiler:
        """The query compiler, made (with the array code it runs on) by the first search."""
        if self._compiler is None:
            from archive.engines.whoosh.compile import Compiler

            self._compiler = Compiler(self.schema)
        return self._compiler

    @property
    def arrays(self) -> ArrayCache:
        """The per-segment arrays searches run on, kept for the engine's life."""
        with self._arrays_lock:
            if self._arrays is None:
                from archive.engines.whoosh.arrays import ArrayCache

                self._arrays = ArrayCache()
            return self._arrays

    @property
    def terms(self) -> Terms:
        """The characteristic-term counter of research, made on first use."""
        with self._arrays_lock:
            if self._terms is None:
                from archive.engines.whoosh.terms import Terms

                self._terms = Terms()
            return self._terms

    # writing ---------------------------------------------------------------------------

    @contextmanager
    def writer(self, timeout: float, bulk: bool = False) -> Iterator[WhooshWriter | SegmentsWriter]:
        """See ``Engine.writer``: a bulk run writes segments of its own from arrays
        (``bulk``), any other through Whoosh's writer."""
        ix = self.generations.live(create=True)
        writer = (
            _bulk_writer(ix, timeout, fresh=False)
            if bulk
            else WhooshWriter(ix, timeout, False, False)
        )
        try:
            yield writer
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

    @contextmanager
    def rebuild(self, timeout: float) -> Iterator[WhooshWriter | SegmentsWriter]:
        """Build a new generation beside the live one; swap it in when the block succeeds.

        An interrupted build stays on disk and the next rebuild continues it
        (``writer.resumed`` says so); older leftovers are removed.
        """
        name, resumed = self.generations.start_build()
        # a continued build replaces by id: its last batch may be committed but unrecorded
        writer = _bulk_writer(self.generations.open(name), timeout, fresh=not resumed)
        writer.resumed = resumed
        try:
            yield writer
            writer.commit()
        except BaseException:
            writer.cancel()
            raise
        self.generations.finish_build(name)

    # reading ---------------------------------------------------------------------------

    def _searcher(self) -> Searcher:
        """This thread's searcher, refreshed if the index changed since it was opened.

        Changed means: another generation is live, a writer committed, or the generation's
        folder is another one (the data directory was replaced by a new archive).
        """
        name = self.generation()
        if not name:
            self._drop_searcher()
            raise nothing_indexed(self.settings.data_dir)
        current: _Open | None = getattr(self._local, "searcher", None)
        if current is not None:
            if current.name == name and current.fresh(self.root / name):
                return current.searcher
            # a fresh searcher, not Searcher.refresh(): refresh reuses segment readers and
            # misses deletions committed to a segment it already had
            self._drop_searcher()
        opened = self._open_searcher(name)
        self._local.searcher = opened
        return opened.searcher

    def _drop_searcher(self) -> None:
        current: _Open | None = getattr(self._local, "searcher", None)
        self._local.searcher = None
        if current is not None:
            current.close()

    def _open_searcher(self, name: str) -> _Open:
        """A searcher on generation ``name``, or on the one that replaced it meanwhile.

        A rebuild swaps the pointer and then deletes the old generation, so a generation
        read from the pointer a moment ago may be gone when its files are opened.
        """
        while True:
            folder = self.root / name
            try:
                # the folder first: if it is replaced while the searcher opens, the next
                # request sees another folder and opens again
                handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
                try:
                    searcher = self.generations.open(name).searcher(weighting=weighting())
                except BaseException:
                    os.close(handle)
                    raise
                return _Open(name, searcher, handle)
            except (IndexMissing, OSError) as exc:
                latest = self.generation()
                if latest and latest != name:
                    name = latest
                    continue
                if not latest:
                    raise nothing_indexed(self.settings.data_dir) from None
                if isinstance(exc, IndexMissing):
                    raise
                raise unreadable_index(folder, exc) from exc

    def search(self, tree: Node, request: SearchRequest) -> SearchPage:
        from archive.engines.whoosh.search import run_search

        searcher = self._searcher()
        query = self.compiler.compile(tree)
        return run_search(searcher, query, request, self.settings, self.arrays)

    def scan(self, tree: Node, request: SearchRequest) -> Iterator[Hit]:
        from archive.engines.whoosh.search import scan

        query = self.compiler.compile(tree)
        yield from scan(self._searcher(), query, request, self.settings, self.arrays)

    def words(self, tree: Node, article: Article) -> tuple[list[Token], list[Token]]:
        """The words of ``article``'s headline and body, matched where ``tree`` looks for
        them (for ``Archive.mark``)."""
        searcher = self._searcher()
        query = bound_expansions(self.compiler.compile(tree), searcher.reader())
        found = marks(query, "body", also=("title",))
        return (
            tokens(article.title, found, searcher, "title"),
            tokens(article.body, found, searcher),
        )

    def similar(self, article_id: str, limit: int) -> tuple[Hit, ...]:
        from archive.engines.whoosh import more

        return more.similar(self._searcher(), article_id, limit, self.settings, self.arrays)

    def suggest(self, words: Sequence[str]) -> dict[str, str]:
        from archive.engines.whoosh import more

        return more.suggest(self._searcher(), words)

    def complete(self, prefix: str, limit: int) -> Completion:
        from archive.engines.whoosh import more

        return more.complete(self._searcher(), prefix, limit, self.arrays)

    # research ----------------------------------------------------------------------------

    def histogram(self, tree: Node, request: SearchRequest, unit: str) -> dict[date, int]:
        from archive.engines.whoosh import research

        arrays, found = self._matches(tree, request)
        return research.histogram(arrays, found, unit)

    def match_ids(self, tree: Node, request: SearchRequest) -> list[str]:
        from archive.engines.whoosh import research

        return research.ids(*self._matches(tree, request))

    def term_counts(
        self, tree: Node, request: SearchRequest, kind: str, size: int, score: str
    ) -> TermCounts:
        return self.terms.term_counts(*self._matches(tree, request), kind, size, score)

    def word_keys(self, words: Sequence[str]) -> dict[str, str]:
        return self.terms.keys(self._searcher(), words)

    def marked_texts(
        self, tree: Node, request: SearchRequest, marks: bool = True
    ) -> Iterator[MarkedText]:
        from archive.engines.whoosh import research
        from archive.engines.whoosh.arrays import view

        searcher = self._searcher()
        arrays = view(searcher, self.arrays)
        query = bound_expansions(self.compiler.compile(tree), searcher.reader())
        found = research.matches(arrays, query, request, None)
        yield from research.marked_texts(arrays, query if marks else None, found, request)

    def sample_texts(self, size: int) -> Iterator[MarkedText]:
        from archive.engines.whoosh import research
        from archive.engines.whoosh.arrays import view

        yield from research.sample_texts(view(self._searcher(), self.arrays), size)

    def _matches(self, tree: Node, request: SearchRequest) -> tuple[View, Matches]:
        """The matches of ``tree`` on this thread's searcher. The last few trees' are kept
        while the searcher is: a chart asks for a series' periods and then its ids, and
        for the same coverage every time."""
        from archive.engines.whoosh import research
        from archive.engines.whoosh.arrays import view

        searcher = self._searcher()
        kept: OrderedDict[tuple[Node, bool], tuple[View, Matches]] | None = getattr(
            self._local, "matches", None
        )
        if kept is None or getattr(self._local, "matched_on", None) is not searcher:
            kept = self._local.matches = OrderedDict()
            self._local.matched_on = searcher
        key = (tree, request.copies)
        if key in kept:
            kept.move_to_end(key)
            return kept[key]
        arrays = view(searcher, self.arrays)
        query = self.compiler.compile(tree)
        found = research.matches(arrays, query, request, self.settings.search_time_budget)
        kept[key] = (arrays, found)
        while len(kept) > KEPT_MATCHES:
            kept.popitem(last=False)
        return arrays, found

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
        """ "ok" when the live generation opens; ``IndexMissing`` (saying why) otherwise."""
        self._searcher()
        return "ok"

    def close(self) -> None:
        self._local.matches = self._local.matched_on = None
        self._drop_searcher()


def _bulk_writer(ix: Any, timeout: float, fresh: bool) -> SegmentsWriter:
    """The bulk writer, imported (with numpy) only by the commands that write."""
    from archive.engines.whoosh.bulk import SegmentsWriter

    return SegmentsWriter(ix, timeout, fresh)


@dataclass(frozen=True)
class _Open:
    """A thread's searcher on one generation, and that generation's folder held open.

    Holding the folder keeps its inode number from being given to another folder, so
    comparing it with the folder now at its path tells whether it was replaced.
    """

    name: str
    searcher: Searcher
    folder: int

    def fresh(self, path: Path) -> bool:
        """Whether this is still the folder at ``path`` and nothing was committed since."""
        try:
            now, held = os.stat(path), os.fstat(self.folder)
            return (now.st_dev, now.st_ino) == (held.st_dev, held.st_ino) and bool(
                self.searcher.up_to_date()
            )
        except OSError:
            return False

    def close(self) -> None:
        """Close the searcher and the folder; readers closed already need nothing, and a
        failure here must not keep the thread from opening the next searcher."""
        try:
            self.searcher.close()
        except ReaderClosed:
            log.debug("a replaced searcher's readers were closed already")
        finally:
            os.close(self.folder)
