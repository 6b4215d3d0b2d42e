"""The example searches of the front page and the search tips come from the archive."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from archive.config import Settings
from archive.core import Archive
from archive.examples import Examples, examples
from archive.models import SearchRequest
from tests.conftest import SEEDS
from tests.web_support import links
from web import create_app


def example_queries(html: str) -> list[str]:
    """The queries the page's example list links to."""
    section = re.search(r'<ul class="examples">(.*?)</ul>', html, re.S)
    assert section is not None, "no examples on the page"
    return [parse_qs(urlsplit(href).query)["q"][0] for href, _, _ in links(section[1])]


def test_every_front_page_example_finds_something(client):
    queries = example_queries(client.get("/").get_data(as_text=True))
    assert len(queries) >= 8
    for query in queries:
        total = client.get("/api/search", query_string={"q": query}).get_json()["total"]
        assert total > 0, query


def test_examples_show_each_kind_of_query_from_what_the_archive_holds(client):
    queries = example_queries(client.get("/").get_data(as_text=True))
    kinds = {
        "two words": r"^\w+ \w+$",
        "a phrase": r'^"\w+ \w+"$',
        "or": r"^\w+ OR \w+$",
        "not": r"^\w+ -\w+$",
        "a headline word": r"^title:\w+$",
        "a prefix": r"^\w{2,}\*$",
        "a misspelling": r"^\w+~$",
        "a year or month": r"^date:\d{4}(-\d\d)?$",
        "a source": r"^source:",
        "a tag": r"^tags:",
    }
    for kind, pattern in kinds.items():
        assert any(re.match(pattern, query) for query in queries), (kind, queries)
    # the test archive's most frequent source and tag, and its busiest year (2001-2005)
    assert {"source:Asahi", "tags:farming", "date:2003"} <= set(queries)


def test_the_search_tips_show_the_same_examples(client):
    front = example_queries(client.get("/").get_data(as_text=True))
    assert example_queries(client.get("/help").get_data(as_text=True)) == front


def test_an_empty_archive_says_how_to_add_articles(tmp_path):
    with Archive(Settings(data_dir=tmp_path / "data")) as archive:
        html = create_app(archive=archive).test_client().get("/").get_data(as_text=True)
    assert "The archive is empty" in html
    assert f"<code>newsarchive --data-dir {tmp_path / 'data'} index PATH</code>" in html
    assert 'class="examples"' not in html


def test_examples_on_the_seed_archive_come_from_the_seed(tmp_path):
    seed = " ".join(path.read_text(encoding="utf-8") for path in SEEDS.glob("*.txt")).lower()
    with Archive(Settings(data_dir=tmp_path)) as archive:
        archive.index([SEEDS])
        found = examples(archive.search)
        assert len(found) >= 5
        for example in found:
            assert archive.search(SearchRequest(q=example.query)).total > 0, example
            words = re.findall(r"[a-z]{3,}", re.sub(r"^\w+:", "", example.query.lower()))
            assert all(word in seed for word in words if not example.query.endswith("~")), example


def test_examples_are_built_again_only_when_the_index_changes(web_archive):
    calls: list[SearchRequest] = []

    def search(request):
        calls.append(request)
        return web_archive.search(request)

    cache = Examples()
    first = cache.get(("gen-1", 31), search)
    built = len(calls)
    assert cache.get(("gen-1", 31), search) == first and len(calls) == built
    assert cache.get(("gen-1", 32), search) == first and len(calls) == 2 * built
