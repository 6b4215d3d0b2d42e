"""The research pages through the Flask test client: the chart, characteristic words,
keywords in context, citations and saved searches, with their JSON twins and CSV."""

from __future__ import annotations

import csv
import json
import re
import xml.etree.ElementTree as ET
from urllib.parse import parse_qsl, urlsplit

from tests.web_support import link_to, links


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.data[:500]
    return response.get_data(as_text=True)


def query_of(href: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for name, value in parse_qsl(urlsplit(href).query):
        found.setdefault(name, []).append(value)
    return found


def total_of(client, href: str) -> int:
    api = href.replace("/search?", "/api/search?", 1)
    return int(json.loads(page(client, api))["total"])


def test_the_chart_json_counts_shares_and_gaps(client):
    data = json.loads(page(client, "/api/compare?q=harvest&q=drought&by=year"))
    assert data["unit"] == "year" and not data["auto_unit"]
    harvest, drought = data["series"]
    years = [point["label"] for point in harvest["points"]]
    assert years == [str(year) for year in range(1996, 2004)]
    by_year = {point["label"]: point for point in harvest["points"]}
    assert (by_year["2003"]["count"], by_year["2003"]["total"]) == (26, 26)
    assert by_year["2003"]["share"] == 1.0
    gap = by_year["1998"]
    assert (gap["total"], gap["share"], gap["covered"]) == (0, None, False)
    assert [p["count"] for p in drought["points"] if p["label"] == "2001"] == [1]
    assert harvest["citation"]["count"] == harvest["total"] == 26
    assert data["links"]["csv"].startswith("/compare.csv?q=harvest&q=drought")


def test_the_chart_page_draws_every_series_with_a_legend_and_a_table(client):
    html = page(client, "/compare?q=harvest&q=drought&by=year")
    assert html.count('<g class="series s') == 2
    assert html.count('<rect class="gap"') == 1  # 1997 to 2000, one band
    assert "no coverage: the archive holds no articles for 1997 to 2000" in html
    table = re.search(r'<table class="numbers">(.*?)</table>', html, re.S)[1]
    assert table.count('<td colspan="2" class="no-coverage">no coverage</td>') == 8
    point = link_to(table, "26")
    assert query_of(point)["from"] == ["2003-01-01"] and query_of(point)["to"] == ["2003-12-31"]
    assert total_of(client, point) == 26
    legend = re.search(r'<ul class="legend">(.*?)</ul>', html, re.S)[1]
    assert "harvest</a>: 26 articles" in legend and "drought</a>: 1 article<" in legend
    assert "Cite “drought”: 1 article<" in html


def test_each_point_of_the_chart_is_a_link_to_its_period(client):
    html = page(client, "/compare?q=harvest&by=month&from=2003-01-01&to=2003-12-31")
    dots = re.findall(r'<a href="([^"]+)" aria-label="harvest, ([^:]+): (\d+) article', html)
    assert len(dots) == 12 and dots[0][1] == "January 2003"
    for href, _, count in dots[:3]:
        assert total_of(client, href.replace("&amp;", "&")) == int(count)


def test_a_point_of_a_rare_pair_leads_to_the_articles_it_counts(client):
    # few articles have both words: the point's search must not fall back to either word
    html = page(client, "/compare?q=harvest+drought&by=year")
    dots = re.findall(r'<a href="([^"]+)" aria-label="harvest drought, ([^:]+): (\d+) art', html)
    assert dots and all("strict=1" in href for href, _, _ in dots)
    for href, _, count in dots:
        assert total_of(client, href.replace("&amp;", "&")) == int(count)


def test_the_unit_and_measure_switch_by_links(client):
    html = page(client, "/compare?q=harvest")
    assert "per month" in html  # 1996 to 2003: chosen from the span
    assert link_to(html, "Year").endswith("q=harvest&by=year")
    counts = page(client, link_to(html, "Articles").replace("&amp;", "&"))
    assert "Matching articles per month" in counts


def test_the_chart_csv_is_tidy_and_carries_citations(client):
    response = client.get("/compare.csv?q=harvest&q=drought&by=year")
    assert response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    comments = [line for line in text.splitlines() if line.startswith("#")]
    assert sum(line.startswith("# citation: newsarchive-cite:1?") for line in comments) == 2
    rows = list(csv.DictReader(line for line in text.splitlines() if not line.startswith("#")))
    assert len(rows) == 16 and rows[0]["query"] == "harvest"
    gap = next(row for row in rows if row["period"] == "1998")
    assert (gap["share"], gap["covered"]) == ("", "0")


def test_more_than_five_queries_are_refused(client):
    response = client.get("/api/compare?" + "&".join(f"q=w{n}" for n in range(6)))
    assert response.status_code == 400
    assert "at most 5 queries" in response.get_json()["error"]["message"]


def test_words_link_to_the_search_narrowed_by_them(client):
    data = json.loads(page(client, "/api/words?q=rice"))
    words = {group["kind"]: group for group in data["groups"]}["word"]["terms"]
    texts = [term["text"] for term in words]
    assert "rice" not in texts and "Hokkaido" in texts  # written as the articles write it
    hokkaido = next(term for term in words if term["text"] == "Hokkaido")
    href = hokkaido["links"]["results"]
    assert query_of(href)["q"] == ["rice Hokkaido"]
    assert total_of(client, href) >= hokkaido["foreground"] > 0
    sources = {group["kind"]: group for group in data["groups"]}["source"]["terms"]
    for term in sources:
        assert query_of(term["links"]["results"])["source"] == [term["text"]]
    html = page(client, "/words?q=rice")
    assert "Two-word phrases" in html and "Hokkaido</a>" in html


def test_words_csv(client):
    text = client.get("/words.csv?q=rice").get_data(as_text=True)
    rows = list(csv.DictReader(line for line in text.splitlines() if not line.startswith("#")))
    assert {row["kind"] for row in rows} >= {"word", "phrase"}
    assert text.startswith("# newsarchive export")


def test_kwic_lines_page_and_sort(client):
    data = json.loads(page(client, "/api/kwic?q=harvest"))
    assert data["total"] == 26 and len(data["lines"]) == 50 and data["has_next"]
    assert all(line["keyword"].lower().startswith("harvest") for line in data["lines"])
    second = json.loads(page(client, data["links"]["next"]))
    assert second["page"] == 2 and second["lines"]
    before = json.loads(page(client, "/api/kwic?q=harvest&order=before&width=30"))
    keys = [(re.findall(r"\w+", line["left"]) or [""])[-1].lower() for line in before["lines"]]
    assert keys == sorted(keys)
    html = page(client, "/kwic?q=harvest")
    assert "<mark>harvest</mark>" in html and link_to(html, "Next")
    assert link_to(html, "Word after").endswith("order=after")


def test_kwic_csv_has_every_line(client):
    text = client.get("/kwic.csv?q=harvest").get_data(as_text=True)
    rows = list(csv.DictReader(line for line in text.splitlines() if not line.startswith("#")))
    assert len(rows) > 50 and {row["field"] for row in rows} == {"title", "body"}


def test_kwic_refuses_nonsense(client):
    assert client.get("/api/kwic?q=rice&order=sideways").status_code == 400
    assert client.get("/api/kwic?q=rice&width=5").status_code == 400
    assert client.get("/kwic.csv?q=rice&width=abc").get_json()["error"]["status"] == 400


def test_a_citation_checks_on_the_web(client):
    citation = json.loads(page(client, "/api/cite?q=harvest&source=Asahi"))
    assert citation["count"] == 13 and citation["fingerprint"].startswith("sha256:")
    check = json.loads(page(client, "/api/cite?check=" + _quoted(citation["compact"])))
    assert check["holds"] and check["added"] == 0
    html = page(client, "/cite?check=" + _quoted(json.dumps(citation)))
    assert "Yes. “harvest” matches the same 13 articles" in html
    bad = client.get("/api/cite?check=nonsense")
    assert bad.status_code == 400 and "citation" in bad.get_json()["error"]["message"]


def _quoted(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="")


def test_the_results_page_leads_to_the_tools_and_saves(client):
    html = page(client, "/search?q=harvest&source=Asahi")
    hrefs = {label: href for href, label, _ in links(html)}
    assert hrefs["Chart over time"] == "/compare?q=harvest&source=Asahi"
    assert hrefs["Keyword in context"].startswith("/kwic?q=harvest")
    form = re.search(r'<form class="save" action="/saved" method="post">(.*?)</form>', html, re.S)
    assert form and 'name="source" value="Asahi"' in form[1]


def test_saving_a_search_and_what_is_new(client):
    response = client.post(
        "/saved", data={"name": "Asahi harvests", "q": "harvest", "source": "Asahi"}
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/saved/Asahi%20harvests"
    try:
        html = page(client, "/saved/Asahi%20harvests")
        assert "Nothing new since it was last seen" in html
        listed = json.loads(page(client, "/api/saved"))
        mine = next(item for item in listed if item["name"] == "Asahi harvests")
        assert (mine["total"], mine["new"]) == (13, 0)
        feed = ET.fromstring(client.get("/saved/Asahi%20harvests/feed.atom").data)
        entries = feed.findall("{http://www.w3.org/2005/Atom}entry")
        assert len(entries) == 13
        again = client.post("/saved", data={"name": "Asahi harvests", "q": "x"})
        assert again.status_code == 400 and b"already named" in again.data
        assert client.post("/saved/Asahi%20harvests/seen").status_code == 303
    finally:
        assert client.post("/saved/Asahi%20harvests/delete").status_code == 303
    assert client.get("/api/saved/Asahi%20harvests").status_code == 404


def test_forms_posted_from_another_site_are_refused(client):
    response = client.post(
        "/saved", data={"name": "evil", "q": "x"}, headers={"Origin": "https://evil.example"}
    )
    assert response.status_code == 403
    assert client.get("/api/saved/evil").status_code == 404


def test_the_search_exports_carry_their_citation(client):
    for export in ("/export.csv?q=harvest", "/export.jsonl?q=harvest"):
        response = client.get(export)
        assert response.get_data(as_text=True).count("harvest") > 20
        compact = response.headers["Newsarchive-Citation"]
        assert compact.startswith("newsarchive-cite:1?q=harvest&n=26&sha256=")
        link = response.headers["Link"]
        assert link.startswith("</cite?check=newsarchive-cite") and link.endswith('rel="cite-as"')
        check = json.loads(page(client, "/api/cite?check=" + _quoted(compact)))
        assert check["holds"]


def test_an_empty_archive_has_nothing_to_chart_but_answers(tmp_path):
    from archive.config import Settings
    from archive.core import Archive
    from web import create_app

    (tmp_path / "nothing").mkdir()
    with Archive(Settings(data_dir=tmp_path / "never")) as archive:
        client = create_app(archive=archive).test_client()
        assert client.get("/api/compare?q=rice").status_code == 503  # nothing indexed yet
    with Archive(Settings(data_dir=tmp_path / "data")) as archive:
        archive.index([tmp_path / "nothing"])
        client = create_app(archive=archive).test_client()
        for url in ("/compare?q=rice", "/words?q=rice", "/kwic?q=rice", "/cite?q=rice"):
            assert client.get(url).status_code == 200, url
        assert json.loads(page(client, "/api/cite?q=rice"))["count"] == 0
        assert json.loads(page(client, "/api/compare?q=rice"))["series"][0]["points"] == []
