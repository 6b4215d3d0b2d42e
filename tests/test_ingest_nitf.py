"""NITF: real agency documents read field by field, every sample accounted for."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import escape

from hypothesis import given, settings
from hypothesis import strategies as st

from archive.errors import ParseError
from archive.ingest import formats
from archive.ingest.articles import SourceDoc, content_hash
from archive.ingest.formats import nitf
from archive.models import Article, RecordFailure

AGENCY = "data/formats/agency"
#: every NITF document in the agency folder, and the one that has no text at all
NITF_SAMPLES = {
    "aap-1.xml", "aap-cyber.xml", "aap-finance-lite.xml", "aap-finance.xml",
    "aap-finance1.xml", "aap-sports.xml", "aap.xml", "ap-nitf.xml", "ap_media_text_nitf.xml",
    "efe_nitf.xml", "handle_invalid_fields.xml", "mapping_test.xml", "nitf-fishing.xml",
    "nitf-ntb.xml", "pa1.xml", "pa2.xml", "pa3.xml", "pa4.xml", "pa5.xml",
}  # fmt: skip
EMPTY = {"aap-finance-lite.xml": "NITF document has no headline and no body text"}


def doc(data: bytes, path: str = "/data/story.xml") -> SourceDoc:
    return SourceDoc(path, data, content_hash(data))


def read(shared: Path, name: str) -> Article:
    path = shared / AGENCY / name
    data = path.read_bytes()
    assert formats.detect(data, name) == "nitf"
    [article] = nitf.parse(doc(data, str(path)))
    assert isinstance(article, Article)
    return article


def test_sniff_claims_exactly_the_nitf_documents(shared: Path):
    claimed = {
        path.name
        for path in (shared / AGENCY).iterdir()
        if nitf.sniff(path.read_bytes()[: formats.SNIFF_BYTES], path.name)
    }
    assert claimed == NITF_SAMPLES


def test_every_sample_parses_or_fails_with_a_reason(shared: Path):
    for name in sorted(NITF_SAMPLES):
        path = shared / AGENCY / name
        try:
            [article] = nitf.parse(doc(path.read_bytes(), str(path)))
        except ParseError as exc:
            assert str(exc) == EMPTY[name]
            continue
        assert name not in EMPTY
        assert article.title and article.body and article.format == "nitf"
        assert article.published is not None, name


def test_ap_story(shared: Path):
    article = read(shared, "ap-nitf.xml")
    assert article.title == "Can trading pollution like stocks help fight climate change?"
    assert article.byline == "Bernard Condon"
    assert article.source == "AP"
    assert article.published.value == datetime(2015, 12, 10, 19, 10, 44, tzinfo=UTC)
    assert article.published.original == "20151210T191044Z"
    assert article.body.startswith("NEW YORK (AP) — The gas produced by hog manure at farms")
    assert "he's putting $25 million of his own money behind the venture" in article.body
    assert "AP Business Writer" not in article.body


def test_canadian_press_story_with_invalid_dates(shared: Path):
    article = read(shared, "handle_invalid_fields.xml")
    assert article.title == (
        "Man accused of ramming gate at Rideau Hall with truck faces multiple charges"
    )
    assert article.record == "eed713d46d74499d86b3250fa47b341b"
    assert article.byline == "Mia Rabson and Jordan Press"
    assert article.source == "The Canadian Press"
    assert article.published.value == datetime(2020, 7, 3, 20, 51, 36, tzinfo=UTC)
    assert article.published.original == "20200703T165136-0400"
    assert article.tags == ("National", "Justice", "Politics")
    assert article.body.endswith(
        "This report by The Canadian Press was first published July 3, 2020."
    )


def test_efe_language_source_and_subjects(shared: Path):
    article = read(shared, "efe_nitf.xml")
    assert article.title == "Honduran president announces Cabinet changes"
    assert article.language == "en-US"
    assert article.source == "Agencia EFE"
    assert article.body == "Tegucigalpa, Jan 2 (EFE).- Test body."
    assert {"HONDURAS GOVERNMENT", "Politics", "Executive (government)"} <= set(article.tags)


def test_iptc_sample_with_doctype_lists_and_media(shared: Path):
    article = read(shared, "nitf-fishing.xml")
    assert article.title == "Weather and Tide Updates for Norfolk"
    assert article.byline == "Alan Karben"
    assert article.source == "International Press Telecommunications Council"
    assert article.published.value == datetime(2002, 2, 26, 5, 0, tzinfo=UTC)
    assert article.tags[:3] == ("fishing", "lures", "tides")
    assert article.url.startswith("http://www.iptc.org/getEdition/")
    assert (
        "Made me want to take out my boat, manufactured by the Acme Boat Company." in article.body
    )
    assert "Deer Creek: This area has proven to be a bass-lover's haven." in article.body
    assert "captured on film" not in article.body
    assert article.body.endswith("Stewart Klometers contributed to this article.")


def test_ntb_declared_latin1_but_utf8(shared: Path):
    article = read(shared, "nitf-ntb.xml")
    assert article.title.startswith(
        "Faktisk.no: Nei, dette dokumentet beskriver ikke FNs Agenda 21"
    )
    assert article.language == "nb-NO"
    assert article.byline == "Geir Molnes / Faktisk.no"
    assert "Påstand" in article.body
    assert "«[Dette dokumentet beskriver] FNs Agenda 21 og Agenda 2030»" in article.body
    assert "Én global verdensregjering" in article.body
    assert "faktisk-embed" not in article.body


def test_pa_latin1_story_and_signoff(shared: Path):
    article = read(shared, "pa5.xml")
    assert article.title == "HARD BREXIT TO COST UK UP TO £66BN A YEAR, SAYS TREASURY"
    assert article.byline == "Sam Lister, Press Association Political Correspondent"
    assert article.body.startswith("Treasury coffers will take a £66 billion annual hit")
    assert not article.body.endswith("ends")


def test_aap_hard_wrapped_lines_are_joined(shared: Path):
    article = read(shared, "aap-finance.xml")
    assert article.source == "Agence France Presse"
    first = article.body.split("\n\n")[0]
    assert first == (
        "SEOUL, Nov 26 AFP - Samsung has announced the sale of stakes in four petrochemical "
        "and defence affiliates for $US1.7 billion ($A1.84 billion) as the South Korean giant "
        "steps up restructuring efforts ahead of a generational ownership succession."
    )
    assert not article.body.endswith("AFP sn")


def test_tables_and_preformatted_text(shared: Path):
    table = read(shared, "ap_media_text_nitf.xml")
    assert table.title == "BC-BBN--Top Ten"
    assert "McNeil NYM | 72 | 271 | 37 | 95 | .351" in table.body
    teams = read(shared, "pa2.xml")
    assert teams.body.startswith("International Match\nMexico v Panama\n")


@settings(max_examples=60, deadline=None)
@given(
    headline=st.from_regex(r"[A-Z][a-z]{2,10}( [a-z]{2,10}){2,8}", fullmatch=True),
    paragraphs=st.lists(
        st.from_regex(r"[A-Z][a-z]{2,10}( [a-z]{2,10}){3,12}\.", fullmatch=True),
        min_size=1,
        max_size=5,
    ),
)
def test_generated_documents_round_trip(headline, paragraphs):
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    data = (
        f"<nitf><body><body.head><hedline><hl1>{escape(headline)}</hl1></hedline></body.head>"
        f"<body.content>{body}</body.content></body></nitf>"
    ).encode()
    [article] = nitf.parse(doc(data))
    assert article.title == headline
    assert article.body == "\n\n".join(paragraphs)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=500))
def test_arbitrary_bytes_give_articles_or_parse_error(data):
    try:
        results = list(nitf.parse(doc(b"<nitf>" + data)))
    except ParseError:
        return
    assert all(isinstance(r, Article | RecordFailure) for r in results)
