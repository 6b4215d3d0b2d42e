"""``Archive``: the one facade the CLI and the web call."""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from archive import query
from archive.config import Settings
from archive.datadir import DataDir
from archive.engines import open_engine
from archive.errors import (
    ArchiveError,
    ArticleNotFound,
    IndexBusy,
    IndexMissing,
    QueryError,
    StorageError,
    nothing_indexed,
)
from archive.indexing.catalog import Catalog
from archive.indexing.locking import holder, write_lock
from archive.models import (
    SORTS,
    Article,
    CheckReport,
    Completion,
    Hit,
    IngestReport,
    SearchPage,
    SearchRequest,
    SourceRecord,
    Stats,
)
from archive.querytree import Node, describe, terms
from archive.search import highlight, spelling

if TYPE_CHECKING:
    from archive.engines.base import Engine
    from archive.indexing.reporting import Progress

log = logging.getLogger(__name__)

MAX_ID_LENGTH = 64
#: a query of plain words that fewer articles than this (none or almost none) match with all
#: the words is answered with the any-word ranking instead, unless the request is ``strict``
#: (``python bench/all_words.py`` measures the rule on sentence-style queries)
RELAX_BELOW = 3


class Archive:
    """A news archive in one data directory: its catalog, its engine and its settings.

    Opening one creates nothing: reading never writes, and the data directory and the
    catalog are created by the first write (``index``).

    What only some of its methods need is imported by them: the indexing pipeline (its
    parsers, process pool and fingerprints) by ``index``, ``reindex`` and ``check``, the
    engine (Whoosh and numpy, or the OpenSearch client) when it is first used, so that a
    search or a look at the catalog starts quickly.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.data = DataDir(settings)
        self._engine: Engine | None = None
        self._engine_lock = threading.Lock()
        self.limits = query.Limits(
            max_length=settings.max_query_length,
            max_terms=settings.max_query_terms,
            min_prefix=settings.min_prefix_length,
        )

    @property
    def engine(self) -> Engine:
        """The engine ``settings.engine`` names, opened on first use."""
        with self._engine_lock:
            if self._engine is None:
                self._engine = open_engine(self.settings)
            return self._engine

    @property
    def catalog(self) -> Catalog:
        """The catalog for writing: the data directory must take files (``StorageError``
        otherwise), and the catalog is created on first use."""
        return self.data.writable_catalog()

    def close(self) -> None:
        if self._engine is not None:
            self._engine.close()
        self.data.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ingest ----------------------------------------------------------------------------

    def index(
        self, paths: Iterable[Path | str], prune: bool = False, progress: Progress | None = None
    ) -> IngestReport:
        """Index files and folders; unchanged files are skipped, changed ones re-indexed."""
        from archive.indexing.indexer import Indexer

        return Indexer(self.settings, self.engine, self.catalog).index(paths, prune, progress)

    def reindex(self, progress: Progress | None = None) -> IngestReport:
        """Rebuild the whole index from the catalog's sources and swap it in atomically."""
        from archive.indexing.indexer import Indexer

        return Indexer(self.settings, self.engine, self.catalog).reindex(progress)

    # search ----------------------------------------------------------------------------

    def validate(self, request: SearchRequest) -> SearchRequest:
        """Check a request's bounds; raises ``QueryError`` naming what is wrong."""
        if request.page < 1:
            raise QueryError("page must be 1 or more")
        if not 1 <= request.per_page <= self.settings.max_per_page:
            raise QueryError(f"per_page must be between 1 and {self.settings.max_per_page}")
        if request.offset > 100_000:
            raise QueryError(
                "pages beyond the first 100,000 results are not served; narrow the search"
            )
        if request.sort not in SORTS:
            raise QueryError(f"sort must be one of: {', '.join(SORTS)}")
        if request.mode not in ("all", "any"):
            raise QueryError("mode must be 'all' or 'any'")
        return request

    def search(self, request: SearchRequest) -> SearchPage:
        """One page of results for ``request``, with facets and a timeline.

        A query of plain words that (almost) no article matches with all its words is
        answered with the any-word ranking (``page.all_words`` says how many had them all),
        unless the request is ``strict``."""
        self.validate(request)
        tree = query.build(request, self.limits)
        page = strict = self._page(tree, request)
        if self._relaxable(request, strict.total):
            relaxed = replace(request, mode="any", expand=True)
            any_tree = query.build(relaxed, self.limits)
            found = self._page(any_tree, relaxed)
            if found.total > strict.total:
                tree = any_tree
                page = replace(found, request=request, all_words=strict.total)
        page = _with_explanation(page, describe(tree), tuple(dict.fromkeys(terms(tree))))
        if strict.total < spelling.SUGGEST_BELOW and request.q.strip():
            page = replace(page, suggestion=self._suggestion(request, strict.total))
        return page

    def _page(self, tree: Node, request: SearchRequest) -> SearchPage:
        return self.engine.search(tree, request)

    def _relaxable(self, request: SearchRequest, total: int) -> bool:
        """Whether the any-word ranking may stand in for a search finding ``total``."""
        return (
            total < RELAX_BELOW
            and request.mode == "all"
            and not request.strict
            and query.is_plain(request.q)
            and len(request.q.split()) > 1
        )

    def _suggestion(self, request: SearchRequest, total: int) -> str | None:
        """A respelled query, offered only when it finds more than ``total`` articles."""
        words = spelling.checked_words(query.build(request, self.limits))
        if not words:
            return None
        try:
            better = spelling.respell(request.q, self.engine.suggest(words))
        except IndexMissing:
            return None
        if better is None:
            return None
        probe = _bare(replace(request, q=better))
        try:
            found = self.engine.search(query.build(probe, self.limits), probe).total
        except (IndexMissing, QueryError):
            return None
        return better if found > total else None

    def similar(self, article_id: str, limit: int = 5) -> tuple[Hit, ...]:
        """Articles about what this one is about, best first, leaving out its own copies;
        ``ArticleNotFound`` if there is no such article."""
        self.article(article_id)
        return self.engine.similar(article_id, max(1, min(limit, self.settings.max_per_page)))

    def complete(self, prefix: str, limit: int = 8) -> Completion:
        """Completions of what is typed in the search box: queries ending in a headline word
        that starts with the last word typed, and headlines matching all of it."""
        prefix = prefix[: self.settings.max_query_length]
        if len(prefix.strip()) < self.settings.min_prefix_length:
            return Completion(prefix=prefix)
        return self.engine.complete(prefix, max(1, min(limit, 50)))

    def mark(self, article: Article, request: SearchRequest | None) -> highlight.Marked:
        """The article's headline and paragraphs with the words of the search ``request``
        marked, as the engine matches them; nothing marked without a search (or for one
        that cannot be read)."""
        tree = None
        if request is not None and request.q.strip():
            try:
                tree = query.build(request, self.limits)
            except QueryError:
                tree = None
        found: tuple[list[highlight.Token], list[highlight.Token]] = ([], [])
        if tree is not None:
            with contextlib.suppress(IndexMissing, QueryError):
                found = self.engine.words(tree, article)
        return highlight.marked(article.title, article.body, *found)

    def export(self, request: SearchRequest) -> Iterator[Hit]:
        """Every hit of the search, for CSV and JSON Lines exports (no page, no cap): the
        articles the search's pages show, any-word ranking included."""
        self.validate(request)
        tree = query.build(request, self.limits)
        if self._relaxable(request, 0):
            counted = self._page(tree, _bare(request)).total
            if self._relaxable(request, counted):
                tree = query.build(replace(request, mode="any"), self.limits)
        yield from self.engine.scan(tree, request)

    def explain(self, request: SearchRequest) -> str:
        """How the query in ``request`` is understood, in words."""
        return describe(query.build(request, self.limits))

    def article(self, article_id: str) -> Article:
        """The article with this id; ``ArticleNotFound`` if there is none."""
        if not article_id or len(article_id) > MAX_ID_LENGTH or not article_id.isalnum():
            raise ArticleNotFound(f"no article has the id {article_id[:80]!r}")
        return self.engine.get(article_id)

    # state -----------------------------------------------------------------------------

    def stats(self) -> Stats:
        """What the archive holds; ``IndexMissing`` or ``EngineUnavailable`` when there is
        no index to answer from (nothing indexed, the data directory gone or unreadable)."""
        health = self.engine.health()
        catalog = self.data.reading_catalog()
        counts = catalog.counts() if catalog else {}
        return Stats(
            articles=self.engine.count(),
            sources=sum(v for k, v in counts.items() if k != "articles"),
            failed_sources=counts.get("failed", 0),
            formats=catalog.formats() if catalog else {},
            engine=self.engine.name,
            generation=self.engine.generation(),
            data_dir=str(self.settings.data_dir),
            last_indexed=catalog.last_indexed() if catalog else None,
            health=health,
        )

    def errors(self) -> list[SourceRecord]:
        """Every source that failed, with its reason."""
        catalog = self.data.reading_catalog()
        if catalog is None:
            raise nothing_indexed(self.settings.data_dir)
        return catalog.failures()

    def check(self) -> CheckReport:
        """Whether the index opens and holds exactly the articles the catalog lists.

        The write lock is held throughout, so no writer's batch lands half-way through the
        comparison; ``IndexBusy`` when a writer is running. A batch a crash left
        half-recorded is settled first, as the next index run would, unless the data
        directory is read-only.
        """
        from archive.indexing.indexer import Indexer

        indexed = self.settings.catalog_path.exists() or self.engine.generation()
        if not self.settings.data_dir.is_dir() or not indexed:
            raise nothing_indexed(self.settings.data_dir)  # and no lock file made there
        with ExitStack() as stack:
            problems: list[str] = []
            if self._lock_for_checking(stack):
                if self.settings.catalog_path.exists():
                    Indexer(self.settings, self.engine, self.catalog).recover()
            elif (catalog := self.data.reading_catalog()) and catalog.pending():
                problems.append(
                    "the last batch of an interrupted run is half-recorded; the data directory "
                    "is read-only, so it is settled by the next `newsarchive index` that can write"
                )
            return self._compare(problems)

    def _lock_for_checking(self, stack: ExitStack) -> bool:
        """Hold the write lock for the check; ``False`` when the data directory is read-only
        (then only a writer elsewhere could hold it, and ``holder`` tells)."""
        try:
            stack.enter_context(write_lock(self.settings.data_dir, 0, "checking"))
            return True
        except IndexBusy:
            busy = holder(self.settings.data_dir) or "another process holds the write lock"
        except StorageError:
            found = holder(self.settings.data_dir)
            if found is None:
                return False
            busy = found
        raise IndexBusy(
            f"a writer is running ({busy}), so the index and the catalog cannot be compared "
            "now; run `newsarchive check` again when it has finished"
        )

    def _compare(self, problems: list[str]) -> CheckReport:
        index_ids: set[str] = set()  # nothing indexed yet: agrees with an empty catalog
        try:
            if self.engine.generation():
                index_ids = set(self.engine.ids())
        except ArchiveError as exc:
            problems.append(str(exc))
        catalog = self.data.reading_catalog()
        catalog_ids = set(catalog.all_article_ids()) if catalog else set()
        missing = tuple(sorted(catalog_ids - index_ids))
        unknown = tuple(sorted(index_ids - catalog_ids))
        if missing:
            problems.append(f"{len(missing)} articles in the catalog are missing from the index")
        if unknown:
            problems.append(f"{len(unknown)} articles in the index are unknown to the catalog")
        return CheckReport(
            ok=not problems,
            index_articles=len(index_ids),
            catalog_articles=len(catalog_ids),
            missing_from_index=missing[:100],
            unknown_to_catalog=unknown[:100],
            problems=tuple(problems),
        )


def _bare(request: SearchRequest) -> SearchRequest:
    """``request`` asking for its total only."""
    return replace(
        request, page=1, per_page=1, snippets=False, facets=False, timeline=False, explain=False
    )


def _with_explanation(page: SearchPage, explanation: str, words: tuple[str, ...]) -> SearchPage:
    return replace(page, explanation=explanation, terms=words)
