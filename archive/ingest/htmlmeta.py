"""What a news page says about itself: headline, date, author, address, language, publisher.

Read in a fixed order, most deliberate first: the page's JSON-LD ``NewsArticle`` (or
another schema.org article type, see ``jsonld``), then its meta and OpenGraph tags, then
the ``<title>`` and first ``<h1>``. The first non-empty answer for each field wins.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

from lxml.etree import XPath
from lxml.html import HtmlElement

from archive.ingest.bylines import is_code
from archive.ingest.extract import invisible_removed
from archive.ingest.jsonld import article_object

# meta tag names (name, property, itemprop or http-equiv, lower case) for each field, best first
_TITLE_KEYS = ["og:title", "twitter:title", "dc.title", "title", "headline", "sailthru.title"]
_DATE_KEYS = [
    "article:published_time",
    "og:published_time",
    "article.published",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "date",
    "dc.date.issued",
    "dc.date",
    "dcterms.created",
    "parsely-pub-date",
    "sailthru.date",
]
_AUTHOR_KEYS = [
    "author",
    "article:author",
    "byl",
    "dc.creator",
    "parsely-author",
    "sailthru.author",
]
_DESCRIPTION_KEYS = ["description", "og:description", "twitter:description", "dc.description"]
_SOURCE_KEYS = ["og:site_name", "application-name", "publisher", "dc.publisher"]
_TAG_KEYS = ["news_keywords", "keywords", "article:tag", "article:section"]
_LANGUAGE_KEYS = ["content-language", "dc.language", "language", "og:locale"]
_LANGUAGE = re.compile(r"^([a-z]{2,3})(?:[-_][a-z0-9]{2,8})*$", re.IGNORECASE)
_MACHINE_TOKEN = re.compile(r"^[@#]|^\S*_\S*$|^\S+:\S+$")
_BY = re.compile(r"^(?:by|von|par|por|door|av|di)\s+", re.IGNORECASE)
#: elements marked as the article's author or byline (the marks Readability.js reads too)
_BYLINE_XPATH = XPath(
    "//*[@rel='author' or contains(@itemprop, 'author')"
    " or contains(@class, 'byline') or contains(@class, 'author')][not(self::meta)]"
)
_MAX_BYLINE_CHARS = 80
_TITLE_SEPARATORS = re.compile(r"\s+[|\-–—:·»]\s+")
MAX_TAGS = 20


@dataclass
class PageMeta:
    """The metadata of one page; ``None`` where the page says nothing."""

    title: str | None = None
    published: str | None = None
    author: str | None = None
    body: str | None = None
    description: str | None = None
    url: str | None = None
    source: str | None = None
    language: str | None = None
    tags: list[str] = field(default_factory=list)
    #: every form of the headline the page shows (to recognise it atop the body)
    headlines: list[str] = field(default_factory=list)


def read_meta(tree: HtmlElement) -> PageMeta:
    """Everything the page says about its article, each field from its best source."""
    ld = article_object(tree)
    tags = _tags(tree)
    meta = _meta_tags(tree)
    source = _first(_name(ld.get("publisher")), *(meta.get(k) for k in _SOURCE_KEYS))
    title = _first(_string(ld.get("headline")), *(meta.get(k) for k in _TITLE_KEYS))
    return PageMeta(
        title=_without_site(title, source) if title else _title_element(tree, source),
        published=_first(_string(ld.get("datePublished")), *(meta.get(k) for k in _DATE_KEYS))
        or _first(_itemprop(tree, "datePublished"), _string(ld.get("dateCreated"))),
        author=_first(_authors(ld.get("author")), *(_author(meta.get(k)) for k in _AUTHOR_KEYS))
        or _first(_page_byline(tree)),
        body=_string(ld.get("articleBody")),
        description=_first(
            _string(ld.get("description")), *(meta.get(k) for k in _DESCRIPTION_KEYS)
        ),
        url=_first(_link(tree, "canonical"), meta.get("og:url"), _string(ld.get("url"))),
        source=source,
        language=_language(
            _first(
                _string(ld.get("inLanguage")),
                _html_lang(tree),
                *(meta.get(k) for k in _LANGUAGE_KEYS),
            )
        ),
        tags=_keywords(ld.get("keywords")) or tags,
        headlines=_headlines(tree, ld, meta),
    )


def _headlines(tree: HtmlElement, ld: dict[str, Any], meta: dict[str, str]) -> list[str]:
    candidates = [_string(ld.get("headline")), *(meta.get(k) for k in _TITLE_KEYS)]
    candidates.extend(_element_text(tree, name) for name in ("title", "h1"))
    return list(dict.fromkeys(c for c in candidates if c))


def _element_text(tree: HtmlElement, name: str) -> str | None:
    """The text of the page's first ``name`` element, whitespace collapsed."""
    element = next(tree.iter(name), None)
    return " ".join(element.text_content().split()) or None if element is not None else None


