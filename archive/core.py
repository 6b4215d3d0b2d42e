"""``Archive``: the one facade the CLI and the web call."""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from archive import query
from archive.config import Settings
from archive.datadir import DataDir
from archive.engines import open_engine
from archive.errors import (
    ArticleNotFound,
    IndexMissing,
    QueryError,
    nothing_indexed,
)
from archive.indexing import checking
from archive.indexing.catalog import Catalog
from archive.models import (
    HELD_TAGS,
    SORTS,
    Article,
    CheckReport,
    Completion,
    FacetValue,
    Hit,
    IngestReport,
    SearchPage,
    SearchRequest,
    SourceRecord,
    Stats,
)
from archive.models.saved import SavedGain
from archive.querytree import And, Exact, Node, describe, terms
from archive.search import highlight, spelling

if TYPE_CHECKING:
    from archive.engines.base import Engine
    from archive.indexing.reporting import Progress
    from archive.research.service import Research

log = logging.getLogger(__name__)

MAX_ID_LENGTH = 64
#: a query of plain words that fewer articles than this (none or almost none) match with all
#: the words is answered with the any-word ranking instead, unless the request is ``strict``
#: (``python bench/all_words.py`` measures the rule on sentence-style queries)
RELAX_BELOW = 3
#: the reason an explanation gives for the held articles' exclusion (field, word)
_HELD_REASON = ("not", " ".join(HELD_TAGS))


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
        self._research: Research | None = None

    @property
    def engine(self) -> Engine:
        """The engine ``settings.engine`` names, opened on first use."""
        with self._engine_lock:
            if self._engine is None:
                self._engine = open_engine(self.settings)
            return self._engine

    @property
    def research(self) -> Research:
        """Attention over time, characteristic words, keywords in context, citations and
        saved searches (``archive.research``), made on first use."""
        from archive.research.service import Research

        engine = self.engine
        with self._engine_lock:
            if self._research is None:
                self._research = Research(engine, self.settings.research_path, self.tree)
            return self._research

    def saved_gains(self) -> list[SavedGain]:
        """What each saved search gained since this was last asked (after ``index`` and
        ``reindex``); nothing, and nothing of the research tools loaded, while the archive
        has no research store (nothing was ever saved or cited)."""
        if not self.settings.research_path.exists():
            return []
        return self.research.saved.gains()

    @property
    def catalog(self) -> Catalog:
        """The catalog for writing: the data directory must take files (``StorageError``
        otherwise), and the catalog is created on first use."""
        return self.data.writable_catalog()

    def close(self) -> None:
        if self._research is not None:
            self._research.close()
        if self._engine is not None:
            self._engine.close()
        self.data.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ingest ----------------------------------------------------------------------------

    def index(
        self,
        paths: Iterable[Path | str],
        prune: bool = False,
        progress: Progress | None = None,
        follow_links: bool = False,
    ) -> IngestReport:
        """Index files and folders; unchanged files are skipped, changed ones re-indexed;
        ``prune`` drops what is gone under ``paths``; links out of them are not followed
        unless ``follow_links``."""
        from archive.indexing.indexer import Indexer

        indexer = Indexer(self.settings, self.engine, self.catalog)
        return indexer.index(paths, prune, progress, follow_links)

    def reindex(self, progress: Progress | None = None, prune: bool = False) -> IngestReport:
        """Rebuild the whole index from the catalog's sources and swap it in atomically;
        what cannot be read is kept, unless ``prune`` and its file is gone."""
        from archive.indexing.indexer import Indexer

        return Indexer(self.settings, self.engine, self.catalog).reindex(prune, progress)

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

    def tree(self, request: SearchRequest) -> Node:
        """The checked request as one query tree (``QueryError`` naming what is wrong)."""
        return query.build(self.validate(request), self.limits)

    def search(self, request: SearchRequest) -> SearchPage:
        """One page of results for ``request``, with facets and a timeline.

        A query of plain words that (almost) no article matches with all its words is
        answered with the any-word ranking (``page.all_words`` says how many had them all),
        unless the request is ``strict``. Held articles are left out unless the request
        includes them (``archive.query``); the page says how many matched."""
        self.validate(request)
        asked = query.question(request, self.limits)
        page = strict = self._page(query.without_held(request, asked), request)
        if self._relaxable(request, strict.total):
            relaxed = replace(request, mode="any", expand=True)
            any_asked = query.question(relaxed, self.limits)
            found = self._page(query.without_held(relaxed, any_asked), relaxed)
            if found.total > strict.total:
                asked = any_asked
                page = replace(found, request=request, all_words=strict.total)
        page = _with_explanation(page, describe(asked), tuple(dict.fromkeys(terms(asked))))
        page = self._with_held(page, asked)
        if strict.total < spelling.SUGGEST_BELOW and request.q.strip():
            page = replace(page, suggestion=self._suggestion(request, strict.total))
        return page

    def _page(self, tree: Node, request: SearchRequest) -> SearchPage:
        page = self.engine.search(tree, request)
        if not request.explain:
            return page
        # every default search is without the held articles: a reason that adds nothing
        # and would stand on every hit; the page says what was left out instead
        hits = tuple(
            replace(hit, explain=tuple(m for m in hit.explain if (m.field, m.word) != _HELD_REASON))
            for hit in page.hits
        )
        return replace(page, hits=hits)

    def _with_held(self, page: SearchPage, asked: Node) -> SearchPage:
        """``page`` saying how many held articles ``asked`` matches that it leaves out, and
        with which statuses (each status counted only when some were left out)."""
        request = page.request
        tree = query.held(request, asked)
        if tree is None:
            return replace(page, held_included=True)
        bare = _bare(request)
        left_out = self.engine.search(tree, bare).total
        if not left_out:
            return page
        statuses = []
        for tag in HELD_TAGS:
            count = self.engine.search(And((tree, Exact("tags", tag))), bare).total
            if count:
                statuses.append(FacetValue(tag, count))
        return replace(page, held=left_out, held_statuses=tuple(statuses))

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
        """How the query in ``request`` is understood, in words (held articles aside)."""
        return describe(query.question(request, self.limits))

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
        """Whether the index opens and holds exactly the articles the catalog lists
        (``IndexBusy`` while a writer runs; see ``archive.indexing.checking``)."""
        return checking.check(self.settings, self.data, self.engine)


def _bare(request: SearchRequest) -> SearchRequest:
    """``request`` asking for its total only."""
    return replace(
        request, page=1, per_page=1, snippets=False, facets=False, timeline=False, explain=False
    )


def _with_explanation(page: SearchPage, explanation: str, words: tuple[str, ...]) -> SearchPage:
    return replace(page, explanation=explanation, terms=words)
