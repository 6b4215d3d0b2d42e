"""The field mapping shared by the record-per-line formats: JSON Lines and CSV.

``archive.ingest.formats.jsonl`` (format ``jsonl``) and ``archive.ingest.formats.csvfile`` (format
``csv``) read one article per JSON object or CSV row and map its fields through this
table. Field names are matched without regard to case, spaces, ``_`` or ``-``
(``Published At``, ``published_at`` and ``publishedAt`` are one name). When a record has
several aliases of one field, the first non-empty one in the table's order wins.

=========== ============================================== ===============================
Article     accepted field names                           value
=========== ============================================== ===============================
title       ``title``, ``headline``                        text
body        ``body``, ``text``, ``content``, ``article``   text; HTML is reduced to text
byline      ``byline``, ``author``                         text, or a list of names
source      ``source``, ``publisher``, ``agency``          text
published   ``date``, ``published``, ``published_at``,     any common date (ISO 8601,
            ``datePublished``                              RFC 2822, ...); a number is
                                                           Unix seconds; no zone means UTC
url         ``url``, ``link``                              text
language    ``language``, ``lang``                         text (``en``, ``de-CH``)
tags        ``tags``, ``keywords``                         a list, or one comma-separated
                                                           text
record key  ``id``, ``guid``                               text or number; without one,
                                                           the line number (``line-7``)
=========== ============================================== ===============================

In JSON, a name may also be given as an object with a ``name`` (``{"name": "Jane Doe"}``).
Other fields are ignored. A record with neither a title nor a body is a
``RecordFailure``, as is a line that cannot be read; the other records still parse.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from archive.errors import ParseError
from archive.ingest.articles import SourceDoc, build_article
from archive.ingest.text.dates import from_datetime, parse_date
from archive.ingest.text.paragraphs import html_to_text, looks_like_html
from archive.models import Article, PubDate, RecordFailure

#: each article field and its accepted names, in order of preference
ALIASES: dict[str, tuple[str, ...]] = {
    "title": ("title", "headline"),
    "body": ("body", "text", "content", "article"),
    "byline": ("byline", "author"),
    "source": ("source", "publisher", "agency"),
    "published": ("date", "published", "published_at", "datePublished"),
    "url": ("url", "link"),
    "language": ("language", "lang"),
    "tags": ("tags", "keywords"),
    "record": ("id", "guid"),
}
_NOT_NAME = re.compile(r"[\s_-]+")
_EPOCH = re.compile(r"^\d{9,11}(?:\.\d+)?$")


def normalise(name: str) -> str:
    """A field name as the table compares it: case, spaces, ``_`` and ``-`` ignored."""
    return _NOT_NAME.sub("", name).casefold()


#: normalised field name -> article field
FIELDS: dict[str, str] = {
    normalise(alias): field for field, aliases in ALIASES.items() for alias in aliases
}
_RANK: dict[str, int] = {
    normalise(alias): rank for aliases in ALIASES.values() for rank, alias in enumerate(aliases)
}
#: the article fields that carry text; a header must name one of them
TEXT_FIELDS = frozenset({"title", "body"})


def known_fields(names: list[str]) -> list[str]:
    """The article fields that ``names`` (a header, an object's keys) map to."""
    return [FIELDS[key] for name in names if (key := normalise(name)) in FIELDS]


def record_article(
    doc: SourceDoc, fmt: str, row: Mapping[str, Any], fallback_record: str, seen: set[str]
) -> Article | RecordFailure:
    """One record (a JSON object, a CSV row as a dict) as an article.

    ``fallback_record`` is the key when the record has no id; ``seen`` holds the keys
    already used in this source, so a repeated id still gives a distinct article.
    """
    values = _fields(row)
    record = text_of(values.get("record")) or fallback_record
    if record in seen:
        record = f"{record}#{fallback_record}"
    seen.add(record)
    body = text_of(values.get("body")) or ""
    if looks_like_html(body):
        body = html_to_text(body)
    try:
        return build_article(
            doc,
            fmt=fmt,
            title=text_of(values.get("title")),
            body=body,
            record=record,
            byline=text_of(values.get("byline")),
            source=text_of(values.get("source")),
            published=_published(values.get("published")),
            url=text_of(values.get("url")),
            language=text_of(values.get("language")),
            tags=_tags(values.get("tags")),
        )
    except ParseError:
        return RecordFailure(record, "record has neither a title nor a body")


def text_of(value: Any) -> str | None:
    """A field's value as text: strings, numbers, ``{"name": ...}`` objects, lists of them."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, Mapping):
        return text_of(value.get("name"))
    if isinstance(value, list):
        parts = [text for item in value if (text := text_of(item))]
        return ", ".join(parts) or None
    return None


def _fields(row: Mapping[str, Any]) -> dict[str, Any]:
    """The record's values by article field; the most preferred non-empty alias wins."""
    ranked: dict[str, tuple[int, Any]] = {}
    for name, value in row.items():
        key = normalise(str(name))
        field = FIELDS.get(key)
        if field is None or _empty(value):
            continue
        rank = _RANK[key]
        if field not in ranked or rank < ranked[field][0]:
            ranked[field] = (rank, value)
    return {field: value for field, (_rank, value) in ranked.items()}


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str | list | dict) and not value)


def _tags(value: Any) -> list[str]:
    if isinstance(value, list):
        return [text for item in value if (text := text_of(item))]
    text = text_of(value)
    return [tag.strip() for tag in text.split(",") if tag.strip()] if text else []


def _published(value: Any) -> PubDate | None:
    """A date in any common shape; a number (or a string of 9 to 11 digits) is Unix seconds."""
    text = text_of(value)
    if text is None:
        return None
    if _EPOCH.match(text):
        try:
            moment = datetime.fromtimestamp(float(text), tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
        return from_datetime(moment, text, "second")
    return parse_date(text)
