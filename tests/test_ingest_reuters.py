"""Reuters-21578 SGML: the whole collection parsed, and known stories read exactly."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.errors import ParseError
from archive.ingest import formats
from archive.ingest.articles import SourceDoc, content_hash
from archive.ingest.formats import reuters
from archive.models import Article, RecordFailure

STORIES = 21_578
#: NEWID 12793 is an UNPROC story with no text at all; every other story is an article
ARTICLES = STORIES - 1


def doc(data: bytes, path: str = "/data/reut2-000.sgm") -> SourceDoc:
    return SourceDoc(path, data, content_hash(data))


@pytest.fixture(scope="module")
def collection(shared: Path) -> dict[str, Article | RecordFailure]:
    """Every story of the 22 files, by NEWID."""
    files = sorted((shared / "data" / "reuters21578").glob("reut2-*.sgm"))
    assert len(files) == 22
    results: dict[str, Article | RecordFailure] = {}
    for path in files:
        data = path.read_bytes()
        assert formats.detect(data, path.name) == "reuters"
        for result in reuters.parse(doc(data, str(path))):
            assert result.record not in results
            results[result.record] = result
    return results


def test_every_story_is_an_article_or_a_failure(collection):
    articles = [r for r in collection.values() if isinstance(r, Article)]
    failures = [r for r in collection.values() if isinstance(r, RecordFailure)]
    assert len(articles) == ARTICLES
    assert len(articles) + len(failures) == STORIES
    assert set(collection) == {str(n) for n in range(1, STORIES + 1)}
    assert len({a.id for a in articles}) == ARTICLES


def test_the_empty_story_is_a_failure_with_a_reason(collection):
    failure = collection["12793"]
    assert isinstance(failure, RecordFailure)
    assert "neither a title nor any text" in failure.reason


def test_first_story_fields(collection):
    story = collection["1"]
    assert isinstance(story, Article)
    assert story.title == "BAHIA COCOA REVIEW"
    assert not story.title_derived
    assert story.source == "Reuters"
    assert story.format == "reuters"
    assert story.published is not None
    assert story.published.value == datetime(1987, 2, 26, 15, 1, 1, 790000, tzinfo=UTC)
    assert story.published.original == "26-FEB-1987 15:01:01.79"
    assert story.tags == ("cocoa", "el-salvador", "usa", "uruguay")
    assert story.body.startswith(
        "SALVADOR, Feb 26 - Showers continued throughout the week in the Bahia cocoa zone"
    )
    assert story.body.endswith("after carnival which ends midday on February 27.")
    assert "Reuter" not in story.body
    assert "\n\nThe dry period means the temporao will be late this year." in story.body


def test_author_becomes_byline_and_entities_are_resolved(collection):
    story = collection["4"]
    assert story.title == "TALKING POINT/BANKAMERICA <BAC> EQUITY OFFER"
    assert story.byline == "Janie Gabbett"
    assert story.tags == ("usa", "brazil")
    assert story.body.startswith("LOS ANGELES, Feb 26 - BankAmerica Corp is not under pressure")
    assert "<Qantas Airways Ltd> has placed a firm order" in collection["264"].body


def test_brief_story_is_its_headline(collection):
    story = collection["30"]
    assert story.title == "ASSETS OF MONEY MARKET MUTUAL FUNDS ROSE 720.4 MLN DLRS IN LATEST WEEK"
    assert story.body == ""
    assert story.tags == ("money-supply",)


def test_unprocessed_story_gets_a_derived_title(collection):
    story = collection["99"]
    assert story.title_derived
    assert story.title == "FEDERAL RESERVE WEEKLY REPORT 1 - FEB 26"
    assert "Net free reserves.............644 vs.....1,337" in story.body
    assert story.tags == ("money-supply", "usa")


def test_garbled_clock_keeps_the_day(collection):
    published = collection["17192"].published
    assert published is not None
    assert published.precision == "day"
    assert published.value == datetime(1987, 3, 31, tzinfo=UTC)


def test_stray_latin1_byte_does_not_lose_the_story(collection):
    story = collection["17980"]
    assert story.title == "LAWSON SAYS LOUVRE CURRENCY ACCORD SATISFACTORY"
    assert "world economic growth.ü" in story.body


def test_cut_off_story_is_a_failure():
    data = (
        b'<REUTERS NEWID="1"><DATE>1-MAR-1987 10:00:00.00</DATE><TEXT><TITLE>ONE</TITLE>'
        b"<BODY>First.</BODY></TEXT></REUTERS>\n"
        b'<REUTERS NEWID="2"><TEXT><TITLE>TWO</TITLE><BODY>Cut'
    )
    results = list(reuters.parse(doc(data)))
    assert [type(r) for r in results] == [Article, RecordFailure]
    assert results[0].title == "ONE"
    assert results[1].record == "2"
    assert "cut off" in results[1].reason


def test_not_reuters_is_a_parse_error():
    assert not reuters.sniff(b"<html><body>REUTERS</body></html>", "x.sgm")
    with pytest.raises(ParseError, match="no <REUTERS> stories"):
        list(reuters.parse(doc(b"plain text")))


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_give_articles_failures_or_parse_error(data):
    try:
        results = list(reuters.parse(doc(data)))
    except ParseError:
        return
    assert all(isinstance(r, Article | RecordFailure) for r in results)


# text inside an SGML element: no markup of its own (a "<REUTERS" in a title would start
# another story, which is how the format reads)
_text = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="<&"), max_size=80
)


@settings(max_examples=150, deadline=None)
@given(title=_text, body=_text, newid=st.integers(1, 10**6))
def test_generated_story_keeps_its_title(title, body, newid):
    sgml = f'<REUTERS NEWID="{newid}"><TEXT><TITLE>{title}</TITLE><BODY>{body}</BODY></TEXT>'
    data = (sgml + "</REUTERS>").encode()
    results = list(reuters.parse(doc(data)))
    assert len(results) == 1
    result = results[0]
    assert result.record == str(newid)
    expected = unicodedata.normalize("NFC", " ".join(title.split()))
    if re.search(r"\w", expected) and not set(expected) & set("<&*"):
        assert isinstance(result, Article)
        assert result.title == expected
