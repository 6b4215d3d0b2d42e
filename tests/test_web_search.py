"""The front page, the results page and the search tips, through the Flask test client."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

from tests.web_support import HARVESTS, link_to, links


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.data[:500]
    assert response.mimetype == "text/html"
    return response.get_data(as_text=True)


def query_of(href: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(href).query)


def test_front_page_shows_the_box_the_count_and_examples(client):
    html = page(client, "/")
    assert '<form class="search big" role="search" action="/search" method="get">' in html
    assert "Search 31 articles" in html  # the seed, 25 harvests and 5 others
    assert link_to(html, "Browse every article") == "/search"
    assert '<h2 id="examples-heading">Try a search</h2>' in html  # from the archive: see
    # tests/test_web_examples.py
    assert 'class="timeline"' in html


def test_results_keep_the_query_and_count_the_matches(client):
    html = page(client, "/search?q=rice")
    assert 'id="q" name="q" type="search" value="rice"' in html
    assert "<strong>27</strong> articles, page 1 of 3" in html
    assert "<title>rice · Search · News archive</title>" in html


def test_explanation_is_one_click_away(client):
    html = page(client, "/search?q=rice+-drought")
    details = re.search(r'<details class="explain">(.*?)</details>', html, re.S)
    assert details is not None
    assert "<summary>How this search was understood</summary>" in details[1]
    assert "the word “rice” in title or text AND NOT the word “drought”" in details[1]


def test_hits_link_title_date_byline_and_source_and_mark_snippets(client):
    html = page(client, "/search?q=harvest&sort=oldest")
    first = re.search(r'<li class="hit">(.*?)</li>', html, re.S)[1]
    hrefs = dict((label, href) for href, label, _ in links(first))
    assert hrefs["Rice harvest report number 1"].startswith("/articles/")
    assert query_of(hrefs["Rice harvest report number 1"]) == [("q", "harvest"), ("sort", "oldest")]
    assert ("byline", "Jane Doe") in query_of(hrefs["Jane Doe"])
    assert ("source", "Asahi") in query_of(hrefs["Asahi"])
    assert query_of(hrefs["2 January 2003"])[:3] == [
        ("q", "harvest"),
        ("from", "2003-01-02"),
        ("to", "2003-01-02"),
    ]
    assert '<p class="snippet">' in first and "<mark>harvest</mark>" in first


def test_sort_links_keep_the_search_and_mark_the_current_order(client):
    html = page(client, "/search?q=rice&source=Asahi&sort=newest")
    assert '<a href="/search?q=rice&amp;source=Asahi&amp;sort=newest" aria-current="true"' in html
    assert link_to(html, "Relevance") == "/search?q=rice&source=Asahi"
    assert link_to(html, "Oldest") == "/search?q=rice&source=Asahi&sort=oldest"


def test_newest_sort_orders_hits_by_date(client):
    html = page(client, "/search?q=harvest&sort=newest&per_page=30")
    dates = re.findall(r'<time datetime="([^"]+)"', html)
    assert dates == sorted(dates, reverse=True) and len(dates) >= HARVESTS


def test_facets_count_and_narrow_on_a_click(client):
    html = page(client, "/search?q=rice")
    for title in ("Source", "Byline", "Year", "Tags", "Language"):
        assert f">{title}</h3>" in html
    href = link_to(html, "Mainichi")
    assert query_of(href) == [("q", "rice"), ("source", "Mainichi")]
    narrowed = page(client, href)
    assert "<strong>12</strong> articles" in narrowed
    assert 'aria-current="true"' in narrowed and "Source: Mainichi" in narrowed


def test_a_year_facet_narrows_the_dates_to_that_year(client):
    html = page(client, "/search?q=rice")
    href = link_to(html, "2001")
    assert query_of(href) == [("q", "rice"), ("from", "2001-01-01"), ("to", "2001-12-31")]
    narrowed = page(client, href)
    assert "<strong>1</strong> article" in narrowed
    assert "Dates: 2001-01-01 to 2001-12-31" in narrowed


def test_chips_remove_one_filter_each(client):
    html = page(client, "/search?q=rice&source=Asahi&byline=Jane+Doe&from=2003-01-01")
    chips = re.search(r'<ul class="chips" aria-label="Active filters">(.*?)</ul>', html, re.S)[1]
    found = {label.split("×")[0]: href for href, label, _ in links(chips)}
    assert found["Source: Asahi"] == "/search?q=rice&byline=Jane+Doe&from=2003-01-01"
    assert found["Byline: Jane Doe"] == "/search?q=rice&source=Asahi&from=2003-01-01"
    assert found["Dates: from 2003-01-01"] == "/search?q=rice&source=Asahi&byline=Jane+Doe"
    assert "(remove this filter)" in chips
    assert found["Clear all filters"] == "/search?q=rice"


def test_the_box_keeps_filters_as_hidden_fields(client):
    html = page(client, "/search?q=rice&source=Asahi&tag=farming&mode=any")
    form = re.search(r'<form class="search" id="search".*?</form>', html, re.S)[0]
    assert '<input type="hidden" name="source" value="Asahi">' in form
    assert '<input type="hidden" name="tag" value="farming">' in form
    assert '<input type="hidden" name="mode" value="any">' in form
    assert 'name="from" type="date" form="search"' in html


def test_date_inputs_show_and_apply_the_range(client):
    html = page(client, "/search?q=rice&from=2003-03-01&to=2003-04-30")
    assert 'id="from" name="from" type="date" form="search" value="2003-03-01"' in html
    assert 'id="to" name="to" type="date" form="search" value="2003-04-30"' in html
    assert "<strong>4</strong> articles" in html


def test_timeline_bars_are_links_that_narrow_the_dates(client):
    html = page(client, "/search?q=rice")
    svg = re.search(r"<svg .*?</svg>", html, re.S)[0]
    assert 'role="group" aria-labelledby="timeline-caption"' in svg
    bars = links(svg)
    assert len(bars) == 13  # one month of 2001 and the twelve of 2003 that have matches
    href, _, attrs = bars[1]
    assert attrs["aria-label"] == "January 2003: 3 articles"
    assert query_of(href) == [("q", "rice"), ("from", "2003-01-01"), ("to", "2003-01-31")]
    assert "Matching articles per month, July 2001 to December 2003" in html


def test_timeline_adapts_its_buckets_to_the_span(client):
    assert "articles per year" in page(client, "/search")
    assert "articles per month" in page(client, "/search?q=harvest")
    assert "articles per day" in page(client, "/search?q=harvest&from=2003-01-01&to=2003-02-28")


def test_pagination_has_stable_links(client):
    html = page(client, "/search?q=rice&page=2")
    assert "page 2 of 3" in html
    nav = re.search(r'<nav class="pager" aria-label="Pages">(.*?)</nav>', html, re.S)[1]
    assert link_to(nav, "Previous") == "/search?q=rice"
    assert link_to(nav, "Next") == "/search?q=rice&page=3"
    assert 'aria-current="page"' in nav
    assert '<ol class="hits" start="11">' in html
    last = page(client, "/search?q=rice&page=3")
    assert "Next" not in re.search(r'<nav class="pager".*?</nav>', last, re.S)[0]


def test_same_search_gives_the_same_urls_whatever_the_parameter_order(client):
    one = page(client, "/search?source=Asahi&q=rice&page=1&sort=relevance&mode=all")
    two = page(client, "/search?q=rice&source=Asahi")
    assert link_to(one, "Next") == link_to(two, "Next") == "/search?q=rice&source=Asahi&page=2"


def test_empty_result_suggests_what_to_try(client):
    html = page(client, "/search?q=rice+zebrafish&source=Asahi&strict=1")
    assert "No articles match" in html
    assert link_to(html, "Search without the filters") == "/search?q=rice+zebrafish&strict=1"
    assert link_to(html, "Match any of the words") == (
        "/search?q=rice+zebrafish&source=Asahi&mode=any&strict=1"
    )
    assert link_to(html, "Allow for spelling mistakes") == (
        "/search?q=rice~+zebrafish~&source=Asahi&strict=1"
    )
    assert "how to write a search" in html
    assert "Download CSV" not in html


def test_a_page_beyond_the_last_offers_the_first(client):
    html = page(client, "/search?q=rice&page=9")
    assert link_to(html, "Go to the first page") == "/search?q=rice"


def test_match_any_mode_widens_the_search(client):
    all_words = page(client, "/search?q=rice+fisheries&strict=1")
    any_word = page(client, "/search?q=rice+fisheries&mode=any")
    assert "<strong>0</strong> articles" in all_words
    assert "<strong>28</strong> articles" in any_word


def test_when_no_article_has_all_the_words_most_of_them_answer(client):
    html = page(client, "/search?q=rice+fisheries")
    assert "<strong>28</strong> articles" in html
    assert "No article has all the words; showing articles with most of them" in html
    assert link_to(html, "Show only articles with all the words") == (
        "/search?q=rice+fisheries&strict=1"
    )
    api = client.get("/api/search?q=rice+fisheries").get_json()
    assert (api["total"], api["mode"], api["all_words"]) == (28, "any", 0)
    strict = client.get("/api/search?q=rice+fisheries&strict=1").get_json()
    assert (strict["total"], strict["mode"], strict["all_words"]) == (0, "all", None)
    # words the user joined or fielded mean what they say
    assert client.get("/api/search?q=rice+AND+fisheries").get_json()["total"] == 0
    assert client.get("/api/search?q=rice+title:fisheries").get_json()["total"] == 0


def test_every_page_links_feeds_opensearch_and_its_json_twin(client):
    html = page(client, "/search?q=rice&source=Asahi")
    assert (
        '<link rel="search" type="application/opensearchdescription+xml" '
        'title="News archive" href="/opensearch.xml">'
    ) in html
    assert (
        '<link rel="alternate" type="application/json" href="/api/search?q=rice&amp;source=Asahi">'
        in html
    )
    assert (
        '<link rel="alternate" type="application/atom+xml" title="Newest articles for this '
        'search" href="/feed.atom?q=rice&amp;source=Asahi">'
    ) in html
    assert link_to(html, "Download CSV") == "/export.csv?q=rice&source=Asahi"
    assert link_to(html, "Download JSON Lines") == "/export.jsonl?q=rice&source=Asahi"
    for url in ("/", "/help"):
        assert 'href="/opensearch.xml"' in page(client, url)


def test_pages_have_a_skip_link_landmarks_and_labels(client):
    for url in ("/", "/search?q=rice", "/help"):
        html = page(client, url)
        assert re.search(r'<a class="skip" href="#main">', html)
        assert '<main id="main" tabindex="-1">' in html
        assert '<html lang="en">' in html
        for field in re.findall(r'<input id="([^"]+)"', html):
            assert f'<label for="{field}"' in html, field


def test_help_page_explains_the_syntax(client):
    html = page(client, "/help")
    assert "<h1>Search tips</h1>" in html
    assert "<code>koizmi~</code>" in html
    assert "<h2>Examples from this archive</h2>" in html
    assert link_to(html, '"harvest report"') == "/search?q=%22harvest+report%22"


def test_pages_use_no_inline_script_or_style(client):
    for url in ("/", "/search?q=rice", "/help", "/search?q=zebrafish"):
        html = page(client, url)
        assert "<script" not in html
        assert " style=" not in html and "<style" not in html
