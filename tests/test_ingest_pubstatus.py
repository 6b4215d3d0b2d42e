"""Agency items that are not stories to publish: the status tags every agency format gives.

The NewsML-G2, NewsML 1.x, NITF and wire items below are written by hand in the shapes
agencies send (dpa's editing-system creators and notepads, withheld and cancelled items,
advisories), since no such items of a real feed may be kept in the repository.
"""

from __future__ import annotations

import pytest

from archive.ingest.articles import SourceDoc, content_hash
from archive.ingest.formats import newsml, nitf, wire
from archive.ingest.text.pubstatus import (
    EMBARGOED,
    NOT_FOR_PUBLICATION,
    SERVICE_MESSAGE,
    STATUS_TAGS,
    status_tags,
)
from archive.models import Article

BODY = (
    "Die Bundesregierung will den Ausbau der Windkraft an Land beschleunigen. Das Kabinett "
    "beschloss am Mittwoch in Berlin einen entsprechenden Gesetzentwurf."
)


def g2_item(
    item_meta: str = "", content_meta: str = "", guid: str = "urn:newsml:dpa.com:1"
) -> bytes:
    """A dpa-style NewsML-G2 text item in a news message."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<newsMessage xmlns="http://iptc.org/std/nar/2006-10-01/">
  <header><sent>2024-05-08T10:15:00+02:00</sent></header>
  <itemSet>
    <newsItem guid="{guid}" version="3" standard="NewsML-G2" standardversion="2.28"
              xml:lang="de">
      <itemMeta>
        <itemClass qcode="ninat:text"/>
        <provider qcode="nprov:dpa"><name>dpa</name></provider>
        <versionCreated>2024-05-08T10:14:00+02:00</versionCreated>
        <firstCreated>2024-05-08T09:58:00+02:00</firstCreated>
        {item_meta}
      </itemMeta>
      <contentMeta>
        <language tag="de"/>
        <headline>Kabinett beschließt schnelleren Ausbau der Windkraft</headline>
        {content_meta}
      </contentMeta>
      <contentSet>
        <inlineXML contenttype="application/xhtml+xml">
          <html xmlns="http://www.w3.org/1999/xhtml"><body><section class="main">
            <p>{BODY}</p>
          </section></body></html>
        </inlineXML>
      </contentSet>
    </newsItem>
  </itemSet>
</newsMessage>""".encode()


def one(module, data: bytes, path: str = "/feed/item.xml") -> Article:
    [article] = [a for a in module.parse(SourceDoc(path, data, content_hash(data)))]
    assert isinstance(article, Article)
    return article


def statuses(article: Article) -> list[str]:
    return [tag for tag in article.tags if tag in STATUS_TAGS]


# the rules


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"status": "stat:usable"}, []),
        ({"status": "stat:withheld"}, [NOT_FOR_PUBLICATION]),
        ({"status": "stat:canceled"}, [NOT_FOR_PUBLICATION]),
        ({"status": "Withheld"}, [NOT_FOR_PUBLICATION]),
        ({"status": "Embargoed"}, [EMBARGOED]),
        ({"signals": ["sig:update", "sig:correction"]}, []),
        ({"signals": ["sig:kill"]}, [NOT_FOR_PUBLICATION]),
        ({"notes": ["Nicht zur Veröffentlichung"]}, [NOT_FOR_PUBLICATION]),
        (
            {"notes": ["Achtung Redaktionen: nicht zur Veröffentlichung bestimmt."]},
            [NOT_FOR_PUBLICATION],
        ),
        ({"notes": ["NOT FOR PUBLICATION - for your information only"]}, [NOT_FOR_PUBLICATION]),
        ({"notes": ["Die folgenden Informationen sind nicht zur Veröffentlichung bestimmt"]}, []),
        ({"notes": ["The following information is not for publication: contacts"]}, []),
        ({"notes": ["Zu diesem Text finden Sie folgende Bilder im dpa Bildangebot"]}, []),
        ({"notes": ["With pictures. Correction: updates death toll in paragraph 2."]}, []),
        ({"kinds": ["dpatextgenre:27", "Achtung"]}, [SERVICE_MESSAGE]),
        ({"kinds": ["genre:Advisory"]}, [SERVICE_MESSAGE]),
        ({"kinds": ["BC-Budget-Weekend"]}, [SERVICE_MESSAGE]),
        ({"kinds": ["ninat:text", "dpatextgenre:1", "Meldung"]}, []),
        ({"kinds": ["Testimony"]}, []),
        ({"embargoed": True, "status": "stat:withheld"}, [NOT_FOR_PUBLICATION, EMBARGOED]),
    ],
)
def test_status_tags(kwargs, expected):
    assert status_tags(**kwargs) == expected


