"""End to end in headless Chromium against a real waitress server.

A reader's journey (type a query, see marked snippets, click a facet and a timeline bar,
page through, open an article, go back), keyboard-only use, a 360 px screen and JavaScript
switched off. Screenshots go to ``test-artifacts/web/``. Skipped without Debian's
``/usr/bin/chromium``, except under ``CI=true`` where they must run.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import ROOT, need
from tests.server_support import serving

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = ROOT / "test-artifacts" / "web"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 780}


@pytest.fixture(scope="module")
def base_url(web_archive) -> Iterator[str]:
    """The app under waitress on a free port of 127.0.0.1, in a background thread."""
    with serving(web_archive) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    need(CHROMIUM.is_file(), f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def problems() -> list[str]:
    """Console errors and failed requests seen by the page (CSP violations show here)."""
    return []


def open_page(browser, problems: list[str], viewport=DESKTOP, javascript: bool = True):
    context = browser.new_context(viewport=viewport, java_script_enabled=javascript)
    page = context.new_page()
    page.on("console", lambda m: m.type == "error" and problems.append(m.text))
    # a request aborted because the page navigated on (net::ERR_ABORTED) is not a fault
    page.on(
        "requestfailed",
        lambda r: (
            None if "ERR_ABORTED" in (r.failure or "") else problems.append(f"failed: {r.url}")
        ),
    )
    page.on("response", lambda r: r.status >= 400 and problems.append(f"{r.status}: {r.url}"))
    return page


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def params(page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def test_a_readers_journey(browser, base_url, problems):
    page = open_page(browser, problems)
    page.goto(base_url + "/")
    shot(page, "front")
    page.fill("#q", "rice")
    page.press("#q", "Enter")
    page.wait_for_url("**/search?q=rice")
    marks = page.locator(".snippet mark")
    assert marks.count() > 5 and marks.first.inner_text().lower() == "rice"
    assert "27 articles" in page.locator(".total").inner_text()
    shot(page, "results")

    page.locator("#refine a", has_text="Mainichi").click()
    page.wait_for_url("**source=Mainichi**")
    assert page.locator(".chip", has_text="Source: Mainichi").is_visible()
    assert "12 articles" in page.locator(".total").inner_text()

    page.locator("figure.timeline svg a").first.click()
    page.wait_for_url("**from=**")
    assert params(page)["from"] == ["2003-02-01"] and params(page)["to"] == ["2003-02-28"]
    assert page.locator(".hit").count() == 2
    shot(page, "narrowed")

    page.locator(".chip", has_text="Source: Mainichi").click()
    page.wait_for_url(lambda url: "source=" not in url)
    page.goto(base_url + "/search?q=rice")
    page.locator(".pager a[rel=next]").click()
    page.wait_for_url("**page=2")
    assert page.locator("ol.hits").get_attribute("start") == "11"
    results_url = page.url

    title = page.locator(".hit h2 a").first
    expected = title.inner_text()
    title.click()
    page.wait_for_url("**/articles/**")
    assert page.locator("h1").inner_text() == expected
    assert page.locator(".story .body mark").count() >= 1
    shot(page, "article")
    page.locator("a", has_text="Back to results").click()
    page.wait_for_url(results_url)
    page.go_back()
    page.wait_for_url("**/articles/**")
    page.go_back()
    page.wait_for_url(results_url)
    assert problems == []


def test_keyboard_only(browser, base_url, problems):
    page = open_page(browser, problems)
    page.goto(base_url + "/search?q=harvest")
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    assert skip.get_attribute("class") == "skip" and skip.inner_text() == "Skip to results"
    box = skip.bounding_box()
    assert box is not None and box["y"] >= 0
    shot(page, "skip-link")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('.hit h2') !== null"):
            break
    else:
        pytest.fail("Tab never reached a result")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    shot(page, "keyboard-focus")
    page.keyboard.press("Enter")
    page.wait_for_url("**/articles/**")

    page.goto(base_url + "/")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.type("drought")
    page.keyboard.press("Enter")
    page.wait_for_url("**q=drought")
    assert "1 article" in page.locator(".total").inner_text()
    assert problems == []


def test_a_360_pixel_screen_needs_no_sideways_scrolling(browser, base_url, problems):
    page = open_page(browser, problems, viewport=PHONE)
    for name, url in (
        ("phone-front", "/"),
        ("phone-help", "/help"),
        ("phone-hostile", "/search?q=hostile"),
        ("phone-results", "/search?q=rice&source=Asahi"),
    ):
        page.goto(base_url + url)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{url} is {width} px wide"
        shot(page, name)
    page.locator(".hit h2 a").first.click()
    page.wait_for_url("**/articles/**")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "phone-article")
    assert problems == []


def test_everything_works_with_javascript_off(browser, base_url, problems):
    page = open_page(browser, problems, javascript=False)
    page.goto(base_url + "/")
    page.fill("#q", "harvest")
    page.click("button[type=submit]")
    page.wait_for_url("**q=harvest")
    page.locator("#refine a", has_text="2003").click()
    page.wait_for_url("**from=2003-01-01**")
    page.locator(".sort a", has_text="Oldest").click()
    page.wait_for_url("**sort=oldest**")
    page.fill("#from", "2003-03-01")
    page.fill("#to", "2003-03-31")
    page.locator(".dates button").click()
    page.wait_for_url("**to=2003-03-31**")
    assert "2 articles" in page.locator(".total").inner_text()
    page.locator("details.explain summary").click()
    assert "published 2003-03-01 to 2003-03-31" in page.locator("details.explain").inner_text()
    shot(page, "no-javascript")
    assert problems == []


def test_the_hostile_article_runs_nothing(browser, base_url, problems):
    page = open_page(browser, problems)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(base_url + "/search?q=hostile")
    page.locator(".hit h2 a").first.click()
    page.wait_for_url("**/articles/**")
    assert page.locator("h1").inner_text().startswith('<script>alert("title")</script>')
    assert page.locator("img").count() == 0
    assert dialogs == []
    assert problems == []
