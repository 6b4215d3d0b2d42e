"""NITF (News Industry Text Format): one agency story per XML document.

Read here: the ``doc-id`` (the record key), the headline (``hedline/hl1``, else
``head/title``), the byline (its
``person`` names, else its text without the ``byttl`` job title), the body paragraphs of
``body.content`` and ``body.end`` (subheads, lists and table rows included, embedded
media left out), the publication date (``pubdata``, then ``date.release``,
``date.issue``, the dateline's ``story.date``), keywords and named subjects as tags,
the copyright holder or distributing agency as source, and the language (``baselang``
or ``xml:lang``).

``read_nitf`` is also used by the NewsML parser for NITF carried inside NewsML.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lxml import etree

from archive.errors import ParseError
from archive.ingest.articles import SourceDoc, clean_line
from archive.ingest.text.agency import Story, clean_byline, first_date, language_tag
from archive.ingest.text.paragraphs import element_paragraphs
from archive.ingest.text.pubstatus import status_tags
from archive.ingest.text.xmlsafe import XML_LANG, parse_xml, root_name, strip_namespaces
from archive.models import Article, RecordFailure

FORMAT = "nitf"

_RIGHTS_NOISE = re.compile(r"[.,;]?\s*all rights reserved\.?\s*$", re.IGNORECASE)
_SUBJECT_NAMES = ("tobject.subject.type", "tobject.subject.matter", "tobject.subject.detail")


def sniff(head: bytes, name: str) -> bool:
    """An XML document whose root element is ``nitf``."""
    return root_name(head) == "nitf"


def parse(doc: SourceDoc) -> Iterator[Article | RecordFailure]:
    """Parse one NITF document into one article."""
    root = strip_namespaces(parse_xml(doc.data))
    if root.tag != "nitf":
        raise ParseError(f"not an NITF document (root element <{root.tag}>)")
    story = read_nitf(root)
    if not story.has_text():
        raise ParseError("NITF document has no headline and no body text")
    yield story.article(doc, FORMAT, _attr(root, "head/docdata/doc-id", "id-string") or "")


def read_nitf(root: etree._Element) -> Story:
    """The story in an ``nitf`` element whose namespaces have been stripped."""
    body_head = root.find("body/body.head")
    return Story(
        title=_headline(root),
        paragraphs=_paragraphs(root),
        byline=_byline(body_head) if body_head is not None else None,
        source=_source(root),
        published=first_date(
            _attr(root, "head/pubdata", "date.publication"),
            _attr(root, "head/docdata/date.release", "norm"),
            _attr(root, "head/docdata/date.issue", "norm"),
            _attr(root, "body/body.head/dateline/story.date", "norm"),
            _text(root.find("body/body.head/dateline/story.date")),
        ),
        language=language_tag(
            root.get("baselang") or root.get(XML_LANG) or _attr(root, "body", XML_LANG)
        ),
        tags=_tags(root) + _status(root),
        url=_attr(root, "head/pubdata", "ex-ref"),
    )


def _status(root: etree._Element) -> list[str]:
    """Status tags (``pubstatus``) from ``management-status``, ``ed-msg`` and the type."""
    docdata = root.find("head/docdata")
    status = docdata.get("management-status") if docdata is not None else None
    notes = [m.get("info") or _text(m) or "" for m in root.iterfind("head/docdata/ed-msg")]
    kinds = [_attr(root, "head/tobject", "tobject.type")]
    kinds.extend(
        p.get("tobject.property.type") for p in root.iterfind("head/tobject/tobject.property")
    )
    return status_tags(
        status=status,
        notes=notes,
        kinds=[kind for kind in kinds if kind],
        embargoed=status is not None and status.casefold() == "embargoed",
    )


def _headline(root: etree._Element) -> str | None:
    for path in (
        "body/body.head/hedline/hl1",
        "body/body.head/headline/hl1",
        "head/title",
        "body/body.head/hedline/hl2",
    ):
        for element in root.findall(path):
            if text := _text(element):
                return text
    return None


def _paragraphs(root: etree._Element) -> list[str]:
    paragraphs: list[str] = []
    for path in ("body/body.content", "body/body.end"):
        for element in root.findall(path):
            paragraphs.extend(element_paragraphs(element))
    return paragraphs


def _byline(body_head: etree._Element) -> str | None:
    for byline in body_head.findall("byline"):
        persons = [t for p in byline.iter("person") if (t := _text(p))]
        if persons:
            return clean_byline(" and ".join(persons))
        parts = [byline.text or ""]
        for child in byline:
            if child.tag != "byttl":
                parts.append("".join(child.itertext()))
            parts.append(child.tail or "")
        if name := clean_byline(" ".join(parts)):
            return name
        if title := clean_byline(_text(byline.find("byttl"))):
            return title
    return None


def _source(root: etree._Element) -> str | None:
    candidates = [
        _attr(root, "head/docdata/doc.copyright", "holder"),
        _text(root.find("body/body.head/rights/rights.owner")),
        _text(root.find("body/body.head/distributor")),
        _attr(root, "head/docdata/doc-id", "regsrc"),
        _attr(root, "head/docdata/del-list/from-src", "src-name"),
    ]
    for candidate in candidates:
        if candidate and (source := clean_line(_RIGHTS_NOISE.sub("", candidate))):
            return source
    return None


def _tags(root: etree._Element) -> list[str]:
    tags: list[str] = []
    for keyword in root.iterfind("head/docdata/key-list/keyword"):
        if value := keyword.get("key") or _text(keyword):
            tags.append(value)
    for subject in root.iterfind("head/tobject/tobject.subject"):
        tags.extend(value for attr in _SUBJECT_NAMES if (value := subject.get(attr)))
    return tags


def _attr(root: etree._Element, path: str, name: str) -> str | None:
    element = root.find(path)
    return element.get(name) if element is not None else None


def _text(element: etree._Element | None) -> str | None:
    if element is None:
        return None
    return clean_line("".join(element.itertext()))
