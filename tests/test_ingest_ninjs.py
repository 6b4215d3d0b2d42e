"""ninjs 1.x and 2.x, alone, in lists and in the AP Media API envelope."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.errors import ParseError
from archive.ingest import formats
from archive.ingest.articles import SourceDoc, content_hash
from archive.ingest.formats import ninjs
from archive.models import Article, RecordFailure

AGENCY = "data/formats/agency"
NINJS_SAMPLES = {
    "ap_media_feed.json", "ap_media_item.json", "ap_media_picture.json",
    "ap_media_text_feed.json", "ap_media_text_item.json", "bbc-ninjs-comp-test.json",
    "bbc-ninjs-text-test.json", "ninjs1.json", "ninjs2.json", "ninjs3.json", "ninjs4.json",
    "ninjs5.json", "ninjs6.json", "ninjsExMediumText1.json", "ninjsExSimpleText1.json",
    "ninjs_embargoed.json",
}  # fmt: skip
NO_ARTICLE = {
    "ap_media_feed.json": "ninjs item has no text content (picture item)",
    "ap_media_item.json": "ninjs item has no text content (picture item)",
    "ap_media_picture.json": "ninjs item has no text content (picture item)",
    "ap_media_text_feed.json": "ninjs item carries no text, only links to renditions (anpa, nitf)",
    "ap_media_text_item.json": "ninjs item carries no text, only links to renditions (anpa, nitf)",
    "ninjs3.json": "ninjs item has no text content (picture item)",
    "ninjs6.json": "ninjs item has no text content (picture item)",
}


def doc(data: bytes, path: str = "/data/item.json") -> SourceDoc:
    return SourceDoc(path, data, content_hash(data))


def read(shared: Path, name: str) -> list[Article]:
    path = shared / AGENCY / name
    data = path.read_bytes()
    assert formats.detect(data, name) == "ninjs"
    results = list(ninjs.parse(doc(data, str(path))))
    assert all(isinstance(r, Article) for r in results)
    return results  # type: ignore[return-value]


def test_sniff_claims_the_ninjs_files_not_the_mocks(shared: Path):
    claimed = {
        path.name
        for path in (shared / AGENCY).iterdir()
        if ninjs.sniff(path.read_bytes()[: formats.SNIFF_BYTES], path.name)
    }
    assert claimed == NINJS_SAMPLES


def test_every_sample_parses_or_fails_with_a_reason(shared: Path):
    for name in sorted(NINJS_SAMPLES):
        try:
            articles = read(shared, name)
        except ParseError as exc:
            assert str(exc) == NO_ARTICLE[name]
            continue
        assert name not in NO_ARTICLE
        assert articles and all(a.title and a.body and a.published for a in articles)


def test_ninjs_1_simple_text_with_xhtml_body(shared: Path):
    [article] = read(shared, "ninjsExSimpleText1.json")
    assert article.record == "http://ninjs.example.com/newsitems/20130709simp123"
    assert article.title == "Captain of wrecked cruise ship on trial in Italy"
    assert article.byline == "Paulo Santalucia and Frances d'Emilio"
    assert article.published.value == datetime(2013, 7, 9, 10, 37, tzinfo=UTC)
    paragraphs = article.body.split("\n\n")
    assert len(paragraphs) == 4
    assert paragraphs[2].startswith("His lawyer, Domenico Pepe, told reporters")


def test_superdesk_item_fields(shared: Path):
    [article] = read(shared, "ninjs1.json")
    assert article.record.startswith("urn:newsml:localhost:2017-08-24T14:37:19.783611")
    assert (article.title, article.body, article.byline) == (
        "headline",
        "The story so far.",
        "Peter and Jane",
    )
    assert article.source == "AAP"
    assert article.language == "fr"
    assert article.tags == ("arts, culture and entertainment",)
    assert article.published.original == "2017-08-24T04:37:19+0000"


def test_html_body_with_hard_wrapped_lines(shared: Path):
    [article] = read(shared, "ninjs2.json")
    assert article.title == "Oil prices edge up on first drop in US drilling in months"
    assert article.byline == "Henning Gloystein"
    assert article.source == "Reuters"
    assert article.body.startswith(
        "Oil prices edged up on Monday, supported by the first autumn in US drilling activity"
    )


def test_german_item_with_keywords(shared: Path):
    [article] = read(shared, "ninjs4.json")
    assert article.title == "China behauptet, einen Polizeihund geklont zu haben"
    assert article.language == "de"
    assert {"Science", "Polizeihund", "China"} <= set(article.tags)
    assert article.body.startswith("Es kann ganz schön kostspielig sein, Polizeihunde")


def test_first_publication_date_wins(shared: Path):
    [article] = read(shared, "ninjs_embargoed.json")
    assert article.title == "Trouble is brewing for the future of beer"
    assert article.source == "360info"
    assert article.published.value == datetime(2022, 6, 26, 23, 54, 25, tzinfo=UTC)
    assert article.tags == ("global warming", "agriculture")


def test_items_inside_a_results_list(shared: Path):
    [article] = read(shared, "bbc-ninjs-comp-test.json")
    assert article.record == "https://example.com/56789"
    assert (article.title, article.body, article.byline) == ("abcdef", "abcd", "Jane Doe")
    assert "Risca" in article.tags


def test_pictures_and_rendition_links_fail_clearly(shared: Path):
    with pytest.raises(ParseError, match=r"no text content \(picture item\)"):
        read(shared, "ninjs3.json")
    with pytest.raises(ParseError, match=r"only links to renditions \(anpa, nitf\)"):
        read(shared, "ap_media_text_item.json")


NINJS_2 = {
    "uri": "urn:newsml:dpa.com:20090101:190510-99-167362",
    "versioncreated": "2019-05-10T16:02:28+02:00",
    "language": "de",
    "copyrightholder": "dpa",
    "headlines": [{"role": "sub", "value": "Neben"}, {"role": "main", "value": "Faktencheck"}],
    "bodies": [
        {"role": "text", "contenttype": "text/plain", "value": "Plain version."},
        {"role": "html", "contenttype": "text/html", "value": "<p>Erster.</p><p>Zweiter.</p>"},
    ],
    "by": "Von Christian Hollmann, dpa",
    "subjects": [{"name": "Fußball", "uri": "http://cv.iptc.org/newscodes/mediatopic/20001065"}],
}


def test_ninjs_2_shapes():
    [article] = ninjs.parse(doc(json.dumps(NINJS_2).encode()))
    assert article.title == "Faktencheck"
    assert article.body == "Erster.\n\nZweiter."
    assert article.byline == "Christian Hollmann, dpa"
    assert article.source == "dpa"
    assert article.tags == ("Fußball",)
    assert article.published.value == datetime(2019, 5, 10, 14, 2, 28, tzinfo=UTC)


def test_mixed_list_skips_pictures_and_reports_broken_items():
    items = [
        dict(NINJS_2, uri="a"),
        {"uri": "b", "type": "picture", "headline": "A photo"},
        {"uri": "c", "type": "text"},
    ]
    results = list(ninjs.parse(doc(json.dumps(items).encode())))
    assert [type(r) for r in results] == [Article, RecordFailure]
    assert results[0].record == "a"
    assert results[1] == RecordFailure("c", "ninjs item has no headline and no body text")


def test_json_lines_of_items():
    lines = "\n".join(json.dumps(dict(NINJS_2, uri=f"line-{n}")) for n in range(3))
    assert ninjs.sniff(lines.encode()[:4096], "items.jsonl")
    assert [a.record for a in ninjs.parse(doc(lines.encode()))] == ["line-0", "line-1", "line-2"]


@pytest.mark.parametrize("data", [b"{", b"[1, 2]", b'"headline"', b"{}"])
def test_unreadable_json_fails_clearly(data):
    with pytest.raises(ParseError):
        list(ninjs.parse(doc(data)))


ninjs_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(
        st.sampled_from(
            ["uri", "type", "headline", "headlines", "body_html", "body_text", "bodies",
             "byline", "subject", "language", "versioncreated", "value", "name", "item",
             "items", "data", "renditions", "role", "contenttype"]
        ),
        inner,
        max_size=6,
    ),
    max_leaves=20,
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(ninjs_values)
def test_arbitrary_json_gives_articles_or_parse_error(value):
    try:
        results = list(ninjs.parse(doc(json.dumps(value).encode())))
    except ParseError:
        return
    assert results and all(isinstance(r, Article | RecordFailure) for r in results)


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_give_articles_or_parse_error(data):
    try:
        results = list(ninjs.parse(doc(b'{"uri": "x", ' + data)))
    except ParseError:
        return
    assert all(isinstance(r, Article | RecordFailure) for r in results)