def test_a_long_note_is_a_briefing_not_a_directive():
    note = "Hintergrund für die Redaktionen. " * 12 + "Nicht zur Veröffentlichung."
    assert status_tags(notes=[note]) == []


# NewsML-G2


def test_ordinary_item_has_no_status_tag():
    article = one(newsml, g2_item('<pubStatus qcode="stat:usable"/><signal qcode="sig:update"/>'))
    assert statuses(article) == [] and article.body == BODY


@pytest.mark.parametrize("status", ["stat:withheld", "stat:canceled"])
def test_withheld_and_cancelled_items_are_kept_and_marked(status):
    article = one(newsml, g2_item(f'<pubStatus qcode="{status}"/>'))
    assert statuses(article) == [NOT_FOR_PUBLICATION]
    assert article.body == BODY


def test_editorial_note_forbidding_publication():
    meta = '<edNote role="dpaednoterole:editorialnote">Nicht zur Veröffentlichung</edNote>'
    assert statuses(one(newsml, g2_item(meta))) == [NOT_FOR_PUBLICATION]


def test_dpa_notepad_with_a_private_section_does_not_mark_the_item():
    notepad = """
        <edNote role="dpaednoterole:notepad">
          <section xmlns="http://www.w3.org/1999/xhtml" class="notepad">
            <section class="np-public"><h4>Redaktionelle Hinweise</h4>
              <ul><li>Zu diesem Text finden Sie Bilder im dpa Bildangebot</li></ul></section>
            <section class="np-nonpublic">
              <p class="np-constraint">Die folgenden Informationen sind nicht zur
                 Veröffentlichung bestimmt</p>
              <ul><li>Redaktion: Hans Muster (Berlin), 030 1234567</li></ul>
            </section>
          </section>
        </edNote>
        <edNote pubconstraint="dpapconstraint:nonpublic" role="dpaednoterole:dpacontacts"
          >Nicht zur Veröffentlichung: Autor Hans Muster, muster.hans@dpa.com</edNote>
        <edNote role="dpaednoterole:closingline">dpa hm yyzz n1 lod</edNote>"""
    assert statuses(one(newsml, g2_item(notepad))) == []


def test_advisory_genre_is_a_service_message():
    genre = '<genre qcode="dpatextgenre:27"><name xml:lang="de">Achtung</name></genre>'
    article = one(newsml, g2_item(content_meta=genre))
    assert statuses(article) == [SERVICE_MESSAGE]


def test_embargo_with_a_time_marks_the_item_and_an_empty_one_does_not():
    timed = one(newsml, g2_item("<embargoed>2024-05-08T12:00:00+02:00</embargoed>"))
    empty = one(newsml, g2_item("<embargoed></embargoed>"))
    assert statuses(timed) == [EMBARGOED] and statuses(empty) == []


# NewsML 1.x, NITF, wire text


def test_newsml_1_withheld_status():
    data = f"""<NewsML><NewsEnvelope><DateAndTime>20240508T101500+0200</DateAndTime>
      </NewsEnvelope><NewsItem>
      <Identification><NewsIdentifier><PublicIdentifier>urn:newsml:x:1</PublicIdentifier>
      </NewsIdentifier></Identification>
      <NewsManagement><NewsItemType FormalName="News"/>
        <FirstCreated>20240508T095800+0200</FirstCreated><Status FormalName="Withheld"/>
      </NewsManagement>
      <NewsComponent><NewsLines><HeadLine>Windkraft</HeadLine></NewsLines>
        <ContentItem><MediaType FormalName="Text"/><DataContent><p>{BODY}</p></DataContent>
        </ContentItem></NewsComponent></NewsItem></NewsML>""".encode()
    assert statuses(one(newsml, data)) == [NOT_FOR_PUBLICATION]


def test_nitf_management_status_and_advisory_type():
    data = f"""<nitf><head><title>Windkraft</title>
      <tobject tobject.type="advisory"/>
      <docdata management-status="withheld"><doc-id id-string="a1"/></docdata></head>
      <body><body.head><hedline><hl1>Windkraft</hl1></hedline></body.head>
      <body.content><p>{BODY}</p></body.content></body></nitf>""".encode()
    assert statuses(one(nitf, data)) == [NOT_FOR_PUBLICATION, SERVICE_MESSAGE]


def test_iptc7901_advisory_keyword_line():
    data = (
        "\x01eca0001 4 i 10  dpa 0001\r\n\r\nAchtung/Redaktionen/\r\n\x02Hinweis =\r\n\r\n"
        f"   {BODY}\r\n\r\n\x03131137 GMT Nov 13\r\n\x04"
    ).encode()
    assert statuses(one(wire, data, "/feed/wire.txt")) == [SERVICE_MESSAGE]
