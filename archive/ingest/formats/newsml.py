"""NewsML: IPTC's news envelopes, NewsML-G2 and NewsML 1.x, one article per text item.

NewsML-G2 files hold a ``newsItem``, a ``packageItem`` or a ``newsMessage`` carrying
several items. Each text item becomes an article keyed by its ``guid``: headline (the
slugline only when there is nothing else), byline (``by``, else a ``creator``'s name, never
its code), the first of ``firstCreated``, ``contentCreated``, ``versionCreated`` and the
message's ``sent``, subjects and keywords as tags, the item's language and its provider as
source. An item marked as withheld, cancelled, embargoed or as a service message gets a
status tag as well (see ``archive.ingest.text.pubstatus``). The body comes from ``inlineXML``
(XHTML, or NITF read by ``archive.ingest.formats.nitf``) or ``inlineData`` (plain text or HTML).
Packages only reference items, so the items a message carries beside them are what is
read; pictures, videos and other non-text items are skipped. A source whose items are all
non-text fails with the reason (``picture item``).

NewsML 1.x (``NewsML/NewsItem/NewsComponent``) is read by ``archive.ingest.formats.newsml1``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lxml import etree

from archive.errors import ParseError
from archive.ingest.articles import SourceDoc, clean_line
from archive.ingest.formats import newsml1
from archive.ingest.formats.nitf import read_nitf
from archive.ingest.text.agency import (
    Outcome,
    Story,
    clean_byline,
    deliver,
    first_date,
    language_tag,
)
from archive.ingest.text.paragraphs import (
    element_paragraphs,
    html_paragraphs,
    markup_text,
    plain_paragraphs,
)
from archive.ingest.text.pubstatus import status_tags
from archive.ingest.text.xmlsafe import XML_LANG, parse_xml, root_name, strip_namespaces
from archive.models import Article, RecordFailure

FORMAT = "newsml"

_ITEMS = ("newsItem", "packageItem", "conceptItem", "knowledgeItem", "planningItem", "catalogItem")
#: roots of NewsML-G2 documents and of the fragments IPTC's own examples show
G2_ROOTS = frozenset({"newsMessage", *_ITEMS, "contentSet", "contentMeta", "groupSet"})
_NAME_ROLES_SKIPPED = ("nrol:mnemonic", "nrol:short")
#: content types that carry article text (SportsML, event data and the like do not)
_TEXTUAL_CONTENT = ("html", "nitf", "text/", "xhtml")
#: a creator given as a login or desk code (``degenhardt.sandra``, ``VRG``), not a name
_CODE_LIKE = re.compile(r"^(?:\S*[._@\d]\S*|[A-Z][A-Z-]{0,7})$")


def sniff(head: bytes, name: str) -> bool:
    """An XML document rooted in a NewsML-G2 item or message, or in NewsML 1.x."""
    root = root_name(head)
    return root is not None and (root in G2_ROOTS or root == "NewsML")


def parse(doc: SourceDoc) -> Iterator[Article | RecordFailure]:
    """Every text item in the document, as articles; see the module docstring."""
    root = strip_namespaces(parse_xml(doc.data))
    if root.tag == "NewsML":
        outcomes = newsml1.read(root)
    elif root.tag in G2_ROOTS:
        outcomes = read_g2(root)
    else:
        raise ParseError(f"not a NewsML document (root element <{root.tag}>)")
    yield from deliver(doc, FORMAT, outcomes, label="NewsML")


def read_g2(root: etree._Element) -> list[Outcome]:
    """The outcome of every item in a NewsML-G2 document, in document order."""
    sent = _text(root.find("header/sent")) or _text(root.find("Header/Sent"))
    if root.tag in ("contentSet", "contentMeta", "groupSet"):
        fragment = etree.Element("packageItem" if root.tag == "groupSet" else "newsItem")
        fragment.append(root)
        items = [fragment]
    elif root.tag == "newsMessage":
        items = [item for item in root.iter(*_ITEMS)]
    else:
        items = [root]
    outcomes: list[Outcome] = []
    for index, item in enumerate(items, start=1):
        record = item.get("guid") or f"item-{index}"
        outcomes.append(_item_outcome(item, record, sent, root.get(XML_LANG)))
    return outcomes


def _item_outcome(item: etree._Element, record: str, sent: str | None, lang: str | None) -> Outcome:
    if item.tag == "packageItem":
        count = len(item.findall(".//itemRef"))
        reason = f"NewsML package references {count} items but carries none of them"
        return Outcome(record, skipped="package", reason=reason)
    if item.tag != "newsItem":
        return Outcome(record, skipped=item.tag.removesuffix("Item"))
    kind = _item_class(item)
    if kind not in ("text", ""):
        return Outcome(record, skipped=kind)
    story = _story(item, sent, lang)
    if not story.has_text():
        return Outcome(record, reason="NewsML text item has no headline and no body text")
    return Outcome(record, story=story)


def _item_class(item: etree._Element) -> str:
    qcode = item.find("itemMeta/itemClass")
    value = qcode.get("qcode", "") if qcode is not None else ""
    return value.rsplit(":", 1)[-1].casefold()


def _story(item: etree._Element, sent: str | None, lang: str | None) -> Story:
    meta = item.find("itemMeta")
    content = item.find("contentMeta")
    story = Story(
        title=_headline(content) or _text(item.find("itemMeta/title")),
        byline=_byline(content),
        source=_concept_name(meta.find("provider")) if meta is not None else None,
        published=first_date(
            _text(item.find("itemMeta/firstCreated")),
            _text(item.find("contentMeta/contentCreated")),
            _text(item.find("itemMeta/versionCreated")),
            sent,
        ),
        language=language_tag(
            item.get(XML_LANG) or _attr(item.find("contentMeta/language"), "tag") or lang
        ),
        tags=_tags(content, item.get(XML_LANG) or lang) + _status(item),
        slug=_text(item.find("contentMeta/slugline")),
    )
    for content_set in item.iter("contentSet"):
        for rendition in content_set:
            inner = _rendition_story(rendition)
            if inner is not None and inner.paragraphs:
                story.fill_from(inner)
                return story
            if inner is not None:
                story.fill_from(inner)
    return story


def _rendition_story(rendition: etree._Element) -> Story | None:
    """What one ``inlineXML`` or ``inlineData`` element carries."""
    kind = (rendition.get("contenttype") or "").casefold()
    if kind and not any(textual in kind for textual in _TEXTUAL_CONTENT):
        return None
    if rendition.tag == "inlineXML":
        nested = next((child for child in rendition if isinstance(child.tag, str)), None)
        if nested is None:
            return None
        if nested.tag == "nitf":
            return read_nitf(nested)
        body = nested.find("body") if nested.tag == "html" else None
        return Story(paragraphs=element_paragraphs(body if body is not None else rendition))
    if rendition.tag == "inlineData":
        data = rendition.text or ""
        if "nitf" in kind or data.lstrip().startswith("<nitf"):
            return read_nitf(strip_namespaces(parse_xml(data.encode("utf-8"))))
        if "plain" in kind or "<" not in data:
            return Story(paragraphs=plain_paragraphs(markup_text(data)))
        return Story(paragraphs=html_paragraphs(data))
    return None


def _headline(content: etree._Element | None) -> str | None:
    if content is None:
        return None
    headlines = content.findall("headline")
    for headline in headlines:
        if headline.get("role") in (None, "hld:main", "main") and (text := _text(headline)):
            return text
    return next((text for h in headlines if (text := _text(h))), None)


def _byline(content: etree._Element | None) -> str | None:
    """The writer's name from ``by``, else from a ``creator``'s ``name`` or ``literal``.

    A creator's ``qcode`` or ``uri`` is never a byline: agencies put logins of their editing
    systems there (``dpaeditor:load``); so is a name or literal shaped like a code.
    """
    if content is None:
        return None
    for by in content.findall("by"):
        if name := clean_byline(_text(by)):
            return name
    for creator in content.findall("creator"):
        name = _preferred_name(creator, None) or clean_line(creator.get("literal"))
        if name and not _CODE_LIKE.match(name) and (byline := clean_byline(name)):
            return byline
    return None


def _status(item: etree._Element) -> list[str]:
    """The item's status tags (``pubstatus``): withheld, embargoed, a service message."""
    meta = item.find("itemMeta")
    if meta is None:
        return []
    kinds = [_attr(meta.find("itemClass"), "qcode"), _text(meta.find("profile"))]
    for genre in item.iterfind("contentMeta/genre"):
        kinds.extend([genre.get("qcode"), _preferred_name(genre, None)])
    return status_tags(
        status=_attr(meta.find("pubStatus"), "qcode"),
        signals=[s.get("qcode") or s.get("literal") or "" for s in meta.findall("signal")],
        notes=[_text(n) or "" for n in meta.findall("edNote") if _is_directive(n)],
        kinds=[kind for kind in kinds if kind],
        embargoed=bool(_text(meta.find("embargoed"))),
    )


