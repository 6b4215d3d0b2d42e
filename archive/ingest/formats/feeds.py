"""RSS 0.9x/1.0/2.0, Atom and JSON Feed: each item of a feed is one article.

RSS and Atom are read with feedparser, JSON Feed (jsonfeed.org) with the ``json`` module.
The mapping, item by item:

=============================== ===================================================
feed                            Article
=============================== ===================================================
guid / atom:id / JSON ``id``    record key; else the link; else ``item-N`` (position)
title                           title (HTML titles reduced to text)
content:encoded / atom:content  body, HTML turned into paragraphs; else the summary
  / ``content_html``              (description / atom:summary / ``summary``)
author / dc:creator             byline (an Atom entry without one takes the feed's)
published, else updated         published (UTC; the feed's own words kept)
link                            url
category / atom:category        tags (the label when there is one, else the term)
feed title                      source
item or feed language           language
=============================== ===================================================

A feed is recognised by its root element (``<rss>``, ``<feed>`` in the Atom namespace,
``<rdf:RDF>`` of RSS 1.0), so an HTML page or an HTML fragment is never taken for one.
A malformed feed gives whatever items feedparser recovers from it; one that yields no
items at all is a ``ParseError``. An item with neither title nor text is a
``RecordFailure``.

Safety: feedparser is given the bytes in a file object, so it never opens a URL or a local
path; a document that declares XML entities is refused before parsing (no XXE, no
entity expansion); feedparser's own SAX parser has external entities switched off.
Item HTML is only ever reduced to text, never rendered, so feedparser's HTML sanitiser
(the slower half of its work) is switched off.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import feedparser

from archive.errors import ParseError
from archive.ingest.articles import SourceDoc, build_article
from archive.ingest.formats import jsonfeed
from archive.ingest.text.dates import from_datetime, parse_date
from archive.ingest.text.encoding import decode
from archive.ingest.text.paragraphs import html_to_line, html_to_text, looks_like_html
from archive.models import Article, PubDate, RecordFailure

log = logging.getLogger(__name__)

FORMAT = "feed"
MAX_FEED_BYTES = 50_000_000
MAX_ITEMS = 20_000
_PROLOG_BYTES = 65_536

_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
_ROOT = re.compile(
    rb"(?:\s|<\?.*?\?>|<!--.*?-->|<!DOCTYPE(?:[^\[>]|\[.*?\])*+>)*+<([A-Za-z_][\w.:-]*)([^>]*)>",
    re.DOTALL | re.IGNORECASE,
)
_ATOM_NAMESPACES = (b"http://www.w3.org/2005/Atom", b"http://purl.org/atom/ns#")
_RSS1_NAMESPACES = (b"http://purl.org/rss/1.0/", b"http://my.netscape.com/rdf/simple/0.9/")
_ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.IGNORECASE)
_DECLARED_ENCODING = re.compile(rb"""^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_XML_DECLARATION = re.compile(r"^<\?xml\b[^>]*\?>")
_HTML_TYPES = ("text/html", "application/xhtml+xml", "html", "xhtml")


def sniff(head: bytes, name: str) -> bool:
    """An RSS, Atom or RSS 1.0 root element, or a JSON Feed object."""
    return jsonfeed.is_json_feed(head) or _feed_root(head) is not None


def parse(doc: SourceDoc) -> Iterator[Article | RecordFailure]:
    """Every item of one feed, in feed order."""
    if len(doc.data) > MAX_FEED_BYTES:
        raise ParseError(f"feed is larger than {MAX_FEED_BYTES // 1_000_000} MB")
    feed: Mapping[str, Any]
    if jsonfeed.is_json_feed(doc.data[:4096]):
        feed, entries = jsonfeed.read(doc.data)
        inherit_author = True
    else:
        feed, entries, version = _read_xml(doc)
        inherit_author = version.startswith("atom")
    context = {
        "source": _text_field(feed, "title", line=True),
        "language": feed.get("language"),
        "author": _author(feed) if inherit_author else None,
        "link": _feed_base(feed),
    }
    for record, entry in _keyed(entries):
        yield _entry_article(doc, record, entry, context)


def _read_xml(doc: SourceDoc) -> tuple[Mapping[str, Any], list[Any], str]:
    """The feed's own fields, its entries and its version (``rss20``, ``atom10``, ...)."""
    head = _as_utf8(doc.data[:_PROLOG_BYTES])
    root = _ROOT.match(head)
    if _feed_root(head) is None or root is None:
        raise ParseError(f"not an RSS or Atom feed: {_describe_root(head)}")
    if _ENTITY_DECLARATION.search(head, 0, root.start(1)):
        raise ParseError("feed declares XML entities in its DOCTYPE; refused for safety")
    result = _feedparser(_as_utf8_document(doc.data))
    entries = list(result.get("entries") or [])
    if result.get("bozo"):
        problem = result.get("bozo_exception") or "unknown error"
        if not entries:
            raise ParseError(f"malformed feed with no readable items: {problem}")
        log.debug("%s: malformed feed, items recovered: %s", doc.path, problem)
    return result.get("feed") or {}, entries, str(result.get("version") or "")


def _as_utf8_document(data: bytes) -> bytes:
    """The document re-encoded as UTF-8 and declared so.

    ``decode`` reads the declared charset but also copes with what declarations get
    wrong (a stray cp1252 byte in UTF-8, a wrong label), which feedparser does not.
    """
    start = data.lstrip(b" \t\r\n").removeprefix(b"\xef\xbb\xbf")[:512]
    declared = _DECLARED_ENCODING.match(start)
    text = decode(data, declared[1].decode("ascii") if declared else None)
    text = _XML_DECLARATION.sub("", text.lstrip("\ufeff \t\r\n"), count=1)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + text.encode("utf-8")


