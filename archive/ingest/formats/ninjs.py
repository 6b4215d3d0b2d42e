"""ninjs (IPTC News in JSON), versions 1.x and 2.x, alone or in a list or an API envelope.

One JSON object per news item: the headline (``headline``, or the ``main`` entry of
ninjs 2 ``headlines``), the body (``body_html``/``body_xhtml`` turned into paragraphs,
else ``body_text``; ninjs 2 ``bodies``), ``byline`` (or ninjs 2 ``by``, or the
``authors``), the first of ``firstpublished``, ``firstcreated``, ``contentcreated``
and ``versioncreated``, ``language``, subject names and keywords as tags, and the
``source``/``copyrightholder``/``provider`` as source. ``uri``, else ``guid``, keys the
record.

Items arrive alone, in a JSON list, one per line (JSON Lines), under ``item`` or
``items`` (BBC-style results) or in the AP Media API envelope (``data.item`` or
``data.items[].item``). Pictures, video and other non-text items are skipped; AP Media
API text items that only link to their text (``renditions``) fail with that reason.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from archive.errors import ParseError
from archive.ingest.articles import SourceDoc, clean_line
from archive.ingest.text.agency import (
    Outcome,
    Story,
    clean_byline,
    deliver,
    first_date,
    language_tag,
)
from archive.ingest.text.encoding import decode
from archive.ingest.text.paragraphs import html_paragraphs, plain_paragraphs
from archive.models import Article, RecordFailure

FORMAT = "ninjs"

MAX_NINJS_BYTES = 64 * 1024 * 1024
_KEYS = (
    "uri", "guid", "headline", "headlines", "body_html", "body_text", "body_xhtml", "bodies",
    "versioncreated", "firstcreated", "byline", "pubstatus", "subject", "api_version",
)  # fmt: skip
_KEY = re.compile(rb'"(' + b"|".join(k.encode() for k in _KEYS) + rb')"\s*:')
_NON_TEXT = frozenset(
    {"picture", "graphic", "video", "audio", "image", "photo", "event", "planning"}
)
_DATE_KEYS = ("firstpublished", "firstcreated", "contentcreated", "versioncreated")


def sniff(head: bytes, name: str) -> bool:
    """A JSON object (or list of objects) using at least two ninjs field names."""
    start = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if not start.startswith((b"{", b"[")):
        return False
    return len({match[1] for match in _KEY.finditer(head)}) >= 2


def parse(doc: SourceDoc) -> Iterator[Article | RecordFailure]:
    """Every news item in the document; see the module docstring."""
    if len(doc.data) > MAX_NINJS_BYTES:
        raise ParseError(f"ninjs document too large ({len(doc.data)} bytes)")
    items = _items(_load(decode(doc.data).lstrip("\ufeff")))
    if not items:
        raise ParseError("JSON holds no ninjs news item")
    outcomes = [_outcome(item, index) for index, item in enumerate(items, start=1)]
    yield from deliver(doc, FORMAT, outcomes, label="ninjs")


def _load(text: str) -> Any:
    """The JSON value of ``text``; ninjs objects one per line come back as a list."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        if not exc.msg.startswith("Extra data"):
            raise ParseError(f"not valid JSON: {exc}") from exc
    except RecursionError as exc:
        raise ParseError("JSON nested too deeply") from exc
    try:
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    except (json.JSONDecodeError, RecursionError) as exc:
        raise ParseError(f"not valid JSON Lines: {exc}") from exc


def _items(value: Any) -> list[dict[str, Any]]:
    """The news items inside whatever wrapping the document uses."""
    if isinstance(value, list):
        return [item for item in value if isinstance(item, dict)]
    if not isinstance(value, dict):
        return []
    data = value.get("data")
    if isinstance(data, dict) and ("item" in data or "items" in data):
        wrapped = data.get("items") if "items" in data else [data]
        entries = wrapped if isinstance(wrapped, list) else []
        return [
            e["item"] for e in entries if isinstance(e, dict) and isinstance(e.get("item"), dict)
        ]
    for key in ("items", "item"):
        if isinstance(value.get(key), list):
            return [item for item in value[key] if isinstance(item, dict)]
    return [value]


