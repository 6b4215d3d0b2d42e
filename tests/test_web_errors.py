"""One error handler: bad parameters are 400 or clamped, never 500; one shape for errors."""

from __future__ import annotations

import pytest

from archive.errors import IndexBusy
from web import create_app

BAD = [
    ("page=0", 200),
    ("page=1000000000", 400),
    ("page=-1", 200),
    ("page=abc", 400),
    ("page=1.5", 400),
    ("per_page=1000000", 200),
    ("per_page=0", 200),
    ("per_page=-3", 200),
    ("from=junk", 400),
    ("to=2003-13-01", 400),
    ("from=2003-05-01&to=2003-01-01", 400),
    ("sort=random", 400),
    ("mode=maybe", 400),
    ("q=%22open", 400),
    ("q=(((", 400),
    ("q=a*", 400),
    ("q=*", 400),
    ("q=title:", 200),
    ("q=nope:word", 400),
    ("q=%00", 400),
    ("q=" + "x" * 3000, 400),
    ("q=" + "a+" * 400, 400),
    ("source=" + "s" * 400, 400),
    ("lang=%01", 400),
    ("q=rice&page=10001", 200),
    ("q=rice&page=10002", 400),
    ("q=%ff%fe", 200),
    ("q=date:[2003 TO 2001]", 400),
    ("q=word~9", 400),
    ("page=" + "9" * 100, 400),
    ("from=0000-01-01", 400),
    ("to=9999-12-31", 200),
]


@pytest.mark.parametrize(("query", "status"), BAD)
def test_bad_parameters_are_refused_or_clamped_on_the_page(client, query, status):
    response = client.get(f"/search?{query}")
    assert response.status_code == status, response.data[:300]
    assert response.mimetype == "text/html"


@pytest.mark.parametrize(("query", "status"), BAD)
def test_bad_parameters_are_refused_or_clamped_in_the_api(client, query, status):
    response = client.get(f"/api/search?{query}")
    assert response.status_code == status
    if status == 400:
        error = response.get_json()["error"]
        assert error["status"] == 400 and error["message"]


@pytest.mark.parametrize("route", ["/feed.atom", "/export.csv", "/export.jsonl"])
def test_feeds_and_exports_refuse_bad_parameters_in_json(client, route):
    response = client.get(f"{route}?from=junk")
    assert response.status_code == 400
    assert "from must be a date" in response.get_json()["error"]["message"]


def test_a_query_error_page_marks_where_the_problem_is(client):
    response = client.get("/search?q=rice+AND")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "<h1>This search cannot be run</h1>" in html
    assert "AND needs something after it." in html
    assert '<code>rice <mark class="error">A</mark>ND</code>' in html
    assert 'id="q" name="q" type="search" value="rice AND"' in html


def test_not_found_page(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "<h1>Not found</h1>" in response.get_data(as_text=True)


def test_a_busy_index_is_503_with_retry_after(client, web_archive, monkeypatch):
    def busy(*args, **kwargs):
        raise IndexBusy("another process is writing to the index")

    monkeypatch.setattr(web_archive, "search", busy)
    page = client.get("/search?q=rice")
    assert page.status_code == 503 and page.headers["Retry-After"] == "30"
    assert "Another process is writing to the index." in page.get_data(as_text=True)
    api = client.get("/api/search?q=rice")
    assert api.status_code == 503
    assert api.get_json() == {
        "error": {"status": 503, "message": "another process is writing to the index"}
    }


def test_an_unexpected_failure_is_500_without_details(web_archive, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("secret internal detail")

    app = create_app(archive=web_archive)
    monkeypatch.setattr(web_archive, "stats", broken)
    client = app.test_client()
    for url in ("/api/stats", "/"):
        response = client.get(url)
        assert response.status_code == 500
        assert b"secret internal detail" not in response.data
    assert "secret internal detail" in caplog.text


def test_an_archive_with_nothing_indexed_is_503_everywhere_but_help(tmp_path):
    from archive.config import Settings
    from archive.core import Archive

    with Archive(Settings(data_dir=tmp_path)) as archive:
        client = create_app(archive=archive).test_client()
        front = client.get("/")  # says how to add articles, as an empty archive's does
        assert front.status_code == 503 and front.headers["Retry-After"] == "30"
        assert "Nothing has been indexed yet" in front.get_data(as_text=True)
        assert f"newsarchive --data-dir {tmp_path} index PATH" in front.get_data(as_text=True)
        for url in ("/search?q=rice", "/articles/0123456789abcdef", "/feed.atom"):
            page = client.get(url)
            assert page.status_code == 503 and page.headers["Retry-After"] == "30"
            assert "nothing has been indexed yet" in page.get_data(as_text=True).lower()
            assert str(tmp_path) not in page.get_data(as_text=True)
        for url in ("/api/search?q=rice", "/api/stats", "/export.csv", "/api/articles/0a"):
            answer = client.get(url)
            assert answer.status_code == 503, url
            assert "nothing has been indexed yet" in answer.get_json()["error"]["message"]
        assert client.get("/help").status_code == 200
    assert list(tmp_path.iterdir()) == []


def test_an_empty_archive_answers_without_errors(tmp_path):
    from archive.config import Settings
    from archive.core import Archive

    (tmp_path / "nothing").mkdir()
    with Archive(Settings(data_dir=tmp_path / "data")) as archive:
        archive.index([tmp_path / "nothing"])
        client = create_app(archive=archive).test_client()
        assert "The archive is empty" in client.get("/").get_data(as_text=True)
        assert client.get("/search?q=rice").status_code == 200
        assert client.get("/api/search?q=rice").get_json()["total"] == 0
        assert client.get("/api/stats").get_json()["articles"] == 0
        assert client.get("/export.csv").status_code == 200
        assert client.get("/feed.atom").status_code == 200
        assert client.get("/articles/0123456789abcdef").status_code == 404
