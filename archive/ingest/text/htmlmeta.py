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

from lxml.html import HtmlElement

from archive.ingest.text.bylines import page_byline, person_name
from archive.ingest.text.extract import invisible_removed
from archive.ingest.text.jsonld import article_object

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
#: second-level labels under which a host's own name is the third (``bbc.co.uk``)
_SECOND_LEVEL = frozenset({"co", "com", "org", "net", "ac", "gov", "edu", "ne", "or"})
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
    url = _first(_link(tree, "canonical"), meta.get("og:url"), _string(ld.get("url")))
    author = _first(_authors(ld.get("author")), *(_author(meta.get(k)) for k in _AUTHOR_KEYS))
    author = author or _first(page_byline(tree))
    sites = [source, _host_name(url), author]
    title = _first(_headline(tree, ld, meta), *(meta.get(k) for k in _TITLE_KEYS))
    return PageMeta(
        title=_without_site(title, sites) if title else _title_element(tree, sites),
        published=_first(_string(ld.get("datePublished")), *(meta.get(k) for k in _DATE_KEYS))
        or _first(_itemprop(tree, "datePublished"), _string(ld.get("dateCreated"))),
        author=author,
        body=_string(ld.get("articleBody")),
        description=_first(
            _string(ld.get("description")), *(meta.get(k) for k in _DESCRIPTION_KEYS)
        ),
        url=url,
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
    return person_name(value) if value else None


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


def _title_element(tree: HtmlElement, sites: list[str | None]) -> str | None:
    """The ``<title>`` without the site's name, else the first ``<h1>``."""
    for name in ("title", "h1"):
        if text := _element_text(tree, name):
            return _without_site(" ".join(html.unescape(text).split()), sites)
    return None


def _headline(tree: HtmlElement, ld: dict[str, Any], meta: dict[str, str]) -> str | None:
    """The JSON-LD headline, unless most of its words are in none of the page's titles.

    Some pages put a description there ("Wikimedia list article"), not the headline.
    """
    headline = _string(ld.get("headline"))
    if not headline:
        return None
    others = [meta.get(k) for k in _TITLE_KEYS] + [_element_text(tree, "title")]
    words = {w for other in others if other for w in _words(other)}
    own = _words(headline)
    return headline if not words or len(own & words) * 2 >= len(own) else None


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w{3,}", text.casefold()))


def _host_name(url: str | None) -> str | None:
    """The site's name in an address: ``wikipedia`` in ``https://en.wikipedia.org/wiki/X``."""
    match = re.match(r"^https?://([^/:?#]+)", url or "")
    labels = match[1].casefold().split(".") if match else []
    if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL:
        return labels[-3]
    return labels[-2] if len(labels) >= 2 else None


def _without_site(title: str, sites: list[str | None]) -> str:
    """``Headline | Site`` becomes ``Headline`` when ``Site`` names the site or the author.

    The site is known by the publisher's name, the address's host or the page's author
    (a personal blog's title ends with its owner's name).
    """
    parts = _TITLE_SEPARATORS.split(title)
    keys = {_squash(site) for site in sites if site}
    if not keys or len(parts) < 2:
        return title
    kept = [p for p in parts if _squash(p) not in keys]
    return " - ".join(kept) if kept and len(kept) < len(parts) else title


def _squash(text: str) -> str:
    return re.sub(r"\W+", "", text).casefold()
