"""A two-node OpenSearch cluster on loopback loses a node: the archive keeps answering with
every article and says the cluster is degraded instead of failing.

The nodes are two processes started by ``scripts/opensearch.sh`` (HTTP ports 9260 and 9261);
the archive's index has two shards with one replica each, so either node holds a copy of
every shard.
"""

from __future__ import annotations

import json
import time
import urllib.request

import pytest

from archive.core import Archive
from archive.models import SearchRequest
from tests import opensearch_support
from tests.conftest import need

pytestmark = pytest.mark.opensearch

NAME = "cluster-test"
PORT = 9260
URL = f"http://127.0.0.1:{PORT},http://127.0.0.1:{PORT + 1}"
ARTICLES = 60
TOPICS = ("harbour", "railway", "vineyard")


@pytest.fixture(scope="module")
def cluster():
    need(
        opensearch_support.installed(),
        "the OpenSearch distribution is not in the cache (`make opensearch` fetches it)",
    )
    try:
        opensearch_support.script(
            "start", "--name", NAME, "--nodes", "2", "--port", str(PORT), "--fresh"
        )
    except Exception:
        opensearch_support.script("stop", "--name", NAME)
        raise
    yield URL
    opensearch_support.script("stop", "--name", NAME)


@pytest.fixture
def archive(cluster, tmp_path):
    sources = tmp_path / "sources"
    sources.mkdir()
    for number in range(ARTICLES):
        topic = TOPICS[number % len(TOPICS)]
        (sources / f"{number:03d}.txt").write_text(
            f"Story {number} about the {topic}\n\nA report on the {topic}, number {number}.\n",
            encoding="utf-8",
        )
    settings = opensearch_support.settings(
        cluster, tmp_path / "data", opensearch_shards=2, opensearch_replicas=1
    )
    archive = Archive(settings)
    archive.index([sources])
    yield archive
    archive.engine.drop()
    archive.close()


def _wait_for(predicate, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.5)
    return predicate()


def _shard_copies(index: str) -> dict[str, int]:
    """How many started copies of the index each node holds."""
    url = f"http://127.0.0.1:{PORT}/_cat/shards/{index}?format=json"
    with urllib.request.urlopen(url, timeout=10) as response:
        rows = json.load(response)
    copies: dict[str, int] = {}
    for row in rows:
        if row["state"] == "STARTED":
            copies[row["node"]] = copies.get(row["node"], 0) + 1
    return copies


def test_losing_a_node_degrades_but_answers(archive):
    assert _wait_for(lambda: archive.stats().health == "ok", 60), archive.stats().health
    # two shards, each with a primary and a replica, spread over both nodes
    assert _shard_copies(archive.engine.generation()) == {"node-1": 2, "node-2": 2}
    everything = SearchRequest(q="", per_page=1)
    assert archive.search(everything).total == ARTICLES

    opensearch_support.script("stop", "--name", NAME, "--node", "2")

    assert _wait_for(lambda: archive.stats().health != "ok", 60)
    stats = archive.stats()
    assert stats.health.startswith("degraded: cluster yellow"), stats.health
    assert stats.articles == ARTICLES
    assert archive.search(everything).total == ARTICLES
    page = archive.search(SearchRequest(q="railway", per_page=50))
    assert page.total == ARTICLES // len(TOPICS)
    assert all("railway" in hit.title for hit in page.hits)
    assert len(list(archive.export(SearchRequest(q="harbour OR vineyard")))) == 40
    assert archive.check().ok
