"""RSS, Atom and JSON Feed: all 43 sample feeds, real field values, and safety."""

from __future__ import annotations

import socket
import unicodedata
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.errors import ParseError
from archive.ingest.articles import SourceDoc, content_hash
from archive.ingest.formats import feeds
from archive.models import Article, RecordFailure

NOT_A_FEED = "not an RSS or Atom feed: the document is HTML"
#: feed file -> number of articles, or the start of the ParseError it must give
EXPECTED: dict[str, int | str] = {
    "AmazonWebServicesBlog.xml": 10,
    "AtomEscapedHTMLInPreTag.xml": 1,
    "AtomFeedWithSpacesAroundEquals.xml": 1,
    "AtomWithITunesInCDATA.xml": 1,
    "CRE.xml": 30,
    "FeedBurnerUrlNoAlternate.xml": 1,
    "FeedBurnerXHTML.xml": 10,
    "FeedjiraBlog.xml": 1,
    "GiantRobotsSmashingIntoOtherGiantRobots.xml": 3,
    "GoogleDocsList.xml": 2,
    "HREFConsideredHarmful.xml": 10,
    "HuffPostCanada.xml": 2,
    "ITunesWithSingleQuotedAttributes.xml": 3,
    "ITunesWithSpacesInAttributes.xml": 3,
    "InvalidDateFormat.xml": 2,
    "PaulDixExplainsNothing.xml": 5,
    "PaulDixExplainsNothingAlternate.xml": 5,
    "PaulDixExplainsNothingWFW.xml": 5,
    "Permalinks.xml": 4,
    "RSSWithComments.xml": 30,
    "SamRuby.xml": 20,
    "TechCrunch.xml": 20,
    "TenderLovemaking.xml": 10,
    "TrotterCashionHome.xml": 14,
    "TypePadNews.xml": 10,
    "a10.xml": 5,
    "atom_simple_single_entry.xml": 1,
    "atom_simple_single_entry_link_self.xml": 1,
    "atom_with_link_tag_for_url_unmarked.xml": 1,
    "google_alerts_atom.xml": 20,
    "itunes.xml": 3,
    "itunes_feedburner.xml": 3,
    "pet_atom.xml": 10,
    "youtube_atom.xml": 15,
    "json_feed.json": 20,
    "json_feed_with_escaped_uris.json": 30,
    # an Atom feed pasted inside an XHTML page: the page is HTML, not a feed
    "DuplicateContentAtomFeed.xml": f"{NOT_A_FEED} (root element <html>)",
    # single entries' content saved on their own: HTML fragments
    "AmazonWebServicesBlogFirstEntryContent.xml": NOT_A_FEED,
    "HREFConsideredHarmfulFirstEntry.xml": NOT_A_FEED,
    "PaulDixExplainsNothingFirstEntryContent.xml": NOT_A_FEED,
    "TechCrunchFirstEntry.xml": NOT_A_FEED,
    "TechCrunchFirstEntryDescription.xml": NOT_A_FEED,
    "TenderLovemakingFirstEntry.xml": NOT_A_FEED,
}


def doc(data: bytes, path: str = "/feeds/feed.xml") -> SourceDoc:
    return SourceDoc(path, data, content_hash(data))


def read(folder: Path, name: str) -> list[Article | RecordFailure]:
    path = folder / name
    return list(feeds.parse(doc(path.read_bytes(), str(path))))


@pytest.fixture(scope="module")
def folder(shared: Path) -> Path:
    return shared / "data" / "formats" / "feeds"


def test_the_expectations_cover_every_sample(folder):
    samples = {p.name for p in folder.iterdir() if p.suffix in (".xml", ".json")}
    assert len(samples) == 43
    assert samples == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_feed_parses_or_fails_clearly(folder, name):
    data = (folder / name).read_bytes()
    expected = EXPECTED[name]
    if isinstance(expected, str):
        assert not feeds.sniff(data[:4096], name)
        with pytest.raises(ParseError) as caught:
            list(feeds.parse(doc(data, name)))
        assert str(caught.value).startswith(expected)
        return
    assert feeds.sniff(data[:4096], name)
    results = list(feeds.parse(doc(data, name)))
    articles = [r for r in results if isinstance(r, Article)]
    assert len(articles) == expected == len(results)
    assert all(a.format == "feed" and a.title for a in articles)
    assert len({a.id for a in articles}) == len(articles)


def test_rss_item_fields(folder):
    story = read(folder, "HuffPostCanada.xml")[0]
    assert story.record == "23246627"
    assert story.title == "Winnipeg High School Orders Custom Hijabs For Muslim Athletes"
    assert story.byline == "Canadian Press"
    assert story.source == "HuffPost Canada - Athena2 - All Posts"
    assert story.published is not None
    assert story.published.value == datetime(2017, 10, 17, 22, 17, tzinfo=UTC)
    assert story.published.original == "Tue, 17 Oct 2017 22:17:00 +0000"
    assert story.url.endswith(
        "winnipeg-high-school-orders-custom-hijabs-for-muslim-athletes_a_23246627/"
    )
    assert story.tags[:4] == ("Dakota Collegiate", "hijab", "Living", "Muslim women")
    assert story.language == "en"
    assert story.body.startswith(
        "Winnipeg high school student Nusaybah Mohamed's basketball uniform"
    )


