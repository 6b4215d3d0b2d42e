"""Leaks: thousands of searches in one worker process leave its files and memory as they were.

``make test`` makes 4,000 searches, ``--long`` (``make test-long``) ten thousand.

The searches go through the web app (the JSON API, the results page, the Atom feed and
exports) with every kind of query, good and bad, so each path that opens a searcher,
builds snippets or raises a query error is repeated thousands of times.
"""

from __future__ import annotations

import gc
import os

import pytest

from web import create_app

SEARCHES = 4_000
LONG_SEARCHES = 10_000
WARM_UP = 1_000
QUERIES = [
    "rice",
    "harvest report",
    '"rice harvest"',
    "hok*",
    "harvst~1",
    "rice -drought",
    "date:2003",
    "title:rice",
    "(rice OR typhoon) farmers",
    "byline:doe",
    "",
    "((",  # a query error
    "*",  # refused: too broad
]
ROUTES = ["/api/search"] * 6 + ["/search"] * 2 + ["/feed.atom", "/export.jsonl"]


def open_files() -> int:
    return len(os.listdir("/proc/self/fd"))


def resident() -> int:
    import psutil

    gc.collect()
    return psutil.Process().memory_info().rss


@pytest.mark.slow
@pytest.mark.long
def test_thousands_of_searches_keep_files_and_memory_flat(web_archive, long_run):
    searches = LONG_SEARCHES if long_run else SEARCHES
    client = create_app(archive=web_archive).test_client()
    files = memory = 0
    for n in range(searches):
        if n == WARM_UP:
            files, memory = open_files(), resident()
        route = ROUTES[n % len(ROUTES)]
        params = {"q": QUERIES[n % len(QUERIES)], "page": 1 + n % 3}
        params["sort"] = ("relevance", "newest", "oldest")[n % 3]
        response = client.get(route, query_string=params)
        assert response.status_code in (200, 400), (route, params, response.status_code)
        response.close()
    grown = resident() - memory
    print(
        f"after {searches} searches: {open_files()} open files (was {files}), "
        f"resident memory grew {grown / 1e6:.1f} MB of {memory / 1e6:.0f} MB"
    )
    assert open_files() <= files
    assert grown < 0.10 * memory
