"""The research pages end to end in headless Chromium against a real waitress server.

A researcher's journey (a search, its chart, a second query, a point of the chart, the
numbers, a citation and its check), the words and the concordance by keyboard only,
saving a search with JavaScript off, and a 360 px screen. Screenshots go to
``test-artifacts/web/``. Skipped without Debian's ``/usr/bin/chromium`` (except under CI).
"""

from __future__ import annotations

import re

import pytest

from tests import test_web_browser as shared
from tests.test_web_browser import PHONE, open_page, params, shot

# the browser tests' fixtures: the app under waitress, headless Chromium, problems seen
base_url = shared.base_url
browser = shared.browser
problems = shared.problems

pytestmark = pytest.mark.browser


def test_a_researchers_journey(browser, base_url, problems):
    page = open_page(browser, problems)
    page.goto(base_url + "/search?q=harvest")
    page.locator("nav.research a", has_text="Chart over time").click()
    page.wait_for_url("**/compare?q=harvest")
    chart = page.locator("svg.chart-svg")
    box = chart.bounding_box()
    assert box is not None and box["width"] > 600 and box["height"] > 150
    page.fill("form.research-form input[name=q] >> nth=1", "drought")
    page.locator("form.research-form button[type=submit]").click()
    page.wait_for_url("**q=drought**")
    assert page.locator("svg.chart-svg g.series").count() == 2
    assert page.locator(".legend li").count() == 3  # two series and the gaps
    page.locator(".switches a", has_text="Year").click()
    page.wait_for_url("**by=year**")
    assert page.locator("svg.chart-svg rect.gap").count() == 1
    assert "no coverage" in page.locator("table.numbers").inner_text()
    shot(page, "research-chart")

    point = page.locator("svg.chart-svg a[aria-label^='harvest, 2003']")
    assert point.is_visible()
    point.click()
    page.wait_for_url("**/search?**")
    assert params(page)["from"] == ["2003-01-01"] and params(page)["to"] == ["2003-12-31"]
    assert "26 articles" in page.locator(".total").inner_text()
    page.go_back()
    page.wait_for_url("**/compare?**")

    page.locator("details.cite summary", has_text="harvest").click()
    compact = page.locator("details.cite[open] input.compact").input_value()
    assert compact.startswith("newsarchive-cite:1?q=harvest")
    page.locator("details.cite[open] a", has_text="Check whether it still holds").click()
    page.wait_for_url("**/cite?check=**")
    assert page.locator(".verdict").inner_text().startswith("Yes.")
    shot(page, "research-check")
    assert problems == []


def test_words_and_lines_by_keyboard_only(browser, base_url, problems):
    page = open_page(browser, problems)
    page.goto(base_url + "/words?q=rice")
    first = page.locator("table.terms tbody th a").first
    word = first.inner_text()
    _tab_to(page, "document.activeElement.closest('table.terms tbody th') !== null")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?**")
    assert params(page)["q"] == [f"rice {word}"]

    page.goto(base_url + "/kwic?q=harvest")
    _tab_to(page, "document.activeElement.textContent === 'Word after'")
    page.keyboard.press("Enter")
    page.wait_for_url("**order=after**")
    lines = page.locator("table.kwic td.right").all_inner_texts()
    firsts = [(re.findall(r"\w+", text) or [""])[0].lower() for text in lines]
    assert firsts == sorted(firsts)
    _tab_to(page, "document.activeElement.getAttribute('rel') === 'next'")
    page.keyboard.press("Enter")
    page.wait_for_url("**page=2**")
    shot(page, "research-kwic")

    page.goto(base_url + "/compare?q=harvest&by=year")
    _tab_to(page, "document.activeElement.closest('svg') !== null")
    label = page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert label.startswith("harvest, ")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?**")
    assert problems == []


def _tab_to(page, condition: str, limit: int = 120) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(condition):
            return
    pytest.fail(f"Tab never reached: {condition}")


def test_saving_a_search_with_javascript_off(browser, base_url, problems):
    page = open_page(browser, problems, javascript=False)
    page.goto(base_url + "/search?q=rice&source=Mainichi")
    page.fill("#save-name", "Mainichi rice")
    page.locator("form.save button").click()
    page.wait_for_url("**/saved/Mainichi%20rice")
    assert page.locator("h1").inner_text() == "Mainichi rice"
    assert "Nothing new since it was last seen" in page.locator("main").inner_text()
    page.locator("a", has_text="All saved searches").click()
    page.wait_for_url("**/saved")
    assert "Mainichi rice" in page.locator(".saved-list").inner_text()
    page.locator(".saved-list a", has_text="Mainichi rice").click()
    page.locator("button", has_text="Remove this saved search").click()
    page.wait_for_url("**/saved")
    assert "No saved searches yet" in page.locator("main").inner_text()
    shot(page, "research-saved")
    assert problems == []


def test_the_research_pages_fit_a_phone(browser, base_url, problems):
    page = open_page(browser, problems, viewport=PHONE)
    for name, url in (
        ("phone-chart", "/compare?q=harvest&q=drought"),
        ("phone-words", "/words?q=rice"),
        ("phone-kwic", "/kwic?q=harvest"),
        ("phone-cite", "/cite?q=harvest"),
    ):
        page.goto(base_url + url)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{url} is {width} px wide"
        shot(page, name)
    assert problems == []
