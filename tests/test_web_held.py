"""Held articles on the web: the results page says what it left out and links to it, the
API and exports leave them out alike, the article page shows a held article under a
banner; in headless Chromium as a reader sees it (screenshots in ``test-artifacts/web/``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest

from archive.config import Settings
from archive.core import Archive
from archive.models import SearchRequest
from tests.server_support import serving
from tests.test_web_browser import CHROMIUM, open_page, shot
from tests.web_support import write_held_corpus
from web import create_app

BANNER = "Not for publication (agency status)"
LEFT_OUT = (
    "2 matching articles marked by their agency were left out: "
    "1 not for publication, 1 service message"
)


@pytest.fixture(scope="module")
def held_archive(tmp_path_factory) -> Iterator[Archive]:
    folder = tmp_path_factory.mktemp("held")
    write_held_corpus(folder / "corpus")
    archive = Archive(Settings(data_dir=folder / "data"))
    archive.index([folder / "corpus"])
    yield archive
    archive.close()


@pytest.fixture
def client(held_archive):
    return create_app(archive=held_archive).test_client()


def titles(page: str) -> list[str]:
    return [line.split(">")[1].split("<")[0] for line in page.split("<h2><a ")[1:]]


def held_id(archive: Archive) -> str:
    (hit,) = archive.search(SearchRequest(q="strike", tags=("not-for-publication",))).hits
    return hit.id


def test_the_results_page_says_what_it_left_out_and_links_to_it(client):
    page = client.get("/search?q=strike").get_data(as_text=True)
    assert sorted(titles(page)) == ["Harbour reopens after the strike", "Port strike ends"]
    assert LEFT_OUT in page
    assert 'href="/search?q=strike&amp;include_held=1">Show them</a>' in page
    shown = client.get("/search?q=strike&include_held=1").get_data(as_text=True)
    assert len(titles(shown)) == 4 and LEFT_OUT not in shown
    assert '<span class="held">Not for publication (agency status)</span>' in shown
    assert '<span class="held">Service message (agency status)</span>' in shown
    assert 'href="/search?q=strike">Leave them out</a>' in shown


def test_a_tag_naming_a_status_shows_those_articles_without_a_left_out_line(client):
    page = client.get("/search?tag=not-for-publication").get_data(as_text=True)
    assert titles(page) == ["Port strike deal under embargo"] and "left out" not in page
    page = client.get("/search?q=tag:service-message").get_data(as_text=True)
    assert titles(page) == ["Port strike schedule for editors"]


def test_the_api_feed_and_exports_leave_held_articles_out_alike(client):
    data = client.get("/api/search?q=strike").get_json()
    assert data["total"] == 2 and all(hit["held"] == [] for hit in data["hits"])
    assert data["held"] == {
        "included": False,
        "left_out": 2,
        "statuses": [
            {"value": "not-for-publication", "count": 1, "selected": False},
            {"value": "service-message", "count": 1, "selected": False},
        ],
    }
    included = client.get("/api/search?q=strike&include_held=1").get_json()
    assert included["total"] == 4 and included["held"]["included"]
    assert "include_held=1" in included["links"]["csv"]
    rows = list(
        csv.DictReader(io.StringIO(client.get("/export.csv?q=strike").get_data(as_text=True)))
    )
    assert len(rows) == 2
    assert (
        len(client.get("/export.jsonl?q=strike&include_held=1").get_data(as_text=True).splitlines())
        == 4
    )
    feed = client.get("/feed.atom?q=strike").get_data(as_text=True)
    assert feed.count("<entry>") == 2


def test_a_held_article_page_shows_its_status(client, held_archive):
    article_id = held_id(held_archive)
    page = client.get(f"/articles/{article_id}").get_data(as_text=True)
    assert f'<p class="held-banner" role="note"><strong>{BANNER}</strong>' in page
    data = client.get(f"/api/articles/{article_id}").get_json()
    assert data["held"] == ["not-for-publication"]


@pytest.fixture(scope="module")
def base_url(held_archive) -> Iterator[str]:
    with serving(held_archive, threads=2) as url:
        yield url


@pytest.mark.browser
def test_a_reader_sees_what_was_left_out_and_opens_it(base_url, held_archive):
    from tests.conftest import need

    need(CHROMIUM.is_file(), f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    from tests.test_web_browser import ARGS, ARTIFACTS

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = open_page(browser, problems)
            page.goto(base_url + "/search?q=strike")
            line = page.locator(".held-out")
            assert line.is_visible() and LEFT_OUT in line.inner_text()
            shot(page, "held-left-out")
            line.locator("a", has_text="Show them").click()
            page.wait_for_url("**include_held=1**")
            assert page.locator(".hit").count() == 4
            page.locator(".hit h2 a", has_text="under embargo").click()
            page.wait_for_url("**/articles/**")
            banner = page.locator(".held-banner")
            assert banner.is_visible() and BANNER in banner.inner_text()
            shot(page, "held-article")
        finally:
            browser.close()
    assert problems == []
