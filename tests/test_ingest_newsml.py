"""NewsML-G2 and NewsML 1.x: messages, items and packages from real agencies and IPTC."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.errors import ParseError
from archive.ingest import formats
from archive.ingest.articles import SourceDoc, content_hash
from archive.ingest.formats import newsml
from archive.models import Article, RecordFailure

AGENCY = "data/formats/agency"
G2 = "data/formats/newsml-g2"
#: samples with no article in them, and why (IPTC's examples of non-news items included)
NO_ARTICLE = {
    "LISTING 6 Simple NewsML-G2 Package.xml": "package references 2 items but carries none",
    "picture.xml": "no text content (picture item)",
    "snep.xml": "package references 10 items but carries none",
    "tag_reuters.com_0000_newsml_GM1EA7M13RP01_version_484616934": "(picture item)",
    "tag_reuters.com_2014_newsml_KBN0FL0NM_version_10": "package references 5 items",
    "tag_reuters.com_2014_newsml_LYNXMPEA6F0MS_version_2": "(picture item)",
    "tag_reuters.com_2014_newsml_LYNXMPEA6F0MT_version_2": "(picture item)",
    "tag_reuters.com_2014_newsml_LYNXMPEA6F13M_version_1": "(picture item)",
    "LISTING_10_Abstract_Concept_conveyed_in_a_NewsML-G2_Concept_Item.xml": "(concept item)",
    "LISTING_11_Person_Concept_conveyed_in_a_NewsML-G2_Concept_Item.xml": "(concept item)",
    "LISTING_12_Knowledge_Item_for_Access_Codes.xml": "(knowledge item)",
    "LISTING_13_Complete_Catalog_Item.xml": "(catalog item)",
    "LISTING_14_Event_sent_as_a_Concept_Item.xml": "(concept item)",
    "LISTING_15_Two_Related_Events_in_a_Knowledge_Item.xml": "(knowledge item)",
    "LISTING_16_A_Set_of_Events_carried_in_a_News_Item.xml": "(composite item)",
    "LISTING_17_Planning_Item_a_CCL.xml": "(planning item)",
    "LISTING_18_Planning_Item_at_PCL.xml": "(planning item)",
    "LISTING_19_Planning_Item_with_delivery_at_CCL.xml": "(planning item)",
    "LISTING_20_Planning_Item_with_delivery_at_PCL.xml": "(planning item)",
    "LISTING_23_SportsML-G2_Package.xml": "package references 2 items",
    "LISTING_24_News_Message_conveying_a_complete_News_Package.xml": "no headline and no body",
    "LISTING_26_Embedded_photo_metadata_fields_mapped_to_NewsML-G2.xml": "(picture item)",
    "LISTING_28_Illustrating_Located_Subject_and_Dateline.xml": "no headline and no body",
    "LISTING_29_Hop_History.xml": "no headline and no body",
    "LISTING_3A_Photo_in_NewsML-G2_(URI_sibling_attributes).xml": "(picture item)",
    "LISTING_3_Photo_in_NewsML-G2.xml": "(picture item)",
    "LISTING_4_Multiple_Renditions_of_a_Video_in_NewsML-G2.xml": "(video item)",
    "LISTING_5_Multi-part_Video_in_NewsML-G2.xml": "(video item)",
    "LISTING_6_Simple_NewsML-G2_Package.xml": "package references 2 items",
    "LISTING_7_Group_Set_example_showing_Hierarchical_Package_Structure.xml": "4 items",
    "LISTING_8_Group_Set_example_showing_an_ALT_Package_Mode.xml": "8 items",
    "LISTING_9_Group_Set_example_showing_a_SEQ_Package_Mode.xml": "13 items",
    "ap_metadata_example.xml": "(video item)",
    "facet-example.xml": "no headline and no body",
    "facet-example-2.xml": "no headline and no body",
    "CR00219_datamining_in_rightsinfo_embeddedrights.xml": "no headline and no body",
    "CR00219_datamining_in_rightsinfo_multilang.xml": "no headline and no body",
    "CR00219_datamining_in_rightsinfo_otherconstraints.xml": "no headline and no body",
    "CR00219_datamining_in_rightsinfo_qcode.xml": "no headline and no body",
    "CR00219_datamining_in_rightsinfo_qcode_multilang.xml": "no headline and no body",
    "CR00219_datamining_in_rightsinfo_simple.xml": "no headline and no body",
    "CR00221_eventstatus.xml": "(concept item)",
    "CR00221_eventstatus_uri.xml": "(concept item)",
}


def doc(data: bytes, path: str = "/data/message.xml") -> SourceDoc:
    return SourceDoc(path, data, content_hash(data))


def samples(shared: Path) -> list[Path]:
    """Every file of both folders that the NewsML sniffer claims."""
    paths = [*(shared / AGENCY).iterdir(), *(shared / G2).rglob("*")]
    return sorted(
        p
        for p in paths
        if p.is_file() and newsml.sniff(p.read_bytes()[: formats.SNIFF_BYTES], p.name)
    )


def read(path: Path) -> list[Article]:
    data = path.read_bytes()
    assert formats.detect(data, path.name) == "newsml"
    results = list(newsml.parse(doc(data, str(path))))
    assert all(isinstance(r, Article) for r in results)
    return results  # type: ignore[return-value]


def test_sniff_claims_newsml_and_nothing_else(shared: Path):
    claimed = {p.name for p in samples(shared)}
    assert len(claimed) == 83
    assert {"afp.xml", "ana1.xml", "dpa.xml", "scoop.xml", "video.xml", "text.xml"} <= claimed
    assert not claimed & {"aap.xml", "ap-nitf.xml", "wenn.xml", "ritzau_news.xml", "ninjs1.json"}
    assert not any(name.endswith(".xsd") for name in claimed)


def test_every_sample_parses_or_fails_with_a_reason(shared: Path):
    produced = 0
    for path in samples(shared):
        try:
            articles = read(path)
        except ParseError as exc:
            assert path.name in NO_ARTICLE, f"{path.name}: {exc}"
            assert NO_ARTICLE[path.name] in str(exc)
            continue
        assert path.name not in NO_ARTICLE
        assert articles and all(a.title and a.format == "newsml" for a in articles)
        assert len({a.id for a in articles}) == len(articles)
        produced += len(articles)
    assert produced == 42


def test_message_with_three_items_and_nitf_inside(shared: Path):
    articles = read(shared / AGENCY / "ap.xml")
    assert [a.title for a in articles] == [
        "Nutrisystem beats 4Q earnings and revenue expectations",
        "DiamondRock Hospitality posts 4Q FFO of $50.7 million, results top expectations",
        "Scripps Networks tops 4Q profit and revenue expectations",
    ]
    first = articles[0]
    assert first.record == "tag:ap.org,2011:5e565888b587889c5c8bd62b6164118c-text"
    assert first.source == "Automated Insights"
    assert first.language == "en"
    assert first.published.value == datetime(2018, 2, 26, 21, 20, 36, tzinfo=UTC)
    assert {"Earnings reports", "Nutrisystem", "Pennsylvania"} <= set(first.tags)
    assert first.body.startswith("FORT WASHINGTON, Pa. (AP) _ Nutrisystem Inc. (NTRI) on Monday")


def test_dpa_xhtml_body_without_its_header(shared: Path):
    [article] = read(shared / AGENCY / "dpa.xml")
    assert article.title == "Eintracht in London: Hintereggers Tränen und Attacke auf Reporter"
    assert article.source == "Deutsche Presse-Agentur GmbH"
    assert article.language == "de"
    assert article.byline is None
    assert article.published.original == "2022-10-11T11:14:42+02:00"
    assert article.published.value == datetime(2022, 10, 11, 9, 14, 42, tzinfo=UTC)
    assert article.body.startswith("London (dpa) - 2019 gab es bittere Tränen in der Kurve")
    assert {"Fußball", "Champions League", "Hessen"} <= set(article.tags)
    assert "Notizblock" not in article.body


def test_newsml_1_afp(shared: Path):
    [article] = read(shared / AGENCY / "afp.xml")
    assert article.record == "urn:newsml:afp.com:20140829T135002Z:TX-PAR-FXW86:1"
    assert article.title == "Sweden court accepts receivership for Saab carmaker"
    assert article.source == "AFP"
    assert article.language == "en"
    assert article.published.value == datetime(2014, 8, 29, 13, 49, 51, tzinfo=UTC)
    assert article.tags == ("Sweden", "China", "auto", "business", "bankruptcy", "Saab")
    assert article.body.endswith("targeted the Chinese market with a line of electric cars.")


def test_newsml_1_declared_latin1_but_utf8(shared: Path):
    [article] = read(shared / AGENCY / "afp20.xml")
    assert article.title == (
        "Décès de Naomi Musenga: l'opératrice du Samu définitivement condamnée"
    )
    assert article.language == "fr"
    assert article.body.startswith("L'opératrice du Samu condamnée pour non-assistance")


def test_newsml_1_html_in_cdata_and_greek_topics(shared: Path):
    [article] = read(shared / AGENCY / "ana1.xml")
    assert article.title == "Wage employment balance positive in Jan-March"
    assert article.source == "ΑΠΕ-ΜΠΕ"
    assert article.tags == ("Employment/Unemployment", "Job Layoffs", "Economic Indicator")
    assert article.published.value == datetime(2018, 4, 4, 14, 58, 59, tzinfo=UTC)
    assert article.body.endswith("the balance was positive by 33,638 job positions.")


def test_plain_text_data_split_at_indented_lines(shared: Path):
    [article] = read(shared / AGENCY / "ansa-newsmlg2-text.xml")
    paragraphs = article.body.split("\n\n")
    assert len(paragraphs) == 4
    assert paragraphs[0].startswith("(ANSA) - Rome, October 11 - Italian Foreign Minister")
    assert paragraphs[1].startswith('"Unacceptable Catalan unilateral independence declaration,"')


def test_package_with_video_audio_and_picture_items(shared: Path):
    [article] = read(shared / AGENCY / "video.xml")
    assert article.record == "tag:reuters.com,2013:newsml_OVE933ZR5"
    assert article.title == "Cardinals arrive for pre-conclave meeting"
    assert article.body.startswith("(ROUGH CUT ONLY - NO REPORTER NARRATION)")


def test_picture_and_package_only_files_fail_clearly(shared: Path):
    with pytest.raises(ParseError, match=r"^NewsML item has no text content \(picture item\)$"):
        read(shared / AGENCY / "picture.xml")
    with pytest.raises(ParseError, match="package references 10 items but carries none"):
        read(shared / AGENCY / "snep.xml")


def test_twice_escaped_entities_are_resolved(shared: Path):
    [article] = read(shared / AGENCY / "stt_newsml_test.xml")
    assert article.language == "fi-FI"
    assert "continue to dispense with a notice until 4 o'clock." in article.body
    assert '"The will of the government is that' in article.body
    assert "&#39;" not in article.body and "&quot;" not in article.body


def test_bom_nitf_inside_and_byline_from_the_body(shared: Path):
    [article] = read(shared / AGENCY / "scoop.xml")
    assert article.title.startswith("Dick Smith receivers install Don Grover as acting CEO")
    assert article.byline == "Jonathan Underhill"
    assert article.body.startswith("Jan. 12 (BusinessDesk) - The receivers of Dick Smith")


def test_reuters_wire_text_poured_into_one_paragraph(shared: Path):
    [article] = read(shared / AGENCY / "tag_reuters.com,0000_newsml_L4N1FL0N0_1132689232")
    assert article.title == "PRECIOUS-Gold rises as Trump policy fuels safe haven demand"
    assert article.byline == "Arpan Varghese"
    paragraphs = article.body.split("\n\n")
    assert "* Investors eye U.S. Fed monetary policy meeting" in paragraphs
    assert paragraphs[4] == (
        "Jan 30 (Reuters) - Gold rose on Tuesday on increased safe haven demand as U.S. "
        "President Donald Trump's tough stance on immigration rattled global markets, with "
        "prices finding further support from a weaker dollar."
    )


def test_iptc_example_with_nitf(shared: Path):
    [article] = read(shared / G2 / "examples/LISTING_22_Sports_story_in_NewsML-G2NITF.xml")
    assert article.title == (
        "Preview: Arizona Diamondbacks (29-23) at Philadelphia Phillies (26-24), 7:05 p.m."
    )
    assert article.language == "en-US"
    assert article.body.startswith("(Sports Network) - A pair of teams coming off big weekend")
    assert {"Baseball", "Philadelphia Phillies"} <= set(article.tags)


def test_slugline_is_the_title_of_last_resort():
    data = (
        b'<newsItem guid="urn:x"><itemMeta><itemClass qcode="ninat:text"/></itemMeta>'
        b"<contentMeta><slugline>US-Finance-Fed</slugline></contentMeta></newsItem>"
    )
    [article] = newsml.parse(doc(data))
    assert (article.title, article.body, article.record) == ("US-Finance-Fed", "", "urn:x")


ITEM = (
    '<newsItem guid="urn:test:{n}"><itemMeta><itemClass qcode="ninat:{kind}"/></itemMeta>'
    "<contentMeta><headline>Headline number {n}</headline></contentMeta>"
    '<contentSet><inlineXML contenttype="application/xhtml+xml"><html><body>'
    "<p>Body of item {n}.</p></body></html></inlineXML></contentSet></newsItem>"
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["text", "picture", "video", "graphic"]), max_size=6))
def test_only_text_items_become_articles(kinds):
    items = "".join(ITEM.format(n=n, kind=kind) for n, kind in enumerate(kinds))
    data = f'<newsMessage xmlns="http://iptc.org/std/nar/2006-10-01/"><itemSet>{items}</itemSet></newsMessage>'
    texts = [n for n, kind in enumerate(kinds) if kind == "text"]
    try:
        articles = list(newsml.parse(doc(data.encode())))
    except ParseError as exc:
        assert not texts
        assert "no text content" in str(exc) or "holds no items" in str(exc)
        return
    assert [a.record for a in articles] == [f"urn:test:{n}" for n in texts]
    assert [a.body for a in articles] == [f"Body of item {n}." for n in texts]


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=500))
def test_arbitrary_bytes_give_articles_or_parse_error(data):
    for prefix in (b"<newsMessage>", b"<NewsML>"):
        try:
            results = list(newsml.parse(doc(prefix + data)))
        except ParseError:
            continue
        assert all(isinstance(r, Article | RecordFailure) for r in results)


# bylines: a person's name, never an editing system's login

DPA_ITEM = (
    '<newsItem guid="urn:newsml:dpa.com:20240508:1" xml:lang="de"><itemMeta>'
    '<itemClass qcode="ninat:text"/><provider qcode="nprov:dpa"/></itemMeta>'
    "<contentMeta><headline>Kabinett beschließt Windkraft-Gesetz</headline>{creators}"
    "</contentMeta><contentSet><inlineXML contenttype='application/xhtml+xml'><html><body>"
    "<p>Das Kabinett beschloss am Mittwoch einen Gesetzentwurf.</p></body></html>"
    "</inlineXML></contentSet></newsItem>"
)


@pytest.mark.parametrize(
    ("creators", "byline"),
    [
        ('<creator qcode="dpaeditor:load"/>', None),
        ('<creator qcode="dpaeditor:bock" role="crol:editor"/>', None),
        ('<creator uri="http://g2.dpa.com/editor/mueller.anna"/>', None),
        ('<creator qcode="dpaeditor:load"><name>load</name></creator>', None),
        ('<creator literal="degenhardt.sandra"/>', None),
        ('<creator qcode="dpaeditor:load"/><creator qcode="dpaeditor:bock"/>', None),
        (
            '<creator qcode="dpaeditor:reichardt"><name>Patrick Reichardt</name></creator>',
            "Patrick Reichardt",
        ),
        ('<creator qcode="dpaeditor:load"/><by>Von Anna Müller, dpa</by>', "Anna Müller, dpa"),
        ('<creator literal="Anna Müller"/>', "Anna Müller"),
        ("<by>dpa</by>", "dpa"),
    ],
)
def test_agency_codes_never_become_bylines(creators, byline):
    data = DPA_ITEM.format(creators=creators).encode()
    [article] = newsml.parse(doc(data))
    assert article.byline == byline