def _is_directive(note: etree._Element) -> bool:
    """An ``edNote`` of plain text about the item (not a notepad, not a private section)."""
    return not len(note) and note.get("pubconstraint") is None


def _tags(content: etree._Element | None, lang: str | None) -> list[str]:
    if content is None:
        return []
    tags: list[str] = []
    for subject in content.findall("subject"):
        if subject.get("type") != "cpnat:poi" and (name := _preferred_name(subject, lang)):
            tags.append(name)
    tags.extend(text for keyword in content.findall("keyword") if (text := _text(keyword)))
    return tags


def _preferred_name(concept: etree._Element, lang: str | None) -> str | None:
    """A concept's ``name`` in the item's language if it has one, else its first name."""
    names = [n for n in concept.findall("name") if n.get("role") not in _NAME_ROLES_SKIPPED]
    primary = (lang or "").split("-")[0].casefold()
    for name in names:
        if (name.get(XML_LANG) or "").split("-")[0].casefold() == primary and (text := _text(name)):
            return text
    return next((text for name in names if (text := _text(name))), None)


def _concept_name(element: etree._Element | None) -> str | None:
    """A party's name: its ``name`` child, its ``literal``, else the code of its ``qcode``."""
    if element is None:
        return None
    if name := _preferred_name(element, None):
        return name
    if literal := clean_line(element.get("literal")):
        return literal
    qcode = element.get("qcode") or ""
    return clean_line(qcode.rsplit(":", 1)[-1]) if qcode else None


def _attr(element: etree._Element | None, name: str) -> str | None:
    return element.get(name) if element is not None else None


def _text(element: etree._Element | None) -> str | None:
    if element is None:
        return None
    return clean_line("".join(element.itertext()))
