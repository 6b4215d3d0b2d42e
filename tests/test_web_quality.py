"""Search quality on the web: did you mean, related articles, autocomplete, copies, explain."""

from __future__ import annotations

from bs4 import BeautifulSoup


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def test_did_you_mean_links_to_the_corrected_search(client):
    soup = page(client, "/search?q=Koizmi")
    link = soup.select_one(".did-you-mean a")
    assert link is not None and link.get_text() == "Koizumi"
    assert "q=Koizumi" in link["href"]
    assert client.get("/api/search?q=Koizmi").get_json()["suggestion"] == "Koizumi"


def test_article_page_and_api_show_related_articles(client):
    hits = client.get("/api/search?q=&per_page=5").get_json()["hits"]
    article_id = hits[0]["id"]
    data = client.get(f"/api/articles/{article_id}").get_json()
    assert isinstance(data["related"], list)
    assert all(item["id"] != article_id for item in data["related"])
    soup = page(client, f"/articles/{article_id}")
    if data["related"]:
        titles = [a.get_text() for a in soup.select(".related a")]
        assert titles == [item["title"] for item in data["related"]]


def test_autocomplete_endpoint(client):
    data = client.get("/api/complete?q=Koiz").get_json()
    assert data["prefix"] == "Koiz"
    assert any("Koizumi" in query or "koizumi" in query for query in data["queries"])
    assert client.get("/api/complete?q=Koiz&limit=abc").status_code == 400


def test_explain_and_copies_switches(client):
    soup = page(client, "/search?q=Putin&explain=1")
    why = soup.select(".why li")
    assert why and "putin" in why[0].get_text().lower()
    assert "explain=1" not in soup.select_one(".explain a")["href"]
    soup = page(client, "/search?q=Putin")
    toggle = [a for a in soup.select(".downloads a") if "copies=1" in a["href"]]
    assert toggle and toggle[0].get_text() == "Show every copy"
    assert client.get("/search?q=Putin&copies=maybe").status_code == 400
