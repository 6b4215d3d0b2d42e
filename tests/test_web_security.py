"""Security headers on every response, trusted hosts, and escaping of third-party text."""

from __future__ import annotations

import pytest

from archive.config import Settings
from web import create_app

ROUTES = (
    "/",
    "/search?q=rice",
    "/help",
    "/api/search?q=rice",
    "/api/stats",
    "/api/openapi.json",
    "/feed.atom?q=rice",
    "/opensearch.xml",
    "/export.csv?q=rice",
    "/export.jsonl?q=rice",
    "/static/style.css",
    "/search?page=abc",
    "/api/search?page=x",
    "/articles/missing",
    "/nowhere",
)


@pytest.mark.parametrize("url", ROUTES)
def test_every_response_carries_the_security_headers(client, url):
    response = client.get(url)
    assert response.status_code < 500
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "default-src 'none'" in csp
    assert "'unsafe-inline'" not in csp and "script-src 'self'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Frame-Options"] == "DENY"
    response.close()


def test_untrusted_hosts_are_refused(web_archive):
    settings = Settings(data_dir=web_archive.settings.data_dir, trusted_hosts=("news.example.org",))
    client = create_app(settings, web_archive).test_client()
    assert client.get("/search?q=rice", headers={"Host": "news.example.org"}).status_code == 200
    for url in ("/search?q=rice", "/api/stats", "/opensearch.xml"):
        response = client.get(url, headers={"Host": "evil.example.com"})
        assert response.status_code == 400
        assert response.get_json()["error"]["status"] == 400
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_any_host_is_answered_when_none_are_configured(client):
    assert client.get("/", headers={"Host": "anything.test"}).status_code == 200


def test_hostile_article_text_is_escaped_in_results(client):
    html = client.get("/search?q=hostile").get_data(as_text=True)
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(&#34;title&#34;)&lt;/script&gt; Evil &amp; &#34;quoted&#34;" in html
    assert (
        'href="/search?q=hostile&amp;byline=%22%3E%3Cimg+src%3Dx+onerror%3Dalert%281%29%3E"' in html
    )
    assert "&lt;i&gt;tag&lt;/i&gt;" in html  # the tag facet


def test_query_echoes_are_escaped(client):
    attack = '"><script>alert(1)</script>'
    html = client.get("/search", query_string={"q": attack}).get_data(as_text=True)
    assert "<script>" not in html
    assert 'value="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in html
    error = client.get("/search", query_string={"q": attack + " (", "sort": attack})
    assert error.status_code == 400 and b"<script>" not in error.data
    api = client.get("/api/search", query_string={"sort": attack})
    assert api.status_code == 400 and api.mimetype == "application/json"


@pytest.mark.parametrize(
    "url",
    [
        "/static/../web/__init__.py",
        "/static/%2e%2e/__init__.py",
        "/static/..%2f..%2fsetup.cfg",
        "/articles/..%2f..%2fsetup.cfg",
        "/api/articles/..%2fcatalog.sqlite3",
        "/static//etc/passwd",
    ],
)
def test_no_route_reads_a_file_by_a_path_it_is_given(client, url):
    response = client.get(url, follow_redirects=True)
    assert response.status_code == 404
    assert b"[metadata]" not in response.data and b"root:" not in response.data


def test_the_stylesheet_is_served_with_its_type(client):
    response = client.get("/static/style.css")
    assert response.status_code == 200 and response.mimetype == "text/css"
    response.close()
