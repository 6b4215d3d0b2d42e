"""Contract tests for the research part of the engine protocol, on every engine.

Per-period counts, match ids, term counts, word keys, marked texts and the archive sample
must mean the same on the embedded engine and on OpenSearch; the research tools built on
them (``archive.research``) must then give the same answers on both.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from archive.config import Settings
from archive.core import Archive
from archive.models import Article, PubDate, SearchRequest
from archive.query import build
from tests import opensearch_support

ENGINES = ["whoosh", pytest.param("opensearch", marks=pytest.mark.opensearch)]


def article(n: int, title: str, body: str, day: str | None = None, **fields) -> Article:
    published = None
    if day:
        published = PubDate(datetime.fromisoformat(day).replace(tzinfo=UTC), "day", day)
    return Article(
        id=f"r{n:03d}",
        title=title,
        body=body,
        published=published,
        source_path=f"/corpus/{n}.txt",
        **fields,
    )


CORPUS = [
    article(
        1,
        "Cocoa buffer stock talks",
        "The cocoa buffer stock manager met delegates in London. Cocoa prices fell.",
        "1987-03-02",
        source="Reuters",
        byline="Jane Doe",
    ),
    article(
        2,
        "Cocoa council meets",
        "The International Cocoa Council discussed the buffer stock rules. Ivory Coast "
        "delegates agreed.",
        "1987-03-04",
        source="Reuters",
        byline="Jane Doe",
    ),
    # a later copy of the council story: one story, counted once unless copies are asked for
    article(
        3,
        "Cocoa council meets",
        "The International Cocoa Council discussed the buffer stock rules. Ivory Coast "
        "delegates agreed.",
        "1987-03-05",
        source="Wire B",
        group="r002",
    ),
    article(
        4,
        "Cocoa buffer stock buys",
        "The buffer stock manager bought cocoa. Prices rose.",
        "1987-03-10",
        source="Reuters",
        byline="John Roe",
    ),
    article(
        5,
        "Coffee quota talks fail",
        "Coffee producers failed to agree export quotas. Coffee prices fell.",
        "1987-03-03",
        source="Reuters",
        byline="John Roe",
    ),
    article(
        6,
        "Coffee prices slump",
        "Coffee prices slumped after the quota talks collapsed.",
        "1987-04-15",
        source="Wire B",
    ),
    article(
        7, "Oil output rises", "Oil production rose as prices held.", "1987-03-20", source="Wire B"
    ),
    article(8, "Oil prices", "Crude oil prices rose.", "1987-05-06", source="Wire B"),
    article(9, "Cocoa note", "An undated note about cocoa and the buffer stock."),
    article(10, "Gold rush", "Gold miners dug deeper.", "1988-01-05", source="Wire B"),
]


@pytest.fixture(params=ENGINES)
def archive(request, tmp_path):
    if request.param == "opensearch":
        settings = opensearch_support.settings(request.getfixturevalue("opensearch_url"), tmp_path)
    else:
        settings = Settings(data_dir=tmp_path)
    archive = Archive(settings)
    with archive.engine.writer(timeout=5) as writer:
        writer.add(CORPUS)
    yield archive
    if request.param == "opensearch":
        archive.engine.drop()
    archive.close()


def run(archive, method, q="", *args, marks=None, **fields):
    request = SearchRequest(q=q, **fields)
    more = {} if marks is None else {"marks": marks}
    return getattr(archive.engine, method)(build(request), request, *args, **more)


def test_histograms_count_stories_per_period(archive):
    assert run(archive, "histogram", "cocoa", "day") == {
        date(1987, 3, 2): 1,
        date(1987, 3, 4): 1,
        date(1987, 3, 10): 1,
    }
    # weeks start on Monday; the copy counts when copies are asked for; undated never
    assert run(archive, "histogram", "cocoa", "week", copies=True) == {
        date(1987, 3, 2): 3,
        date(1987, 3, 9): 1,
    }
    assert run(archive, "histogram", "", "month") == {
        date(1987, 3, 1): 5,
        date(1987, 4, 1): 1,
        date(1987, 5, 1): 1,
        date(1988, 1, 1): 1,
    }
    assert run(archive, "histogram", "", "year", sources=("Wire B",)) == {
        date(1987, 1, 1): 4,
        date(1988, 1, 1): 1,
    }


def test_match_ids_are_the_matches(archive):
    assert sorted(run(archive, "match_ids", "cocoa")) == ["r001", "r002", "r004", "r009"]
    assert sorted(run(archive, "match_ids", "cocoa", copies=True)) == [
        "r001",
        "r002",
        "r003",
        "r004",
        "r009",
    ]
    assert run(archive, "match_ids", "nothingmatchesthis") == []


def test_term_counts_of_words_are_document_frequencies(archive):
    counts = run(archive, "term_counts", "cocoa", "word", 50, "g2")
    found = {key: (fg, bg) for key, fg, bg in counts.terms}
    assert (counts.foreground, counts.background, counts.sample) == (4, 10, 0)
    # in all four stories, in five articles of the archive (the copy too)
    assert found["buffer"] == (4, 5) and found["stock"] == (4, 5)
    assert found["deleg"] == (2, 3)
    assert "coffe" not in found and "oil" not in found  # not in the matches


def test_term_counts_of_sources_and_bylines_are_exact(archive):
    sources = run(archive, "term_counts", "coffee OR cocoa", "source", 10, "jlh")
    assert sources.foreground == 6 and sources.background == 10
    assert {key: (fg, bg) for key, fg, bg in sources.terms} == {"Reuters": (4, 4)}
    bylines = run(archive, "term_counts", "cocoa", "byline", 10, "g2")
    assert {key: (fg, bg) for key, fg, bg in bylines.terms} == {
        "Jane Doe": (2, 2),
        "John Roe": (1, 2),
    }
    assert [key for key, _, _ in bylines.terms] == ["Jane Doe", "John Roe"]


def test_word_keys_are_the_index_words(archive):
    keys = archive.engine.word_keys(["prices", "the", "Cocoa", "delegates"])
    assert keys == {"prices": "price", "Cocoa": "cocoa", "delegates": "deleg"}


def test_marked_texts_follow_the_order_and_mark_the_words(archive):
    texts = list(run(archive, "marked_texts", '"buffer stock" -ivory', sort="oldest"))
    assert [text.id for text in texts] == ["r001", "r004", "r009"]
    first = texts[0]
    assert [first.title[a:b] for a, b in first.title_marks] == ["buffer", "stock"]
    assert [first.body[a:b] for a, b in first.body_marks] == ["buffer", "stock"]
    stemmed = list(run(archive, "marked_texts", "price", sort="oldest"))
    assert {text.body[a:b] for text in stemmed for a, b in text.body_marks} == {
        "prices",
        "Prices",
    }
    plain = list(run(archive, "marked_texts", "cocoa", sort="oldest", marks=False))
    assert plain and all(not text.body_marks and not text.title_marks for text in plain)


def test_the_sample_is_fixed_and_of_the_archive(archive):
    three = [text.id for text in archive.engine.sample_texts(3)]
    assert len(set(three)) == 3 and set(three) <= {a.id for a in CORPUS}
    assert [text.id for text in archive.engine.sample_texts(3)] == three
    assert sorted(text.id for text in archive.engine.sample_texts(100)) == sorted(
        a.id for a in CORPUS
    )


def test_comparing_queries_counts_shares_and_gaps(archive):
    comparison = archive.research.compare(
        [SearchRequest(q="cocoa"), SearchRequest(q="coffee")], unit="month"
    )
    assert comparison.unit == "month"
    cocoa, coffee = comparison.series
    labels = [point.label for point in cocoa.points]
    assert labels[0] == "1987-03" and labels[-1] == "1988-01" and len(labels) == 11
    assert [(p.count, p.total) for p in cocoa.points[:3]] == [(3, 5), (0, 1), (0, 1)]
    assert cocoa.total == 4 and cocoa.dated == 3  # one undated cocoa story
    assert cocoa.points[0].share == pytest.approx(0.6)
    # months the archive holds nothing for are gaps, not zero shares
    gap = cocoa.points[3]
    assert (gap.label, gap.total, gap.share, gap.covered) == ("1987-06", 0, None, False)
    assert [p.count for p in coffee.points[:2]] == [1, 1]
    assert coffee.citation.count == 2


def test_the_unit_is_chosen_from_the_span(archive):
    narrow = archive.research.compare(
        [SearchRequest(q="cocoa", date_from=date(1987, 3, 1), date_to=date(1987, 3, 31))]
    )
    assert narrow.unit == "day" and narrow.auto_unit and len(narrow.series[0].points) == 31
    wide = archive.research.compare([SearchRequest(q="cocoa")])
    assert wide.unit == "week" and wide.series[0].points[0].start == date(1987, 3, 2)
    assert wide.series[0].points[-1].start == date(1988, 1, 4)


def test_words_characterise_the_matches_as_written(archive):
    report = archive.research.words(SearchRequest(q="cocoa"), size=10)
    words = {term.text: term for term in report.group("word").terms}
    assert "cocoa" not in {term.key for term in report.group("word").terms}
    assert words["buffer"].foreground == 4 and words["buffer"].key == "buffer"
    bylines = [term.text for term in report.group("byline").terms]
    assert bylines[0] == "Jane Doe"  # both her articles are about cocoa
    assert report.total == 4 and report.citation.count == 4


def test_kwic_lines_in_order_and_sorted(archive):
    page = archive.research.kwic(SearchRequest(q="stock", sort="oldest"), per_page=3)
    assert [(line.id, line.field, line.keyword) for line in page.lines] == [
        ("r001", "title", "stock"),
        ("r001", "body", "stock"),
        ("r002", "body", "stock"),
    ]
    assert page.has_next and page.lines[1].left == "The cocoa buffer "
    assert page.lines[1].right == " manager met delegates in London. Cocoa prices fell."
    after = archive.research.kwic(SearchRequest(q="stock"), sort="after", per_page=100)
    followers = [(re.findall(r"\w+", line.right) or [""])[0] for line in after.lines]
    assert len(followers) == 6 and followers == sorted(followers, key=str.casefold)


def test_a_citation_checks_and_counts_what_changed(archive):
    citation = archive.research.cite(SearchRequest(q="cocoa"))
    assert citation.count == 4 and citation.engine == archive.engine.name
    assert archive.research.check(citation.compact()).holds
    with archive.engine.writer(timeout=5) as writer:
        writer.add([article(11, "Cocoa again", "Cocoa prices rose again.", "1987-06-01")])
        writer.delete(["r004"])
    check = archive.research.check(citation.compact())
    assert not check.holds and check.recorded
    assert (check.added, check.removed) == (1, 1)
    assert check.added_ids == ("r011",) and check.removed_ids == ("r004",)
    assert check.now.count == 4  # the same count, other articles: the fingerprint tells
