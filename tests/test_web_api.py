"""The JSON API: the same objects as the pages, and errors in one shape."""

from __future__ import annotations

import re

from archive.models import SearchRequest


def test_search_answers_with_the_search_page(client, web_archive):
    data = client.get("/api/search?q=rice&source=Asahi&per_page=5").get_json()
    expected = web_archive.search(SearchRequest(q="rice", sources=("Asahi",), per_page=5))
    assert data["total"] == expected.total == 14
    assert [hit["id"] for hit in data["hits"]] == [hit.id for hit in expected.hits]
    assert data["request"]["sources"] == ["Asahi"]
    assert data["pages"] == 3 and data["page"] == 1
    assert data["explanation"] == "the word “rice” in title or text AND source is “Asahi”"
    hit = data["hits"][0]
    assert {"id", "title", "published", "byline", "source", "snippet", "snippet_text"} <= set(hit)
    assert any(part["match"] and part["text"].lower() == "rice" for part in hit["snippet"])
    assert {facet["name"] for facet in data["facets"]} >= {"source", "byline", "year", "tags"}
    assert data["timeline"]["unit"] in ("year", "month", "day")


def test_search_links_to_the_next_page_its_page_and_exports(client):
    links = client.get("/api/search?q=rice&per_page=10").get_json()["links"]
    assert links == {
        "self": "/api/search?q=rice",
        "html": "/search?q=rice",
        "next": "/api/search?q=rice&page=2",
        "prev": None,
        "atom": "/feed.atom?q=rice",
        "csv": "/export.csv?q=rice",
        "jsonl": "/export.jsonl?q=rice",
    }
    assert client.get("/api/search?q=rice&page=3").get_json()["links"]["next"] is None


def test_search_parts_can_be_switched_off(client):
    data = client.get("/api/search?q=rice&facets=false&timeline=0&snippets=no").get_json()
    assert data["facets"] == [] and data["timeline"]["buckets"] == []
    assert all(hit["snippet"] == [] for hit in data["hits"])
    assert data["links"]["next"] == (
        "/api/search?q=rice&page=2&snippets=false&facets=false&timeline=false"
    )


def test_the_page_and_the_api_agree(client):
    html = client.get("/search?q=harvest&sort=newest").get_data(as_text=True)
    data = client.get("/api/search?q=harvest&sort=newest").get_json()
    titles = re.findall(r'<li class="hit">\s*<h2><a href="[^"]+">([^<]+)</a>', html)
    assert titles == [hit["title"] for hit in data["hits"]]
    assert f"<strong>{data['total']}</strong>" in html


def test_article_answers_the_whole_article_without_server_paths(client, web_archive):
    article_id = web_archive.search(SearchRequest(q="Koizumi")).hits[0].id
    data = client.get(f"/api/articles/{article_id}").get_json()
    assert data["id"] == article_id
    assert data["byline"] == "Kyodo"
    assert data["body"].startswith("Prime Minister Junichiro Koizumi and Russian President")
    assert "source_path" not in data
    assert data["links"] == {
        "self": f"/api/articles/{article_id}",
        "html": f"/articles/{article_id}",
    }


def test_stats(client):
    data = client.get("/api/stats").get_json()
    assert data["articles"] == 31
    assert data["engine"] == "whoosh"
    assert "data_dir" not in data


def test_errors_are_json_with_status_and_message(client):
    response = client.get("/api/search?q=%22rice")
    assert response.status_code == 400 and response.mimetype == "application/json"
    assert response.get_json() == {
        "error": {"status": 400, "message": "a quote is not closed", "position": 0}
    }
    missing = client.get("/api/articles/0123456789abcdef")
    assert missing.status_code == 404
    assert missing.get_json()["error"]["status"] == 404
    nowhere = client.get("/api/nothing-here")
    assert nowhere.status_code == 404 and nowhere.get_json()["error"]["status"] == 404


def test_the_method_must_be_get(client):
    response = client.post("/api/search?q=rice")
    assert response.status_code == 405
    assert response.headers["Allow"] and "GET" in response.headers["Allow"]
    assert response.get_json()["error"]["status"] == 405


def test_openapi_describes_every_route(client, app):
    spec = client.get("/api/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    assert spec["servers"] == [{"url": "http://localhost"}]
    documented = set(spec["paths"])
    routes = {re.sub(r"<(\w+)>", r"{\1}", rule.rule) for rule in app.url_map.iter_rules()}
    json_routes = {
        route
        for route in routes
        if route.startswith(("/api/", "/feed", "/export", "/opensearch"))
        or route.endswith((".csv", ".atom"))
    }
    assert documented == json_routes
    names = [p["name"] for p in spec["paths"]["/api/search"]["get"]["parameters"]]
    assert {
        "q",
        "page",
        "per_page",
        "sort",
        "from",
        "to",
        "source",
        "byline",
        "tag",
        "lang",
        "mode",
    } <= set(names)
