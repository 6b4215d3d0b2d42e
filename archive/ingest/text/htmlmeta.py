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

from bs4 import BeautifulSoup, Tag

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
    "twitter:creator",
]
_DESCRIPTION_KEYS = ["description", "og:description", "twitter:description", "dc.description"]
_SOURCE_KEYS = ["og:site_name", "application-name", "publisher", "dc.publisher"]
_TAG_KEYS = ["news_keywords", "keywords", "article:tag", "article:section"]
_LANGUAGE_KEYS = ["content-language", "dc.language", "language", "og:locale"]
_LANGUAGE = re.compile(r"^([a-z]{2,3})(?:[-_][a-z0-9]{2,8})*$", re.IGNORECASE)
_MACHINE_TOKEN = re.compile(r"^[@#]|^\S*_\S*$|^\S+:\S+$")
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


def read_meta(soup: BeautifulSoup) -> PageMeta:
    """Everything the page says about its article, each field from its best source."""
    ld = article_object(soup)
    tags = _tags(soup)
    meta = _meta_tags(soup)
    source = _first(_name(ld.get("publisher")), *(meta.get(k) for k in _SOURCE_KEYS))
    title = _first(_string(ld.get("headline")), *(meta.get(k) for k in _TITLE_KEYS))
    return PageMeta(
        title=_without_site(title, source) if title else _title_element(soup, source),
        published=_first(
            _string(ld.get("datePublished")),
            *(meta.get(k) for k in _DATE_KEYS),
            _itemprop(soup, "datePublished"),
            _string(ld.get("dateCreated")),
        ),
        author=_first(_authors(ld.get("author")), *(_author(meta.get(k)) for k in _AUTHOR_KEYS)),
        body=_string(ld.get("articleBody")),
        description=_first(
            _string(ld.get("description")), *(meta.get(k) for k in _DESCRIPTION_KEYS)
        ),
        url=_first(_link(soup, "canonical"), meta.get("og:url"), _string(ld.get("url"))),
        source=source,
        language=_language(
            _first(
                _string(ld.get("inLanguage")),
                _html_lang(soup),
                *(meta.get(k) for k in _LANGUAGE_KEYS),
            )
        ),
        tags=_keywords(ld.get("keywords")) or tags,
        headlines=_headlines(soup, ld, meta),
    )


def _headlines(soup: BeautifulSoup, ld: dict[str, Any], meta: dict[str, str]) -> list[str]:
    candidates = [_string(ld.get("headline")), *(meta.get(k) for k in _TITLE_KEYS)]
    for name in ("title", "h1"):
        tag = soup.find(name)
        if isinstance(tag, Tag):
            candidates.append(tag.get_text(" ", strip=True))
    return list(dict.fromkeys(c for c in candidates if c))


def _first(*values: str | None) -> str | None:
    """The first value with text, whitespace collapsed and leftover entities resolved.

    Pages often escape twice (``&amp;#8216;``), so one more unescape is needed.
    """
    for value in values:
        if value and value.strip():
            return " ".join(html.unescape(value).split())
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
    """An author's name; profile URLs and handles-only values are not names."""
    if not value or re.match(r"^(https?:|www\.)", value.strip()):
        return None
    name = re.sub(r"^\s*by\s+", "", value.strip(), flags=re.IGNORECASE)
    return name.lstrip("@") or None


def _meta_tags(soup: BeautifulSoup) -> dict[str, str]:
    """``<meta>`` values by lower-cased name, property, itemprop or http-equiv; first wins."""
    found: dict[str, str] = {}
    for tag in soup.find_all("meta"):
        content = tag.get("content")
        if not isinstance(content, str) or not content.strip():
            continue
        for attr in ("property", "name", "itemprop", "http-equiv"):
            key = tag.get(attr)
            if isinstance(key, str) and key.strip():
                found.setdefault(key.strip().lower(), content.strip())
    return found


def _tags(soup: BeautifulSoup) -> list[str]:
    for key in _TAG_KEYS:
        values = [t.get("content") for t in soup.find_all("meta", attrs={"name": key})] + [
            t.get("content") for t in soup.find_all("meta", attrs={"property": key})
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


def _itemprop(soup: BeautifulSoup, name: str) -> str | None:
    tag = soup.find(True, attrs={"itemprop": name})
    if not isinstance(tag, Tag):
        return None
    for attr in ("datetime", "content"):
        value = tag.get(attr)
        if isinstance(value, str) and value.strip():
            return value
    return tag.get_text(" ", strip=True) or None


def _link(soup: BeautifulSoup, rel: str) -> str | None:
    for tag in soup.find_all("link", href=True):
        rels = tag.get("rel")
        names = rels.split() if isinstance(rels, str) else list(rels or [])
        if rel in [str(r).lower() for r in names] and str(tag["href"]).strip():
            return str(tag["href"]).strip()
    return None


def _html_lang(soup: BeautifulSoup) -> str | None:
    html = soup.find("html")
    if isinstance(html, Tag):
        value = html.get("lang") or html.get("xml:lang")
        return value if isinstance(value, str) else None
    return None


def _language(value: str | None) -> str | None:
    """The primary language subtag, lower case (``en-US`` and ``en_GB`` are both ``en``)."""
    match = _LANGUAGE.match(value.strip()) if value else None
    return match[1].lower() if match else None


def _title_element(soup: BeautifulSoup, site: str | None) -> str | None:
    """The ``<title>`` without the site's name, else the first ``<h1>``."""
    for name in ("title", "h1"):
        tag = soup.find(name)
        text = tag.get_text(" ", strip=True) if isinstance(tag, Tag) else ""
        if text:
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
