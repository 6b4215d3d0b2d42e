"""Hostile articles: cross-site scripting payloads in every stored field and in the query.

The results page (snippets, facets, chips), the article page, the Atom feed and the error
pages are parsed, and none holds executable markup: no script element, no event-handler
attribute, no ``javascript:``/``data:`` address, no frame or object. Headless Chromium,
with the Content-Security-Policy switched off so that only escaping protects it, records
no dialog. Ids that try to walk the file system give 400 or 404.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote
from xml.etree import ElementTree

import pytest

from archive.config import Settings
from archive.core import Archive
from archive.models import SearchRequest
from tests.conftest import need
from tests.server_support import fetch, serving
from web import create_app

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    '"><svg onload=alert(3)>',
    "'><iframe src=javascript:alert(4)></iframe>",
    "javascript:alert(5)",
    "</title><script>alert(6)</script>",
    "</textarea><script>alert(7)</script>",
    '<a href="javascript:alert(8)">click</a>',
    "--><script>alert(9)</script><!--",
    "]]><script>alert(10)</script>",
    "<body onload=alert(11)>",
    '" autofocus onfocus=alert(12) x="',
    "' onmouseover='alert(13)",
    "data:text/html,<script>alert(14)</script>",
    "&lt;script&gt;alert(15)&lt;/script&gt;",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(16)">',
    '<math><mi xlink:href="javascript:alert(17)">x</mi></math>',
    "{{7*7}}${alert(18)}<style>*{x:expression(alert(18))}</style>",
    "<object data=javascript:alert(19)></object><embed src=javascript:alert(19)>",
    "\u2028<script>alert(20)</script>\u2029",
]
#: elements our pages never contain (the timeline's own inline <svg> is allowed)
FORBIDDEN = {
    "script",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "base",
    "math",
    "meta-refresh",
    "style",
    "textarea",
    "body-nested",
}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster"}


class Executable(HTMLParser):
    """Collects whatever in a page could run: elements, handlers, script addresses."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.bodies = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":
            self.bodies += 1
        if tag in FORBIDDEN or (tag == "meta" and ("http-equiv", "refresh") in attrs):
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=...>")
            address = "".join((value or "").split()).lower()
            if name in URL_ATTRIBUTES and address.startswith(("javascript:", "vbscript:", "data:")):
                self.found.append(f"<{tag} {name}={value!r}>")

    handle_startendtag = handle_starttag


def executable(html: str) -> list[str]:
    parser = Executable()
    parser.feed(html)
    parser.close()
    return parser.found + (["a second <body>"] if parser.bodies > 1 else [])


def write_articles(folder: Path) -> None:
    folder.mkdir()
    for n, payload in enumerate(PAYLOADS):
        one_line = " ".join(payload.split())
        (folder / f"hostile-{n:02d}.txt").write_text(
            f"Title: payload{n} {one_line}\nDate: 2003-06-{1 + n:02d}\nSource: {one_line}\n"
            f"Byline: {one_line}\nTags: {one_line.replace(',', ' ')}, payload\n"
            f"Url: {one_line}\nLanguage: {one_line}\n\n"
            f"The payload{n} story: {payload} and the harvest.\n\n{payload}\n",
            encoding="utf-8",
        )


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile-articles")
    write_articles(root / "in")
    archive = Archive(Settings(data_dir=root / "data"))
    report = archive.index([root / "in"])
    assert report.failed == 0, report.failures
    yield archive
    archive.close()


@pytest.fixture(scope="module")
def client(archive):
    return create_app(archive=archive).test_client()


def ids(archive) -> list[str]:
    page = archive.search(SearchRequest(q="harvest", per_page=100, sort="oldest"))
    assert page.total == len(PAYLOADS)
    return [hit.id for hit in page.hits]


def pages(archive) -> list[str]:
    """Every page a hostile article or query reaches, as URLs."""
    urls = ["/search?q=harvest", "/search?q=harvest&per_page=50", "/search?q=harvest&page=2"]
    for n, payload in enumerate(PAYLOADS):
        value = quote(" ".join(payload.split()), safe="")
        urls += [
            f"/search?q=payload{n}",
            f"/search?q={value}",
            f"/search?q={value}+(",  # a query error echoes the query
            f"/search?q=harvest&source={value}",
            f"/search?q=harvest&byline={value}&tag={value}",
            f"/search?sort={value}",
            f"/nowhere/{value}",
        ]
    for article_id in ids(archive):
        urls += [f"/articles/{article_id}", f"/articles/{article_id}?q=payload+harvest"]
    return urls


def browsed(archive) -> list[str]:
    """The pages the browser opens: results, articles, and the query echoed back."""
    urls = ["/search?q=harvest&per_page=50"]
    for payload in PAYLOADS:
        value = quote(" ".join(payload.split()), safe="")
        urls += [f"/search?q={value}", f"/search?q={value}+(", f"/search?sort={value}"]
    return urls + [f"/articles/{article_id}?q=harvest" for article_id in ids(archive)]


def test_no_page_holds_executable_markup(client, archive):
    for url in pages(archive):
        response = client.get(url)
        assert response.status_code in (200, 400, 404), (url, response.status_code)
        assert response.mimetype == "text/html", url
        assert executable(response.get_data(as_text=True)) == [], url


def test_the_atom_feed_and_the_api_hold_no_markup(client):
    for n in range(len(PAYLOADS)):
        feed = client.get(f"/feed.atom?q=payload{n}")
        assert feed.status_code == 200 and feed.mimetype == "application/atom+xml"
        root = ElementTree.fromstring(feed.data)  # well-formed, whatever the article holds
        for element in root.iter():
            assert element.tag.startswith("{http://www.w3.org/2005/Atom}"), element.tag
            assert element.get("type") in (None, "text", "text/html", "application/atom+xml")
            if element.get("href") is not None:
                href = "".join(element.get("href").split()).lower()
                assert href.startswith(("http://", "https://")), (n, href)
        api = client.get(f"/api/search?q=payload{n}")
        assert api.mimetype == "application/json"
        assert api.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "article_id",
    [
        "..%2f..%2f..%2fetc%2fpasswd",
        "%2e%2e%2f%2e%2e%2fcatalog.sqlite3",
        "..\\..\\catalog.sqlite3",
        "%00",
        "abc%00def",
        "%2fetc%2fpasswd",
        "/etc/passwd",
        "x" * 10_000,
        "%252e%252e%252f",
        "\u2025\u2025\u2215etc",
    ],
)
def test_path_traversal_ids_are_400_or_404(client, article_id):
    for route in ("/articles/", "/api/articles/"):
        response = client.get(route + article_id)
        assert response.status_code in (400, 404), (route, article_id, response.status_code)
        assert b"root:" not in response.data and b"SQLite format" not in response.data


# in a real browser ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def base_url(archive):
    with serving(archive) as url:
        yield url


@pytest.mark.browser
def test_chromium_without_csp_runs_no_payload(archive, base_url):
    from tests.test_web_browser import ARGS, CHROMIUM

    need(CHROMIUM.is_file(), f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    for path in ("/articles/..%2f..%2fetc%2fpasswd", "/api/articles/%00"):
        assert fetch(base_url + path).status in (400, 404), path
    dialogs: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        context = browser.new_context(bypass_csp=True)  # only escaping protects now
        page = context.new_page()
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        for url in browsed(archive):
            page.goto(base_url + url)
            page.mouse.move(200, 200)  # hover handlers would fire now
            page.keyboard.press("Tab")  # and focus ones
        browser.close()
    assert dialogs == []
