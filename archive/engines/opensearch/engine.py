"""The scale-out engine: the engine protocol on an OpenSearch cluster.

The archive's generations live on the cluster behind one alias (``generations``). A writer
on the live generation buffers its changes and sends them with the bulk helper at
``commit``, then refreshes, so nothing is visible before the commit; a rebuild fills a new
generation and swaps the alias. One writer at a time holds the cluster-wide write lock.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from itertools import islice
from typing import Any

from opensearchpy import OpenSearch, helpers
from opensearchpy.exceptions import NotFoundError
from opensearchpy.helpers import ScanError

from archive.config import Settings
from archive.engines.opensearch import more
from archive.engines.opensearch.cluster import (
    WriteLock,
    describe_health,
    make_client,
    unavailable,
)
from archive.engines.opensearch.compile import Query, compile_tree, highlight_tree
from archive.engines.opensearch.copies import with_copies, without_copies
from archive.engines.opensearch.explain import explained, without
from archive.engines.opensearch.feedback import query_weight, with_feedback
from archive.engines.opensearch.generations import Generations
from archive.engines.opensearch.highlight import (
    highlight_body,
    marked_forms,
    tagged_texts,
    tokens,
)
from archive.engines.opensearch.mapping import from_document
from archive.engines.opensearch.search import hit_from, page_from, search_body, sort
from archive.engines.opensearch.write import OpenSearchWriter
from archive.errors import (
    ArchiveError,
    ArticleNotFound,
    EngineUnavailable,
    IndexMissing,
    NothingIndexed,
)
from archive.models import Article, Completion, Hit, Match, SearchPage, SearchRequest
from archive.querytree import Node
from archive.search.highlight import Token

log = logging.getLogger(__name__)

SCAN_PAGE = 500
#: seconds a search request may exceed the search budget before the client gives up
REQUEST_MARGIN = 10
_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,150}$")


class OpenSearchEngine:
    """The engine protocol (``archive.engines.base.Engine``) on an OpenSearch cluster.

    ``client`` is for tests that bring their own; by default one is made from the settings.
    """

    name = "opensearch"

    def __init__(self, settings: Settings, client: OpenSearch | None = None) -> None:
        if not _NAME.match(settings.opensearch_index):
            raise ArchiveError(
                f"NEWSARCHIVE_OPENSEARCH_INDEX={settings.opensearch_index!r} is not a valid "
                "index name: use lower-case letters, digits, '-', '_' and '.'"
            )
        self.settings = settings
        self.url = settings.opensearch_url
        self.alias = settings.opensearch_index
        self.client = client or make_client(self.url)
        self.lock = WriteLock(self.client, self.alias)
        self.generations = Generations(self.client, settings)

    def generation(self) -> str:
        return self.generations.current()

    # writing ---------------------------------------------------------------------------

    @contextmanager
    def writer(self, timeout: float, bulk: bool = False) -> Iterator[OpenSearchWriter]:
        """See ``Engine.writer``; the cluster does the analysis, so ``bulk`` changes nothing."""
        with self._locked(timeout, "indexing"):
            live = self.generations.live()
            writer = OpenSearchWriter(self.client, self.url, self.lock, live, fresh=False)
            try:
                yield writer
            except BaseException:
                writer.cancel()
                raise
            writer.commit()

    @contextmanager
    def rebuild(self, timeout: float) -> Iterator[OpenSearchWriter]:
        with self._locked(timeout, "rebuilding"):
            name = self.generations.building()
            resumed = bool(name)
            if not resumed:
                name = self.generations.create(building=True)
            self.generations.clean(keep={self.generation(), name})
            writer = OpenSearchWriter(self.client, self.url, self.lock, name, fresh=True)
            writer.resumed = resumed
            try:
                yield writer
                writer.commit()
            except BaseException:
                writer.cancel()
                raise
            self.generations.finish(name)
            self.generations.swap(name, built=True)

    @contextmanager
    def _locked(self, timeout: float, purpose: str) -> Iterator[None]:
        with unavailable(self.url):
            self.lock.acquire(timeout, purpose)
        try:
            yield
        except BaseException:
            self._release_after_failure()
            raise
        with unavailable(self.url):
            self.lock.release()

    def _release_after_failure(self) -> None:
        """Release the lock without hiding the error that ended the block."""
        try:
            with unavailable(self.url):
                self.lock.release()
        except EngineUnavailable as exc:
            log.warning("the write lock on %s was not released (%s); it expires", self.alias, exc)

    # reading ---------------------------------------------------------------------------

    def search(self, tree: Node, request: SearchRequest) -> SearchPage:
        started = time.perf_counter()
        query = compile_tree(tree)
        if query is None:
            return SearchPage(request=request, total=0, hits=())
        query = self._with_feedback(tree, query, request)
        negated = without(tree) if request.explain else ()
        page = self._page(query, request, highlight_tree(tree), negated)
        return replace(page, took_ms=(time.perf_counter() - started) * 1000)

    def _with_feedback(self, tree: Node, query: Query, request: SearchRequest) -> Query:
        """``query`` with RM3's expansion words (``feedback``) when the request asks for
        feedback (``expand``) and the ``feedback`` setting is "always"."""
        weight = query_weight(tree)
        if not request.expand or self.settings.feedback != "always" or not weight:
            return query
        with self._reading():
            return with_feedback(self.client, self.alias, query, weight)

    def words(self, tree: Node, article: Article) -> tuple[list[Token], list[Token]]:
        """The words of ``article``'s headline and body, matched where the cluster's
        highlighter finds ``tree``'s words (for ``Archive.mark``)."""
        marked = highlight_tree(tree)
        if marked is None:
            return [], []
        body = {
            "query": {"ids": {"values": [article.id]}},
            "_source": False,
            "highlight": highlight_body(marked, ("title", "body")),
        }
        with self._reading():
            found = self.client.search(index=self.alias, body=body)["hits"]["hits"]
        tagged = (found[0].get("highlight") or {}) if found else {}
        return (
            tokens(tagged_texts(tagged, "title"), article.title),
            tokens(tagged_texts(tagged, "body"), article.body),
        )

    def similar(self, article_id: str, limit: int) -> tuple[Hit, ...]:
        """Articles about what this one is about (its characteristic words, frequent in it
        and rare in the archive), best first, without the article and its copies."""
        group = self.get(article_id).group or article_id
        query = more.similar_query(self.alias, article_id, group)
        request = SearchRequest(per_page=limit, facets=False, timeline=False)
        return self._page(query, request, None).hits

    def _page(
        self,
        query: Query,
        request: SearchRequest,
        marked: dict[str, Query] | None,
        negated: tuple[Match, ...] = (),
    ) -> SearchPage:
        """One page of ``query`` for ``request``, copies folded unless it asks for them;
        explained if it asks (``negated``: what every hit is without)."""
        if not request.copies:
            query = without_copies(query, self._scroll)
        body = search_body(query, request, self.settings, marked)
        with self._reading():
            response = self.client.search(
                index=self.alias,
                body=body,
                request_timeout=self.settings.search_time_budget + REQUEST_MARGIN,
            )
            forms = marked_forms(self.client, self.alias, response)
            page = page_from(response, request, self.settings, 0.0, forms)
            hits = with_copies(self.client, self.alias, page.hits)
            if request.explain:
                hits = explained(self.client, self.alias, response, hits, negated)
        return replace(page, hits=hits)

    def scan(self, tree: Node, request: SearchRequest) -> Iterator[Hit]:
        query = compile_tree(tree)
        if query is None:
            return
        query = self._with_feedback(tree, query, request)
        if not request.copies:
            query = without_copies(query, self._scroll)
        body = {"query": query, "sort": sort(request), "_source": {"excludes": ["body", "text"]}}
        hits = (
            hit_from(raw, rank, snippets=False)
            for rank, raw in enumerate(self._scroll(body, preserve_order=True), start=1)
        )
        while batch := tuple(islice(hits, SCAN_PAGE)):
            with self._reading():
                batch = with_copies(self.client, self.alias, batch)
            yield from batch

    def suggest(self, words: Sequence[str]) -> dict[str, str]:
        with self._reading():
            return more.suggest(self.client, self.alias, words)

    def complete(self, prefix: str, limit: int) -> Completion:
        with self._reading():
            return more.complete(self.client, self.alias, prefix, limit)

    def get(self, article_id: str) -> Article:
        with self._reading():
            try:
                found = self.client.get(index=self.alias, id=article_id)
            except NotFoundError as exc:
                if "index_not_found" in str(exc.error):
                    raise
                raise ArticleNotFound(f"no article has the id {article_id!r}") from None
        return from_document(found["_source"])

    def count(self) -> int:
        try:
            with self._reading():
                return int(self.client.count(index=self.alias)["count"])
        except IndexMissing:
            return 0

    def ids(self) -> Iterator[str]:
        body = {"query": {"match_all": {}}, "_source": False}
        for raw in self._scroll(body, preserve_order=False):
            yield raw["_id"]

    def health(self) -> str:
        """The health of this archive's indices (other indices on the cluster do not count);
        ``IndexMissing`` before anything was indexed."""
        if not self.generation():
            raise NothingIndexed(
                f"nothing has been indexed in {self.alias} on {self.url} yet; "
                "run `newsarchive index PATH` first",
                public="nothing has been indexed yet; add articles with `newsarchive index PATH`",
            )
        with unavailable(self.url):
            return describe_health(self.client.cluster.health(index=f"{self.alias}-*"))

    def close(self) -> None:
        self.client.close()

    def drop(self) -> None:
        """Delete every index of this archive (its generations and its lock), for tests and
        for taking an archive off a cluster."""
        for name in [*self.generations.names(), self.lock.index]:
            self.generations.delete_index(name)

    # helpers ---------------------------------------------------------------------------

    @contextmanager
    def _reading(self) -> Iterator[None]:
        """Errors while reading: a missing alias means nothing was indexed yet."""
        with unavailable(self.url):
            try:
                yield
            except NotFoundError as exc:
                if "index_not_found" not in str(exc.error):
                    raise
                raise IndexMissing(
                    "nothing has been indexed yet; run `newsarchive index PATH` first"
                ) from None

    def _scroll(self, body: dict[str, Any], preserve_order: bool) -> Iterator[dict[str, Any]]:
        """Every hit of ``body``, a page at a time, so memory stays flat."""
        with self._reading():
            try:
                yield from helpers.scan(
                    self.client,
                    query=body,
                    index=self.alias,
                    size=SCAN_PAGE,
                    scroll="5m",
                    preserve_order=preserve_order,
                    clear_scroll=True,
                )
            except ScanError as exc:
                raise EngineUnavailable(f"OpenSearch lost part of an export: {exc}") from None