def test_atom_entry_fields(folder):
    (story,) = read(folder, "atom_simple_single_entry.xml")
    assert story.record == "urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a"
    assert story.title == "Atom-Powered Robots Run Amok"
    assert story.byline == "John Doe"
    assert story.source == "Example Feed"
    assert story.url == "http://example.org/2003/12/13/atom03"
    assert story.body == "Some text."
    assert story.published.value == datetime(2003, 12, 13, 18, 30, 2, tzinfo=UTC)


def test_full_content_is_preferred_and_html_becomes_paragraphs(folder):
    story = read(folder, "CRE.xml")[0]
    assert story.title == "CRE207 Planetarien"
    assert story.language == "de-DE"
    assert story.body.startswith(
        "Digitale Planetarien lassen den Zauber der Wissenschaft neu entstehen\n\n"
        "Plantarien waren Anfang des 20. Jahrhunderts"
    )
    assert "<" not in story.body


def test_escaped_markup_stays_text(folder):
    (story,) = read(folder, "AtomEscapedHTMLInPreTag.xml")
    assert story.record == "item-1"
    assert story.body == "This is escaped html:\n\n<b>test<b>"


def test_relative_links_are_made_absolute(folder):
    story = read(folder, "SamRuby.xml")[0]
    assert story.url == "http://intertwingly.net/blog/2013/01/30/Plex"


def test_malformed_feed_gives_the_items_it_can(folder):
    first, second = read(folder, "InvalidDateFormat.xml")
    assert first.title == "Item 0 with an invalid date"
    assert first.published.value == datetime(2017, 10, 16, 15, 10, tzinfo=UTC)
    assert second.url == "http://example.com/item1"


def test_json_feed(folder):
    story = read(folder, "json_feed.json")[0]
    assert story.title == "James Dempsey and the Breakpoints Benefit App Camp for Girls"
    assert story.byline == "Brent Simmons"
    assert story.source == "inessential.com"
    assert story.published.original == "2017-06-02T22:05:47-07:00"
    assert story.published.value == datetime(2017, 6, 3, 5, 5, 47, tzinfo=UTC)
    assert story.body.startswith("On Wednesday night I know where I’ll be")


def test_title_only_items_and_guid_keys(folder):
    items = read(folder, "Permalinks.xml")
    assert [i.record for i in items] == [f"http://example.com/{n}" for n in (1, 2, 3, 5)]
    assert [i.title for i in items] == ["Item 1", "Item 2", "Item 3", "Item 4"]
    assert items[0].url is None
    assert items[3].url == "http://example.com/4"


RSS = b"""<?xml version="1.0"?>%s
<rss version="2.0"><channel><title>T</title>
<item><title>One</title><description>Body &amp; more</description></item>
<item><description>   </description></item>
</channel></rss>"""


def test_item_without_text_is_a_record_failure():
    article, failure = feeds.parse(doc(RSS % b""))
    assert isinstance(article, Article) and article.body == "Body & more"
    assert isinstance(failure, RecordFailure)
    assert failure.record == "item-2"


@pytest.mark.parametrize(
    "doctype",
    [
        b'<!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
        b'<!DOCTYPE rss [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>',
    ],
)
def test_entity_declarations_are_refused(doctype):
    with pytest.raises(ParseError, match="declares XML entities"):
        list(feeds.parse(doc(RSS % doctype)))


def test_nothing_is_fetched_or_opened(monkeypatch, tmp_path):
    def refuse(*args, **kwargs):
        raise AssertionError("network access")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    external = b'<!DOCTYPE rss SYSTEM "http://example.invalid/rss.dtd">'
    (article, _failure) = feeds.parse(doc(RSS % external))
    assert article.title == "One"
    secret = tmp_path / "secret.xml"
    secret.write_bytes(RSS % b"")
    with pytest.raises(ParseError):
        list(feeds.parse(doc(str(secret).encode())))
    with pytest.raises(ParseError):
        list(feeds.parse(doc(b"http://example.invalid/feed.xml")))


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_give_articles_failures_or_parse_error(data):
    try:
        results = list(feeds.parse(doc(data)))
    except ParseError:
        return
    assert all(isinstance(r, Article | RecordFailure) for r in results)


_words = st.text(st.characters(whitelist_categories=("L", "N", "Zs")), min_size=1, max_size=60)


@settings(max_examples=100, deadline=None)
@given(titles=st.lists(_words, min_size=1, max_size=5), junk=st.text("<>/&;!?x =\"'", max_size=30))
def test_generated_feeds_keep_titles(titles, junk):
    items = "".join(f"<item><title>{t}</title></item>" for t in titles)
    data = f"<rss version='2.0'><channel>{items}</channel></rss>{junk}".encode()
    try:
        results = list(feeds.parse(doc(data)))
    except ParseError:
        return
    expected = [unicodedata.normalize("NFC", " ".join(_repaired(t).split())) for t in titles]
    got = [r.title for r in results if isinstance(r, Article)]
    assert got == [t for t in expected if t][: len(got)]


def _repaired(text: str) -> str:
    """feedparser's repair of UTF-8 read as Latin-1 ("cafÃ©" -> "café"): a text whose
    Latin-1 bytes are valid UTF-8 is taken for such a mistake and decoded again."""
    try:
        return text.encode("iso-8859-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text
