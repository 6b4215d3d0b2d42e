"""The scale-out engine: the archive's articles in an OpenSearch cluster.

Layout on the cluster, for an archive named by ``settings.opensearch_index`` (``NAME``)::

    NAME                 an alias: the live generation, the only name searches use
    NAME-gen-000001      a generation: a complete index
    NAME-building        an alias on the generation a rebuild is filling, while it lasts
    NAME-lock            the cluster-wide write lock (``opensearch_cluster.WriteLock``)

``rebuild`` fills a new generation with refreshes off and no replicas, then moves the alias
in one atomic alias update and deletes the old generation. A rebuild that fails leaves its
generation (and what it committed) for the next rebuild to continue. A writer on the live
generation buffers its changes and sends them with the bulk helper at ``commit``, then
refreshes, so nothing is visible before the commit.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import replace
from itertools import islice
from typing import Any

from opensearchpy import OpenSearch, helpers
from opensearchpy.exceptions import NotFoundError
from opensearchpy.helpers import ScanError

from archive.config import Settings
from archive.engines.opensearch_cluster import (
    WriteLock,
    describe_health,
    make_client,
    unavailable,
)
from archive.engines.opensearch_copies import group_sizes, group_sizes_body, without_copies
from archive.engines.opensearch_mapping import from_document, index_body
from archive.engines.opensearch_query import Query, compile_tree, highlight_tree
from archive.engines.opensearch_search import hit_from, page_from, search_body, sort
from archive.engines.opensearch_writer import OpenSearchWriter
from archive.errors import ArchiveError, ArticleNotFound, EngineUnavailable, IndexMissing
from archive.models import Article, Hit, SearchPage, SearchRequest
from archive.querytree import Node

log = logging.getLogger(__name__)

GENERATION = "-gen-"
BUILDING = "-building"
SCAN_PAGE = 500
#: seconds a search request may exceed the search budget before the client gives up
REQUEST_MARGIN = 10
#: characteristic words of an article that make up its "more like this" query
SIMILAR_WORDS = 25
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

    # generations -----------------------------------------------------------------------

    def generation(self) -> str:
        with unavailable(self.url):
            try:
                return sorted(self.client.indices.get_alias(name=self.alias))[0]
            except NotFoundError:
                return ""

    def _generations(self) -> list[str]:
        with unavailable(self.url):
            found = self.client.indices.get_alias(index=f"{self.alias}{GENERATION}*")
        return sorted(found)

    def _create(self, building: bool) -> str:
        names = self._generations()
        number = int(names[-1].rsplit("-", 1)[-1]) + 1 if names else 1
        name = f"{self.alias}{GENERATION}{number:06d}"
        body = index_body(
            self.settings.opensearch_shards,
            0 if building else self.settings.opensearch_replicas,
            100_000 + self.settings.max_per_page,
        )
        if building:
            body["settings"]["index"]["refresh_interval"] = "-1"
            body["aliases"] = {self.alias + BUILDING: {}}
        with unavailable(self.url):
            self.client.indices.create(index=name, body=body)
        return name

    def _building(self) -> str:
        """The generation an interrupted rebuild left, if there is one."""
        with unavailable(self.url):
            try:
                return sorted(self.client.indices.get_alias(name=self.alias + BUILDING))[0]
            except NotFoundError:
                return ""

    def _swap(self, name: str, built: bool = False) -> None:
        """Point the alias at ``name`` in one atomic step, then drop other generations."""
        live = self.generation()
        actions: list[dict[str, Any]] = [{"add": {"index": name, "alias": self.alias}}]
        if live:
            actions.insert(0, {"remove": {"index": live, "alias": self.alias}})
        if built:
            actions.append({"remove": {"index": name, "alias": self.alias + BUILDING}})
        with unavailable(self.url):
            self.client.indices.update_aliases(body={"actions": actions})
        log.info("generation %s is live for %s", name, self.alias)
        self._clean(keep={name})

    def _clean(self, keep: set[str]) -> None:
        """Delete the generations other than ``keep``."""
        for other in self._generations():
            if other not in keep:
                self._delete_index(other)

    def _delete_index(self, name: str) -> None:
        with unavailable(self.url), suppress(NotFoundError):
            self.client.indices.delete(index=name)

    def _live(self) -> str:
        """The live generation, created (empty) when there is none yet."""
        name = self.generation()
        if not name:
            name = self._create(building=False)
            self._swap(name)
        return name

    # writing ---------------------------------------------------------------------------

    @contextmanager
    def writer(self, timeout: float, bulk: bool = False) -> Iterator[OpenSearchWriter]:
        """See ``Engine.writer``; the cluster does the analysis, so ``bulk`` changes nothing."""
        with self._locked(timeout, "indexing"):
            writer = OpenSearchWriter(self.client, self.url, self.lock, self._live(), fresh=False)
            try:
                yield writer
            except BaseException:
                writer.cancel()
                raise
            writer.commit()

    @contextmanager
    def rebuild(self, timeout: float) -> Iterator[OpenSearchWriter]:
        with self._locked(timeout, "rebuilding"):
            name = self._building()
            resumed = bool(name)
            if not resumed:
                name = self._create(building=True)
            self._clean(keep={self.generation(), name})
            writer = OpenSearchWriter(self.client, self.url, self.lock, name, fresh=True)
            writer.resumed = resumed
            try:
                yield writer
                writer.commit()
            except BaseException:
                writer.cancel()
                raise
            self._finish(name)
            self._swap(name, built=True)

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

    def _finish(self, name: str) -> None:
        """Turn a finished build into a servable index: refreshes on, replicas as set."""
        replicas = self.settings.opensearch_replicas
        with unavailable(self.url):
            self.client.indices.put_settings(
                index=name,
                body={"index": {"refresh_interval": None, "number_of_replicas": replicas}},
            )
            self.client.indices.refresh(index=name)
            # the server-side ``timeout`` is only sent when ``request_timeout`` is given too
            self.client.cluster.health(
                index=name, wait_for_status="yellow", timeout="60s", request_timeout=70
            )

    # reading ---------------------------------------------------------------------------

    def search(self, tree: Node, request: SearchRequest) -> SearchPage:
        started = time.perf_counter()
        query = compile_tree(tree)
        if query is None:
            return SearchPage(request=request, total=0, hits=())
        page = self._page(query, request, highlight_tree(tree))
        return replace(page, took_ms=(time.perf_counter() - started) * 1000)

    def similar(self, article_id: str, limit: int) -> tuple[Hit, ...]:
        """Articles about what this one is about (its characteristic words, frequent in it
        and rare in the archive), best first, without the article and its copies."""
        group = self.get(article_id).group or article_id
        like = {
            "more_like_this": {
                "fields": ["title", "body"],
                "like": [{"_index": self.alias, "_id": article_id}],
                "max_query_terms": SIMILAR_WORDS,
                "min_term_freq": 1,
                "min_doc_freq": 2,
                "minimum_should_match": 1,
            }
        }
        unlike = [{"ids": {"values": [article_id]}}, {"term": {"group": group}}]
        query = {"bool": {"must": [like], "must_not": unlike}}
        request = SearchRequest(per_page=limit, facets=False, timeline=False)
        return self._page(query, request, None).hits

    def _page(
        self, query: Query, request: SearchRequest, marked: dict[str, Query] | None
    ) -> SearchPage:
        """One page of ``query`` for ``request``, copies folded unless it asks for them."""
        if not request.copies:
            query = without_copies(query, self._scroll)
        body = search_body(query, request, self.settings, marked)
        with self._reading():
            response = self.client.search(
                index=self.alias,
                body=body,
                request_timeout=self.settings.search_time_budget + REQUEST_MARGIN,
            )
        page = page_from(response, request, self.settings, 0.0)
        return replace(page, hits=self._with_copies(page.hits))

    def scan(self, tree: Node, request: SearchRequest) -> Iterator[Hit]:
        query = compile_tree(tree)
        if query is None:
            return
        if not request.copies:
            query = without_copies(query, self._scroll)
        body = {"query": query, "sort": sort(request), "_source": {"excludes": ["body", "text"]}}
        hits = (
            hit_from(raw, rank, snippets=False)
            for rank, raw in enumerate(self._scroll(body, preserve_order=True), start=1)
        )
        while batch := tuple(islice(hits, SCAN_PAGE)):
            yield from self._with_copies(batch)

    def _with_copies(self, hits: tuple[Hit, ...]) -> tuple[Hit, ...]:
        """The hits with the number of other copies of their story filled in."""
        groups = [hit.group for hit in hits if hit.group]
        if not groups:
            return hits
        with self._reading():
            sizes = group_sizes(self.client.search(index=self.alias, body=group_sizes_body(groups)))
        return tuple(
            replace(hit, copies=max(0, sizes.get(hit.group, 1) - 1)) if hit.group else hit
            for hit in hits
        )

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
        """The health of this archive's indices (other indices on the cluster do not count)."""
        with unavailable(self.url):
            return describe_health(self.client.cluster.health(index=f"{self.alias}-*"))

    def close(self) -> None:
        self.client.close()

    def drop(self) -> None:
        """Delete every index of this archive (its generations and its lock), for tests and
        for taking an archive off a cluster."""
        for name in [*self._generations(), self.lock.index]:
            self._delete_index(name)

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
