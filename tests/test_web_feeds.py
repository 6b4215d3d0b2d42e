"""The Atom feed, the OpenSearch description and the streamed CSV and JSON Lines exports."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

ATOM = "{http://www.w3.org/2005/Atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"


def test_atom_feed_of_a_search_is_newest_first(client):
    response = client.get("/feed.atom?q=harvest&source=Asahi")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.data)
    assert feed.find(f"{ATOM}title").text == "News archive: harvest"
    self_link = feed.find(f"{ATOM}link[@rel='self']").get("href")
    assert self_link == "http://localhost/feed.atom?q=harvest&source=Asahi"
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 13
    published = [entry.find(f"{ATOM}published").text for entry in entries]
    assert published == sorted(published, reverse=True)
    first = entries[0]
    assert first.find(f"{ATOM}link").get("href").startswith("http://localhost/articles/")
    assert first.find(f"{ATOM}author/{ATOM}name").text in ("Jane Doe", "Taro Yamada")
    assert "harvest" in first.find(f"{ATOM}summary").text


def test_atom_feed_size_is_capped(client):
    assert len(ET.fromstring(client.get("/feed.atom").data).findall(f"{ATOM}entry")) == 20
    feed = ET.fromstring(client.get("/feed.atom?per_page=1000").data)
    assert len(feed.findall(f"{ATOM}entry")) == 31
    assert feed.find(f"{ATOM}link[@rel='self']").get("href").endswith("?per_page=50")


def test_atom_feed_escapes_hostile_text(client):
    response = client.get("/feed.atom?q=hostile")
    feed = ET.fromstring(response.data)
    entry = feed.find(f"{ATOM}entry")
    assert entry.find(f"{ATOM}title").text.startswith('<script>alert("title")</script>')
    assert b"<script>" not in response.data


def test_opensearch_description_points_at_the_search(client):
    response = client.get("/opensearch.xml")
    assert response.mimetype == "application/opensearchdescription+xml"
    root = ET.fromstring(response.data)
    templates = {url.get("type"): url.get("template") for url in root.findall(f"{OPENSEARCH}Url")}
    assert templates["text/html"] == "http://localhost/search?q={searchTerms}"
    assert templates["application/atom+xml"] == "http://localhost/feed.atom?q={searchTerms}"
    assert root.find(f"{OPENSEARCH}ShortName").text == "News archive"


def test_csv_export_streams_every_result(client):
    response = client.get("/export.csv?q=rice")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.is_streamed
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="newsarchive-search.csv"'
    )
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 27
    assert [row["rank"] for row in rows] == [str(n) for n in range(1, 28)]
    assert all(row["permalink"] == f"http://localhost/articles/{row['id']}" for row in rows)
    assert {row["source"] for row in rows} >= {"Asahi", "Mainichi"}


def test_csv_export_keeps_spreadsheets_from_running_formulas(client):
    response = client.get("/export.csv?q=hostile")
    row = next(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert row["byline"] == '"><img src=x onerror=alert(1)>'
    assert row["url"] == "javascript:alert(document.cookie)"
    response = client.get("/export.csv?q=rice&sort=oldest")
    assert "title" in response.get_data(as_text=True).splitlines()[0]


def test_jsonl_export_has_one_hit_per_line(client):
    response = client.get("/export.jsonl?source=Mainichi&sort=oldest")
    assert response.mimetype == "application/x-ndjson" and response.is_streamed
    lines = [json.loads(line) for line in response.get_data(as_text=True).splitlines()]
    assert len(lines) == 13
    assert lines[0]["rank"] == 1 and lines[0]["source"] == "Mainichi"
    assert lines[0]["permalink"].startswith("http://localhost/articles/")
    dates = [line["published"]["value"] for line in lines if line["published"]]
    assert dates == sorted(dates)


def test_exports_of_an_empty_or_bad_search(client):
    assert client.get("/export.jsonl?q=zebrafish").get_data() == b""
    response = client.get("/export.csv?q=(rice")
    assert response.status_code == 400
    assert response.get_json()["error"]["status"] == 400
