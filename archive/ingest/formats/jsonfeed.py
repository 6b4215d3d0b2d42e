"""JSON Feed (jsonfeed.org, versions 1 and 1.1), read into feedparser's shape.

``archive.ingest.formats.feeds`` reads RSS and Atom with feedparser, which does not know JSON
Feed; this module turns a JSON Feed into the same dictionaries (``title``, ``link``,
``author_detail``, entries with ``content``, ``summary``, ``published``, ``tags``) so one
code path builds the articles of every kind of feed.
"""

from __future__ import annotations

import json
import re
from typing import Any

from archive.errors import ParseError
from archive.ingest.text.encoding import decode

_SIGNATURE = re.compile(
    rb'^\s*\{.{0,2000}?"version"\s*:\s*"https?:\\?/\\?/jsonfeed\.org', re.DOTALL
)


def is_json_feed(head: bytes) -> bool:
    """A JSON object whose ``version`` names jsonfeed.org, near the start."""
    return _SIGNATURE.match(head) is not None


def read(data: bytes) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The feed's own fields and its items, both in feedparser's shape."""
    try:
        feed = json.loads(decode(data))
    except (ValueError, RecursionError) as exc:
        raise ParseError(f"JSON Feed is not valid JSON: {exc}") from exc
    if not isinstance(feed, dict) or not isinstance(feed.get("items"), list):
        raise ParseError("JSON Feed has no list of items")
    header = {
        "title": _str(feed.get("title")),
        "title_detail": {"type": "text/plain"},
        "language": _str(feed.get("language")),
        "link": _str(feed.get("home_page_url")) or _str(feed.get("feed_url")),
        "author_detail": {"name": _author(feed)},
    }
    items = [_item(item) for item in feed["items"] if isinstance(item, dict)]
    return header, items


def _item(item: dict[str, Any]) -> dict[str, Any]:
    content = []
    if html := _str(item.get("content_html")):
        content.append({"value": html, "type": "text/html"})
    if text := _str(item.get("content_text")):
        content.append({"value": text, "type": "text/plain"})
    tags = item.get("tags")
    tags = tags if isinstance(tags, list) else []
    return {
        "id": _str(item.get("id")),
        "link": _str(item.get("url")),
        "title": _str(item.get("title")),
        "title_detail": {"type": "text/plain"},
        "content": content,
        "summary": _str(item.get("summary")),
        "summary_detail": {"type": "text/plain", "language": _str(item.get("language"))},
        "author_detail": {"name": _author(item)},
        "published": _str(item.get("date_published")),
        "updated": _str(item.get("date_modified")),
        "tags": [{"term": tag} for tag in tags if isinstance(tag, str)],
    }


def _author(data: dict[str, Any]) -> str | None:
    """``authors`` (1.1) or ``author`` (1.0): the names, joined."""
    authors = data.get("authors")
    if not isinstance(authors, list):
        authors = [data.get("author")]
    names = [_str(author.get("name")) for author in authors if isinstance(author, dict)]
    return ", ".join(name for name in names if name) or None


def _str(value: Any) -> str | None:
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return str(value).strip() or None
    return None