def _first(*values: str | None) -> str | None:
    """The first value with text, whitespace collapsed and leftover entities resolved.

    Pages often escape twice (``&amp;#8216;``), so one more unescape is needed.
    """
    for value in values:
        if value and value.strip():
            return " ".join(invisible_removed(html.unescape(value)).split())
    return None


def _string(value: Any) -> str | None:
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str | int | float)), None)
    if isinstance(value, dict):
        value = value.get("@value") or value.get("name")
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return str(value).strip() or None
    return None


def _name(value: Any) -> str | None:
    return _string(value.get("name") if isinstance(value, dict) else value)


def _authors(value: Any) -> str | None:
    """A JSON-LD author: a string, a Person or Organization, or a list of them."""
    values = value if isinstance(value, list) else [value]
    names = [_author(_name(v)) for v in values]
    unique = list(dict.fromkeys(n for n in names if n))
    return ", ".join(unique) or None


def _author(value: str | None) -> str | None:
    """An author's name; profile addresses, handles and logins are not names."""
    if not value:
        return None
    name = _BY.sub("", " ".join(value.split()))
    return None if is_code(name) else name


def _page_byline(tree: HtmlElement) -> str | None:
    """The first byline the page shows: an element marked as its author or byline.

    Only a short text with no digits counts (a name, not "By X, 3 hours ago" or a bio).
    """
    for element in _BYLINE_XPATH(tree):
        text = " ".join(element.text_content().split())
        if len(text) > _MAX_BYLINE_CHARS or any(c.isdigit() for c in text):
            continue
        if name := _author(text.strip(" ,;|-–—")):
            return name
    return None


def _meta_tags(tree: HtmlElement) -> dict[str, str]:
    """``<meta>`` values by lower-cased name, property, itemprop or http-equiv; first wins."""
    found: dict[str, str] = {}
    for tag in tree.iter("meta"):
        content = tag.get("content")
        if not isinstance(content, str) or not content.strip():
            continue
        for attr in ("property", "name", "itemprop", "http-equiv"):
            key = tag.get(attr)
            if isinstance(key, str) and key.strip():
                found.setdefault(key.strip().lower(), content.strip())
    return found


def _tags(tree: HtmlElement) -> list[str]:
    metas = list(tree.iter("meta"))
    for key in _TAG_KEYS:
        values = [t.get("content") for t in metas if t.get("name") == key] + [
            t.get("content") for t in metas if t.get("property") == key
        ]
        tags = [part for v in values if isinstance(v, str) for part in _keywords(v)]
        if tags:
            return tags[:MAX_TAGS]
    return []


def _keywords(value: Any) -> list[str]:
    """Keywords as tags; machine tokens (``@post-id:1``, ``ctp_video``) are not topics."""
    items = value if isinstance(value, list) else [value]
    words = [
        " ".join(html.unescape(w).split())
        for v in items
        if isinstance(v, str)
        for w in re.split(r"[,;]", v)
    ]
    return list(dict.fromkeys(w for w in words if _is_topic(w)))[:MAX_TAGS]


def _is_topic(word: str) -> bool:
    return (
        0 < len(word) <= 80 and any(c.isalpha() for c in word) and not _MACHINE_TOKEN.search(word)
    )


def _itemprop(tree: HtmlElement, name: str) -> str | None:
    tag = next(iter(tree.xpath("//*[@itemprop=$name]", name=name)), None)
    if tag is None:
        return None
    for attr in ("datetime", "content"):
        value = tag.get(attr)
        if isinstance(value, str) and value.strip():
            return value
    return " ".join(tag.text_content().split()) or None


def _link(tree: HtmlElement, rel: str) -> str | None:
    for tag in tree.iter("link"):
        names = (tag.get("rel") or "").lower().split()
        if rel in names and (href := (tag.get("href") or "").strip()):
            return href
    return None


def _html_lang(tree: HtmlElement) -> str | None:
    root = tree.getroottree().getroot()
    value = root.get("lang") or root.get("xml:lang") if root.tag == "html" else None
    return value or None


def _language(value: str | None) -> str | None:
    """The primary language subtag, lower case (``en-US`` and ``en_GB`` are both ``en``)."""
    match = _LANGUAGE.match(value.strip()) if value else None
    return match[1].lower() if match else None


def _title_element(tree: HtmlElement, site: str | None) -> str | None:
    """The ``<title>`` without the site's name, else the first ``<h1>``."""
    for name in ("title", "h1"):
        if text := _element_text(tree, name):
            return _without_site(" ".join(html.unescape(text).split()), site)
    return None


def _without_site(title: str, site: str | None) -> str:
    """``Headline | Site`` becomes ``Headline`` when ``Site`` is the publisher's name."""
    parts = _TITLE_SEPARATORS.split(title)
    if not site or len(parts) < 2:
        return title
    key = _squash(site)
    kept = [p for p in parts if _squash(p) != key]
    return " - ".join(kept) if kept and len(kept) < len(parts) else title


def _squash(text: str) -> str:
    return re.sub(r"\W+", "", text).casefold()
