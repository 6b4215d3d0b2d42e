"""NewsML 1.x, the envelope agencies such as AFP and ANA-MPE still send.

A ``NewsML`` document holds ``NewsItem`` elements; each has an ``Identification``
(its ``PublicIdentifier`` is the record key), ``NewsManagement`` (``FirstCreated``,
``ThisRevisionCreated``) and a tree of ``NewsComponent`` elements with ``NewsLines``
(headline, byline, credit), metadata (provider, language, keywords, topics) and
``ContentItem`` elements whose ``DataContent`` holds the text: NITF, XHTML-like markup,
or HTML inside CDATA. Items whose content items are all pictures, video or audio are
skipped. A ``Status`` of withheld, cancelled or embargoed, a kill ``Instruction`` or an
advisory ``NewsItemType`` or ``Genre`` gives a status tag (``archive.ingest.text.pubstatus``).
Used by ``archive.ingest.formats.newsml``.
"""

from __future__ import annotations

from lxml import etree

from archive.ingest.articles import clean_line
from archive.ingest.formats.nitf import read_nitf
from archive.ingest.text.agency import Outcome, Story, clean_byline, first_date, language_tag
from archive.ingest.text.paragraphs import element_paragraphs, html_paragraphs, plain_paragraphs
from archive.ingest.text.pubstatus import status_tags
from archive.ingest.text.xmlsafe import XML_LANG

_TEXT_TYPES = ("text", "")


def read(root: etree._Element) -> list[Outcome]:
    """The outcome of every ``NewsItem`` in a namespace-stripped ``NewsML`` element."""
    sent = _text(root.find("NewsEnvelope/DateAndTime"))
    outcomes: list[Outcome] = []
    for index, item in enumerate(root.iter("NewsItem"), start=1):
        record = _record(item) or f"item-{index}"
        outcomes.append(_outcome(item, record, sent))
    return outcomes


def _outcome(item: etree._Element, record: str, sent: str | None) -> Outcome:
    contents = list(item.iter("ContentItem"))
    texts = [c for c in contents if _media_type(c) in _TEXT_TYPES]
    if contents and not texts:
        return Outcome(record, skipped=f"{_media_type(contents[0]) or 'unknown'} item")
    story = _story(item, sent)
    for content in texts:
        inner = _content_story(content)
        if inner.paragraphs:
            story.fill_from(inner)
            break
        story.fill_from(inner)
    if not story.has_text():
        return Outcome(record, reason="NewsML item has no headline and no body text")
    return Outcome(record, story=story)


def _story(item: etree._Element, sent: str | None) -> Story:
    lines = _news_lines(item)
    language = language_tag(
        _attr(item.find(".//DescriptiveMetadata/Language"), "FormalName")
        or item.get(XML_LANG)
        or _attr(lines.find("HeadLine") if lines is not None else None, XML_LANG)
    )
    return Story(
        title=_text(lines.find("HeadLine")) if lines is not None else None,
        byline=clean_byline(_text(lines.find("ByLine"))) if lines is not None else None,
        source=_source(item, lines),
        published=first_date(
            _text(item.find("NewsManagement/FirstCreated")),
            _text(item.find("NewsManagement/ThisRevisionCreated")),
            _text(item.find(".//DescriptiveMetadata/DateLineDate")),
            sent,
        ),
        language=language,
        tags=_tags(item, language) + _status(item),
        slug=_text(lines.find("SlugLine")) if lines is not None else None,
    )


def _status(item: etree._Element) -> list[str]:
    """Status tags (``pubstatus``): ``Status``, ``Instruction``, the item's type and genre."""
    management = item.find("NewsManagement")
    if management is None:
        return []
    kinds = [_attr(management.find("NewsItemType"), "FormalName")]
    kinds.extend(g.get("FormalName") for g in item.iterfind(".//DescriptiveMetadata/Genre"))
    return status_tags(
        status=_attr(management.find("Status"), "FormalName"),
        signals=[i.get("FormalName") or "" for i in management.findall("Instruction")],
        kinds=[kind for kind in kinds if kind],
    )


def _news_lines(item: etree._Element) -> etree._Element | None:
    """The ``NewsLines`` nearest the top that carry a headline."""
    candidates = list(item.iter("NewsLines"))
    with_headline = [c for c in candidates if _text(c.find("HeadLine"))]
    return (with_headline or candidates or [None])[0]


def _source(item: etree._Element, lines: etree._Element | None) -> str | None:
    for candidate in (
        _attr(item.find(".//AdministrativeMetadata/Provider/Party"), "FormalName"),
        _attr(item.find(".//AdministrativeMetadata/Source/Party"), "FormalName"),
        _text(lines.find("CreditLine")) if lines is not None else None,
        _text(item.find("Identification/NewsIdentifier/ProviderId")),
    ):
        if candidate and (value := clean_line(candidate)):
            return value
    return None


def _tags(item: etree._Element, language: str | None) -> list[str]:
    tags = [
        value
        for prop in item.iter("Property")
        if prop.get("FormalName") == "Keyword" and (value := clean_line(prop.get("Value")))
    ]
    primary = (language or "en").split("-")[0]
    for topic in item.iter("Topic"):
        names = [d for d in topic.findall("Description") if d.get("Variant") == "Name"]
        preferred = [d for d in names if (d.get(XML_LANG) or "").casefold() == primary]
        chosen = (preferred or names)[:1]
        tags.extend(text for d in chosen if (text := _text(d)))
    return tags


def _content_story(content: etree._Element) -> Story:
    data = content.find("DataContent")
    if data is None:
        return Story()
    children = [child for child in data if isinstance(child.tag, str)]
    nitf = next((c for c in children if c.tag == "nitf"), None)
    if nitf is not None:
        return read_nitf(nitf)
    if children:
        return Story(paragraphs=element_paragraphs(data))
    text = data.text or ""
    if "<" in text:
        return Story(paragraphs=html_paragraphs(text))
    return Story(paragraphs=plain_paragraphs(text))


def _media_type(content: etree._Element) -> str:
    return (_attr(content.find("MediaType"), "FormalName") or "").casefold()


def _record(item: etree._Element) -> str | None:
    ident = item.find("Identification/NewsIdentifier")
    if ident is None:
        return None
    public = _text(ident.find("PublicIdentifier"))
    if public:
        return public
    parts = [_text(ident.find(name)) for name in ("ProviderId", "DateId", "NewsItemId")]
    return ":".join(p for p in parts if p) or None


def _attr(element: etree._Element | None, name: str) -> str | None:
    return element.get(name) if element is not None else None


def _text(element: etree._Element | None) -> str | None:
    if element is None:
        return None
    return clean_line("".join(element.itertext()))