def _feedparser(data: bytes) -> Mapping[str, Any]:
    """feedparser's result for ``data``; a file object, so nothing is ever fetched."""
    try:
        return feedparser.parse(io.BytesIO(data), sanitize_html=False, resolve_relative_uris=False)
    except Exception as exc:  # feedparser is a boundary: any failure of it is a parse error
        raise ParseError(f"feed could not be parsed: {exc}") from exc


def _keyed(entries: list[Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Each item with its record key: guid, else link, else position; repeats made unique."""
    seen: set[str] = set()
    for index, entry in enumerate(entries[:MAX_ITEMS], start=1):
        record = str(entry.get("id") or entry.get("link") or f"item-{index}").strip()
        if record in seen:
            record = f"{record}#{index}"
        seen.add(record)
        yield record, entry


def _entry_article(
    doc: SourceDoc, record: str, entry: Mapping[str, Any], context: Mapping[str, Any]
) -> Article | RecordFailure:
    """One feedparser entry as an article."""
    language = None
    for detail in [*(entry.get("content") or []), entry.get("summary_detail") or {}]:
        language = language or detail.get("language")
    try:
        return build_article(
            doc,
            fmt=FORMAT,
            title=_text_field(entry, "title", line=True),
            body=_body(entry),
            record=record,
            byline=_author(entry) or context["author"],
            source=context["source"],
            published=_published(entry),
            url=_url(entry.get("link"), context["link"]),
            language=language or context["language"],
            tags=_tags(entry.get("tags") or []),
        )
    except ParseError as exc:
        return RecordFailure(record, f"item has no title and no text ({exc})")


def _body(entry: Mapping[str, Any]) -> str:
    """The fullest text the item has: its content, else its summary.

    Some feeds carry a caption or a one-line teaser as content and the story as the
    summary, so the longer of the two wins.
    """
    texts = [_text(part.get("value", ""), part.get("type")) for part in entry.get("content") or []]
    texts.append(_text_field(entry, "summary") or "")
    return max(texts, key=len)


def _text_field(data: Mapping[str, Any], key: str, line: bool = False) -> str | None:
    """A feedparser text construct (``title``, ``summary``) as plain text."""
    value = data.get(key)
    if not value:
        return None
    detail = data.get(f"{key}_detail") or {}
    text = _text(str(value), detail.get("type"))
    return " ".join(text.split()) if line else text


def _text(value: str, content_type: str | None) -> str:
    if (content_type or "").lower() in _HTML_TYPES or looks_like_html(value):
        return html_to_text(value)
    return value


def _feed_base(feed: Mapping[str, Any]) -> str | None:
    """An absolute URL of the feed (its site link, its self link or its id) for relative links."""
    links = [link.get("href") for link in feed.get("links") or [] if link.get("rel") == "self"]
    for candidate in (feed.get("link"), *links, feed.get("id")):
        if isinstance(candidate, str) and candidate.startswith(("http://", "https://")):
            return candidate
    return None


def _url(link: str | None, base: str | None) -> str | None:
    """The item's link, made absolute against the feed's own link when it is relative."""
    if not link:
        return None
    return urljoin(base, link) if base and "://" not in link else link


def _author(data: Mapping[str, Any]) -> str | None:
    detail = data.get("author_detail") or {}
    name = detail.get("name") or data.get("author")
    return html_to_line(str(name)) if name else None


def _tags(tags: list[Mapping[str, Any]]) -> list[str]:
    """Category labels, else terms; scheme URIs used as terms are left out."""
    names = [str(tag.get("label") or tag.get("term") or "") for tag in tags]
    return [name for name in names if name.strip() and "://" not in name]


def _published(entry: Mapping[str, Any]) -> PubDate | None:
    """``published``, else ``updated``, else ``created``, keeping the feed's own words."""
    for key in ("published", "updated", "created"):
        text = entry.get(key)
        if not text:
            continue
        date = parse_date(str(text))
        parsed = entry.get(f"{key}_parsed")
        if date is None and parsed:
            date = _from_struct(parsed, str(text))
        if date is not None:
            return date
    return None


def _from_struct(parsed: Any, original: str) -> PubDate | None:
    """A date feedparser parsed (a UTC ``struct_time``) that ``parse_date`` could not."""
    try:
        year, month, day, hour, minute, second = parsed[:6]
        moment = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except (TypeError, ValueError, OverflowError):
        return None
    return from_datetime(moment, original)


def _as_utf8(head: bytes) -> bytes:
    """The head with any byte-order mark removed; UTF-16 re-encoded so patterns match."""
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return head[len(bom) :].decode(encoding, errors="ignore").encode("utf-8")
    return head


def _feed_root(head: bytes) -> bytes | None:
    """The root element's name when it is a feed's: ``rss``, Atom ``feed``, ``rdf:RDF``."""
    match = _ROOT.match(_as_utf8(head))
    if match is None:
        return None
    name = match[1].rsplit(b":", 1)[-1].lower()
    attributes = match[2]
    if name == b"rss":
        return match[1]
    if name == b"feed" and any(ns in attributes for ns in _ATOM_NAMESPACES):
        return match[1]
    if name == b"rdf" and any(ns in attributes for ns in _RSS1_NAMESPACES):
        return match[1]
    return None


def _describe_root(head: bytes) -> str:
    match = _ROOT.match(head)
    if match is None:
        return "no XML root element found"
    name = match[1].decode("ascii", errors="replace")
    if name.lower() in ("html", "body", "head", "div", "p", "img", "a", "span", "table"):
        return f"the document is HTML (root element <{name}>)"
    return f"root element <{name}> is not rss, an Atom feed or rdf:RDF"
