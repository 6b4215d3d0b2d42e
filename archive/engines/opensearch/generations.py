"""An archive's generations on an OpenSearch cluster, and the atomic alias swap between them.

Layout on the cluster, for an archive named by ``settings.opensearch_index`` (``NAME``)::

    NAME                 an alias: the live generation, the only name searches use
    NAME-gen-000001      a generation: a complete index
    NAME-building        an alias on the generation a rebuild is filling, while it lasts
    NAME-lock            the cluster-wide write lock (``cluster.WriteLock``)

A rebuild fills a new generation with refreshes off and no replicas, then moves the alias
in one atomic alias update and deletes the old generation. A rebuild that fails leaves its
generation (and what it committed) for the next rebuild to continue.
"""

from __future__ import annotations

import logging
from contextlib import suppress
from typing import Any

from opensearchpy import OpenSearch
from opensearchpy.exceptions import NotFoundError

from archive.config import Settings
from archive.engines.opensearch.cluster import unavailable
from archive.engines.opensearch.mapping import index_body

log = logging.getLogger(__name__)

GENERATION = "-gen-"
BUILDING = "-building"


class Generations:
    """The generations of one archive on a cluster: which is live, creating and swapping."""

    def __init__(self, client: OpenSearch, settings: Settings) -> None:
        self.client = client
        self.settings = settings
        self.url = settings.opensearch_url
        self.alias = settings.opensearch_index

    def current(self) -> str:
        """The name of the live generation ("" before anything was indexed)."""
        with unavailable(self.url):
            try:
                return sorted(self.client.indices.get_alias(name=self.alias))[0]
            except NotFoundError:
                return ""

    def names(self) -> list[str]:
        """Every generation of the archive, oldest first."""
        with unavailable(self.url):
            found = self.client.indices.get_alias(index=f"{self.alias}{GENERATION}*")
        return sorted(found)

    def create(self, building: bool) -> str:
        """A new, empty generation; one for a rebuild is filled without refreshes or replicas."""
        names = self.names()
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

    def building(self) -> str:
        """The generation an interrupted rebuild left, if there is one."""
        with unavailable(self.url):
            try:
                return sorted(self.client.indices.get_alias(name=self.alias + BUILDING))[0]
            except NotFoundError:
                return ""

    def swap(self, name: str, built: bool = False) -> None:
        """Point the alias at ``name`` in one atomic step, then drop other generations."""
        live = self.current()
        actions: list[dict[str, Any]] = [{"add": {"index": name, "alias": self.alias}}]
        if live:
            actions.insert(0, {"remove": {"index": live, "alias": self.alias}})
        if built:
            actions.append({"remove": {"index": name, "alias": self.alias + BUILDING}})
        with unavailable(self.url):
            self.client.indices.update_aliases(body={"actions": actions})
        log.info("generation %s is live for %s", name, self.alias)
        self.clean(keep={name})

    def clean(self, keep: set[str]) -> None:
        """Delete the generations other than ``keep``."""
        for other in self.names():
            if other not in keep:
                self.delete_index(other)

    def delete_index(self, name: str) -> None:
        with unavailable(self.url), suppress(NotFoundError):
            self.client.indices.delete(index=name)

    def live(self) -> str:
        """The live generation, created (empty) when there is none yet."""
        name = self.current()
        if not name:
            name = self.create(building=False)
            self.swap(name)
        return name

    def finish(self, name: str) -> None:
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
