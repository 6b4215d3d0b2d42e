"""The article page: readable, marked when coming from a search, a way back, a permalink."""

from __future__ import annotations

import re

from archive.models import SearchRequest
from tests.web_support import link_to


def find(web_archive, q: str) -> str:
    return web_archive.search(SearchRequest(q=q)).hits[0].id


def titled(web_archive, title: str) -> str:
    """The id of the article with this exact title."""
    hits = web_archive.export(SearchRequest(q=f'title:"{title}"'))
    return next(hit.id for hit in hits if hit.title == title)


def test_article_page_shows_every_field(client, web_archive):
    article_id = titled(web_archive, "Rice harvest report number 7")
    response = client.get(f"/articles/{article_id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<h1>Rice harvest report number 7</h1>" in html
    assert '<time datetime="2003-07-08T00:00:00+00:00">8 July 2003</time>' in html
    assert link_to(html, "Jane Doe") == "/search?byline=Jane+Doe"
    assert link_to(html, "Asahi") == "/search?source=Asahi"
    assert link_to(html, "farming") == "/search?tag=farming"
    assert link_to(html, "8 July 2003") == "/search?from=2003-07-08&to=2003-07-08"
    paragraphs = re.findall(r"<p>(.*?)</p>", html.split('<div class="body">')[1])
    assert paragraphs[:2] == [
        "Farmers in Hokkaido reported a strong rice harvest in report 7.",
        "Prices fell as the harvesting season ended and warehouses filled.",
    ]
    assert link_to(html, "https://news.example.com/harvest/7") == (
        "https://news.example.com/harvest/7"
    )
    assert f'<link rel="canonical" href="http://localhost/articles/{article_id}">' in html
    assert link_to(html, f"http://localhost/articles/{article_id}")
    assert "Back to results" not in html
    assert "<mark>" not in html


def test_from_a_search_words_are_marked_and_the_way_back_keeps_the_search(client, web_archive):
    article_id = titled(web_archive, "Rice harvest report number 7")
    url = f"/articles/{article_id}?q=harvest&source=Asahi&sort=newest&page=2"
    html = client.get(url).get_data(as_text=True)
    assert link_to(html, "← Back to results") == "/search?q=harvest&source=Asahi&sort=newest&page=2"
    assert "<h1>Rice <mark>harvest</mark> report number 7</h1>" in html
    assert "<mark>harvesting</mark> season" in html
    assert 'id="q" name="q" type="search" value="harvest"' in html
    assert f'href="http://localhost/articles/{article_id}"' in html


def test_a_broken_search_on_the_link_still_shows_the_article(client, web_archive):
    article_id = titled(web_archive, "Rice harvest report number 7")
    response = client.get(f"/articles/{article_id}?q=%22open&page=x")
    assert response.status_code == 200
    assert "Back to results" not in response.get_data(as_text=True)


def test_hostile_fields_are_escaped_and_never_links(client, web_archive):
    article_id = find(web_archive, "hostile")
    html = client.get(f"/articles/{article_id}?q=rice").get_data(as_text=True)
    assert "<script" not in html
    assert "&lt;script&gt;alert(&#34;title&#34;)&lt;/script&gt;" in html
    assert "<img" not in html and "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    assert "Evil &lt;b&gt;Source&lt;/b&gt;" in html
    assert "javascript:" not in html
    assert "&lt;b&gt;bold&lt;/b&gt; <mark>rice</mark> markup" in html


def test_an_unknown_or_malformed_id_is_404(client):
    for article_id in ("0123456789abcdef", "no-such-id", "x" * 300, "..%2f..%2fetc%2fpasswd"):
        response = client.get(f"/articles/{article_id}")
        assert response.status_code == 404, article_id
        assert "Not found" in response.get_data(as_text=True)


def test_the_seed_article_reads_well(client, web_archive):
    article_id = find(web_archive, "Koizumi Putin")
    html = client.get(f"/articles/{article_id}?q=Koizumi").get_data(as_text=True)
    assert link_to(html, "Kyodo") == "/search?byline=Kyodo"
    assert "Prime Minister Junichiro <mark>Koizumi</mark> and Russian President" in html
    assert "subscri" not in html.lower()