def _outcome(item: dict[str, Any], index: int) -> Outcome:
    record = _string(item.get("uri")) or _string(item.get("guid")) or f"item-{index}"
    kind = (_string(item.get("type")) or "text").casefold()
    if kind in _NON_TEXT:
        return Outcome(record, skipped=kind)
    story = _story(item)
    if not story.paragraphs and isinstance(item.get("renditions"), dict) and item["renditions"]:
        names = ", ".join(sorted(item["renditions"]))
        return Outcome(
            record, reason=f"ninjs item carries no text, only links to renditions ({names})"
        )
    if not story.has_text():
        return Outcome(record, reason="ninjs item has no headline and no body text")
    return Outcome(record, story=story)


def _story(item: dict[str, Any]) -> Story:
    return Story(
        title=_headline(item),
        paragraphs=_paragraphs(item),
        byline=clean_byline(
            _string(item.get("byline")) or _string(item.get("by")) or _authors(item)
        ),
        source=_source(item),
        published=first_date(*(_string(item.get(key)) for key in _DATE_KEYS)),
        language=language_tag(_string(item.get("language"))),
        tags=_tags(item),
    )


def _headline(item: dict[str, Any]) -> str | None:
    value = item.get("headline")
    if isinstance(value, str):
        return clean_line(value)
    entries = item.get("headlines") if isinstance(item.get("headlines"), list) else value
    if isinstance(entries, list):
        texts = [
            (
                entry.get("role") or entry.get("name"),
                _string(entry.get("value") or entry.get("text")),
            )
            for entry in entries
            if isinstance(entry, dict)
        ]
        for role, text in texts:
            if text and role in (None, "main"):
                return text
        return next((text for _, text in texts if text), None)
    return clean_line(_string(item.get("title")))


def _paragraphs(item: dict[str, Any]) -> list[str]:
    for key in ("body_html", "body_xhtml"):
        if (html := _string(item.get(key))) and (paragraphs := html_paragraphs(html)):
            return paragraphs
    if text := _string(item.get("body_text")):
        return plain_paragraphs(text)
    bodies = item.get("bodies") if isinstance(item.get("bodies"), list) else item.get("body")
    if isinstance(bodies, list):
        entries = [entry for entry in bodies if isinstance(entry, dict)]
        entries.sort(key=lambda entry: "html" not in _body_kind(entry))
        for entry in entries:
            if value := _string(entry.get("value")):
                if "html" in _body_kind(entry):
                    return html_paragraphs(value)
                return plain_paragraphs(value)
    return []


def _body_kind(entry: dict[str, Any]) -> str:
    return " ".join(
        _string(entry.get(key)) or "" for key in ("contenttype", "role", "name")
    ).casefold()


def _authors(item: dict[str, Any]) -> str | None:
    authors = item.get("authors")
    if not isinstance(authors, list):
        return None
    names = [_string(a.get("name")) for a in authors if isinstance(a, dict)]
    return " and ".join(name for name in names if name) or None


def _source(item: dict[str, Any]) -> str | None:
    for key in ("source", "copyrightholder", "provider", "infosource"):
        value = item.get(key)
        if isinstance(value, list):
            value = value[0] if value else None
        if isinstance(value, dict):
            value = value.get("name")
        if text := clean_line(_string(value)):
            return text
    return None


def _tags(item: dict[str, Any]) -> list[str]:
    tags: list[str] = []
    for key in ("subject", "subjects"):
        entries = item.get(key)
        if isinstance(entries, list):
            tags.extend(
                name
                for entry in entries
                if isinstance(entry, dict) and (name := _string(entry.get("name")))
            )
    keywords = item.get("keywords")
    if isinstance(keywords, list):
        tags.extend(keyword for keyword in keywords if isinstance(keyword, str))
    return tags


def _string(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None
