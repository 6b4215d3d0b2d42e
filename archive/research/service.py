"""``Research``: the research tools of one archive, as ``Archive.research``.

Attention over time (``compare``), characteristic terms (``words``), keywords in context
(``kwic``), citations that can be checked later (``cite``, ``check``) and saved searches
(``saved``), all on the engine protocol, so they work alike on every engine.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from archive.engines.base import Engine
from archive.errors import ArticleNotFound, QueryError
from archive.models import Hit, SearchRequest
from archive.models.citation import Citation, CitationCheck, parse_citation
from archive.models.research import Comparison, KwicLine, KwicPage, WordsReport
from archive.querytree import Node
from archive.research import kwic as concordance
from archive.research.citations import Citer
from archive.research.compare import compare
from archive.research.saved import SavedSearches
from archive.research.store import Store

if TYPE_CHECKING:
    from archive.research.words import Background

#: a sorted keyword-in-context page reads every match first; above this many it is refused
#: (the streamed CSV sorts any number)
MAX_SORTED_ARTICLES = 5000
MAX_KWIC_PER_PAGE = 200
#: deepest keyword-in-context line a page serves
MAX_KWIC_OFFSET = 100_000


class Research:
    """The research tools over one engine; ``build`` turns a request into a checked tree."""

    def __init__(self, engine: Engine, store: Path, build: Callable[[SearchRequest], Node]):
        self.engine = engine
        self.build = build
        self.store = Store(store)
        self.citer = Citer(engine, self.store, build)
        self._background: Background | None = None
        self._background_lock = threading.Lock()
        self.saved = SavedSearches(self.store, self.citer, self._hit, self._newest)

    def close(self) -> None:
        self.store.close()

    def compare(self, requests: Sequence[SearchRequest], unit: str | None = None) -> Comparison:
        """Several queries (sharing the first one's filters) per period, with coverage."""
        return compare(self.engine, self.citer, self.build, requests, unit)

    def words(self, request: SearchRequest, size: int = 30, score: str = "g2") -> WordsReport:
        """The words, phrases, sources and bylines that characterise the matches.

        Imported here (with numpy, which scores them): saving, citing and counting saved
        searches after an ``index`` run do without."""
        from archive.research.words import Background, characterise

        with self._background_lock:
            if self._background is None:
                self._background = Background()
            background = self._background
        return characterise(self.engine, self.citer, self.build, background, request, size, score)

    def kwic_lines(
        self, request: SearchRequest, sort: str = "articles", width: int = concordance.WIDTH
    ) -> Iterator[KwicLine]:
        """Every occurrence of the query's words in every match, streamed in ``sort`` order."""
        concordance.check_sort(sort)
        concordance.check_width(width)
        tree = self.build(request)
        keep = concordance.phrase_filter(tree, self.engine.word_keys)
        texts = self.engine.marked_texts(tree, request)
        return concordance.ordered(concordance.lines(texts, width, keep), sort)

    def kwic(
        self,
        request: SearchRequest,
        sort: str = "articles",
        page: int = 1,
        per_page: int = 50,
        width: int = concordance.WIDTH,
    ) -> KwicPage:
        """One page of keyword-in-context lines."""
        started = time.perf_counter()
        if not 1 <= per_page <= MAX_KWIC_PER_PAGE:
            raise QueryError(f"per_page must be between 1 and {MAX_KWIC_PER_PAGE}")
        if page < 1 or (page - 1) * per_page > MAX_KWIC_OFFSET:
            raise QueryError(f"pages beyond line {MAX_KWIC_OFFSET:,} are not served; use the CSV")
        citation = self.citer.cite(request)
        if sort != "articles" and citation.count > MAX_SORTED_ARTICLES:
            raise QueryError(
                f"sorting by the word before or after reads every match first; this search "
                f"matches {citation.count:,} articles, more than the {MAX_SORTED_ARTICLES:,} "
                "a page sorts: narrow it, or download the sorted CSV"
            )
        found = self.kwic_lines(request, sort, width)
        try:
            lines, more = concordance.page(found, page, per_page)
        finally:
            found.close()  # type: ignore[attr-defined]
        return KwicPage(
            request=request,
            sort=sort,
            page=page,
            per_page=per_page,
            lines=tuple(lines),
            has_next=more,
            total=citation.count,
            citation=citation,
            took_ms=(time.perf_counter() - started) * 1000,
        )

    def cite(self, request: SearchRequest) -> Citation:
        """The citation of a search's count now (its ids are recorded for later checks)."""
        return self.citer.cite(request)

    def check(self, citation: Citation | str) -> CitationCheck:
        """Whether a citation (or its compact or JSON text) still holds, and what changed."""
        if isinstance(citation, str):
            citation = parse_citation(citation)
        return self.citer.check(citation)

    def _hit(self, article_id: str) -> Hit | None:
        try:
            article = self.engine.get(article_id)
        except ArticleNotFound:
            return None
        return Hit(
            id=article.id,
            title=article.title,
            score=0.0,
            rank=0,
            published=article.published,
            byline=article.byline,
            source=article.source,
            url=article.url,
            language=article.language,
            tags=article.tags,
            group=article.group,
        )

    def _newest(self, request: SearchRequest) -> Iterator[Hit]:
        yield from self.engine.scan(self.build(request), request)
