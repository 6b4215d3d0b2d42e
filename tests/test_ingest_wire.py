"""IPTC 7901 (dpa) and ANPA-1312 (AP) wire messages, control characters and all."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.errors import ParseError
from archive.ingest import formats
from archive.ingest.articles import SourceDoc, content_hash
from archive.ingest.formats import wire
from archive.ingest.text.dates import parse_wire_stamp
from archive.models import Article, RecordFailure

AGENCY = "data/formats/agency"
IPTC7901 = {
    "IPTC7901.txt", "IPTC7901_odd_charset.txt", "dpa_copyright.txt", "dpa_four_line.txt",
    "dpa_two_by_line.txt", "dpa_two_line.txt",
}  # fmt: skip
ANPA = {
    "anpa-1.tst", "anpa-2.tst", "anpa-3.tst", "anpa-4.tst", "ap_anpa-1.tst", "ap_anpa-2.tst",
    "ap_anpa-3.tst", "ap_anpa-4.tst", "ap_anpa-5.tst", "ap_anpa-6.tst", "ap_anpa-7.tst",
}  # fmt: skip


def doc(data: bytes, path: str = "/data/wire.txt") -> SourceDoc:
    return SourceDoc(path, data, content_hash(data))


def read(shared: Path, name: str) -> Article:
    path = shared / AGENCY / name
    data = path.read_bytes()
    assert formats.detect(data, name) == "wire"
    [article] = wire.parse(doc(data, str(path)))
    assert isinstance(article, Article)
    return article


def test_sniff_claims_the_wire_files_not_the_emails(shared: Path):
    claimed = {
        path.name
        for path in (shared / AGENCY).iterdir()
        if wire.sniff(path.read_bytes()[: formats.SNIFF_BYTES], path.name)
    }
    assert claimed == IPTC7901 | ANPA


def test_every_sample_is_an_article(shared: Path):
    for name in sorted(IPTC7901 | ANPA):
        article = read(shared, name)
        assert article.title and article.body, name
        assert article.published is not None and article.published.precision == "minute", name
        assert article.source in ("dpa", "dpa-tns", "AP"), name
        assert "\x02" not in article.body and "\x03" not in article.body


def test_dpa_message(shared: Path):
    article = read(shared, "IPTC7901.txt")
    assert article.title == "Germany Social Democrats: Coalition talks with Merkel could fail"
    assert article.source == "dpa"
    assert article.tags == ("Germany-politics",)
    assert article.published.value == datetime(2013, 11, 13, 11, 37, tzinfo=UTC)
    assert article.published.original == "131137 GMT Nov 13"
    assert article.body.startswith(
        "Berlin (dpa) - Negotiations between German conservatives headed by Chancellor Angela"
    )
    assert article.body.endswith(
        "will allow Merkel to be sworn in for a third term before Christmas."
    )
    for unpublishable in ("NOTEBOOK", "not for publication", "englishservice@dpa.com", "wsz"):
        assert unpublishable not in article.body


def test_odd_charset_labels_and_byline(shared: Path):
    article = read(shared, "IPTC7901_odd_charset.txt")
    assert article.title == "German football saddened by illness to striker legend Mueller"
    assert article.byline == "Manuel Schwarz, dpa"
    assert "Philipp Lahm, Bastian Schweinsteiger and Thomas Müller" in article.body
    assert article.tags == ("Germany-football", "Munich", "Mueller")
    assert article.published.value == datetime(2015, 10, 7, 13, 41, tzinfo=UTC)
    assert article.published.original == "071341 GMT Okt 15"


def test_labels_before_the_headline_are_dropped(shared: Path):
    four = read(shared, "dpa_four_line.txt")
    assert four.title == "Switzerland joins list of countries resisting UN migration pact"
    assert four.byline == "dpa correspondents"
    two = read(shared, "dpa_two_line.txt")
    assert two.title == "Peace talks on Yemen to take place in Sweden next month, Mattis says"
    assert "DOD news" not in two.body


def test_anpa_story(shared: Path):
    article = read(shared, "anpa-1.tst")
    assert article.title == "For Argentine chemo patients, mirrors can hurt"
    assert article.byline == "Paul Byrne and Almudena Calatrava"
    assert article.source == "AP"
    assert article.tags == ("Argentina-Cancer Beauty",)
    assert article.published.value == datetime(2013, 11, 13, 15, 9, tzinfo=UTC)
    assert article.published.original == "11-13-13 1509GMT"
    assert article.body.startswith("BUENOS AIRES, Argentina (AP) _ For cancer patients dealing")
    assert "AP Photo" not in article.body and "Eds:" not in article.body
    assert article.body.endswith(
        "APTN contributor Kacey Cherry in Buenos Aires helped with this story."
    )


def test_anpa_headline_list_without_body(shared: Path):
    article = read(shared, "anpa-4.tst")
    assert article.title == "AP Top Entertainment News at 11:23 p.m. EST"
    assert "Ex-bodyguard testifies about lewd messages sent to Paltrow" in article.body
    assert article.published.value == datetime(2016, 2, 10, 4, 23, tzinfo=UTC)


def test_anpa_tables_and_slug_title(shared: Path):
    glance = read(shared, "ap_anpa-6.tst")
    assert glance.title == "Wild Card Glance"
    assert glance.byline == "The Associated Press"
    assert "Tampa Bay 73 52 .584 _\nCleveland 73 51 .589 _" in glance.body
    weather = read(shared, "anpa-3.tst")
    assert weather.title == "Global Weather-Fahrenheit"
    assert "Amsterdam;42;50;rn;0.08;39;52;pc;39;48;rn" in weather.body
    assert "END" not in weather.body.split()


def test_several_messages_in_one_file(shared: Path):
    first = (shared / AGENCY / "IPTC7901.txt").read_bytes()
    second = (shared / AGENCY / "anpa-1.tst").read_bytes()
    articles = list(wire.parse(doc(first + second)))
    assert [a.record for a in articles] == ["message-1", "message-2"]
    assert articles[1].title == "For Argentine chemo patients, mirrors can hurt"


def test_message_without_text_fails():
    with pytest.raises(ParseError, match="no wire message"):
        list(wire.parse(doc(b"\x01eca0001 4 i 10  dpa 0001\r\n\r\nKeyword/\r\n")))


@pytest.mark.parametrize(
    ("stamp", "expected"),
    [
        ("131137 GMT Nov 13", datetime(2013, 11, 13, 11, 37, tzinfo=UTC)),
        ("211259 Nov 18", datetime(2018, 11, 21, 12, 59, tzinfo=UTC)),
        ("071341 GMT Okt 15", datetime(2015, 10, 7, 13, 41, tzinfo=UTC)),
        ("11-13-13 1509GMT", datetime(2013, 11, 13, 15, 9, tzinfo=UTC)),
        ("02-09-99 2359 GMT", datetime(1999, 2, 9, 23, 59, tzinfo=UTC)),
        ("321137 GMT Nov 13", None),
        ("131137 GMT Foo 13", None),
        ("13-13-13 1509GMT", None),
        ("", None),
    ],
)
def test_wire_stamps(stamp, expected):
    parsed = parse_wire_stamp(stamp)
    assert (parsed.value if parsed else None) == expected


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=500))
def test_arbitrary_bytes_give_articles_or_parse_error(data):
    for prefix in (b"\x01eca0001 4 i 10  dpa 0001\r\n\x02", b"\x16\x16\x01W1234\x1fasian\n"):
        try:
            results = list(wire.parse(doc(prefix + data)))
        except ParseError:
            continue
        assert all(isinstance(r, Article | RecordFailure) for r in results)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.from_regex(r"[A-Z][a-z]{2,9}( [a-z]{2,9}){4,14}\.", fullmatch=True),
        min_size=1,
        max_size=4,
    )
)
def test_generated_iptc7901_messages(paragraphs):
    body = "\r\n\r\n".join(f"   {p}" for p in paragraphs)
    data = (
        f"\x01eca0001 4 i 10  dpa 0001\r\n\r\nKeyword/\r\n\x02Generated headline =\r\n\r\n"
        f"{body}\r\n\r\n\x03131137 GMT Nov 13\r\n\x04"
    ).encode()
    [article] = wire.parse(doc(data))
    assert article.title == "Generated headline"
    assert article.body == "\n\n".join(paragraphs)
    assert article.tags == ("Keyword",)
