"""What every engine stores beside an article's searchable fields, in one shape.

Both engines keep the same compact record of the fields that are shown but never
searched, so an article reads back the same whichever engine holds it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from archive.models import Article, PubDate


def stored_meta(article: Article) -> dict[str, Any]:
    """The stored fields that are shown but never searched."""
    published = article.published
    return {
        "td": article.title_derived,
        "u": article.url,
        "p": [published.value.isoformat(), published.precision, published.original]
        if published
        else None,
        "sp": article.source_path,
        "r": article.record,
        "h": article.content_hash,
    }


def published_from(meta: dict[str, Any]) -> PubDate | None:
    """The publication date a ``stored_meta`` record holds."""
    value = meta.get("p")
    if not value:
        return None
    when = datetime.fromisoformat(value[0])
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return PubDate(value=when, precision=value[1], original=value[2])
