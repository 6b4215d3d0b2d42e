"""An article, as parsed from a source and as stored in the index, and its date."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

Precision = Literal["year", "month", "day", "minute", "second"]

#: the tags the agency-format parsers give items an agency marks as not to be published as
#: they are (``archive.ingest.text.pubstatus`` says which markings): *held* articles, which
#: default searches leave out; tag -> how a person reads it
HELD_STATUSES = {
    "not-for-publication": "Not for publication",
    "embargoed": "Embargoed",
    "service-message": "Service message",
}
HELD_TAGS = tuple(HELD_STATUSES)


def held_statuses(tags: tuple[str, ...]) -> tuple[str, ...]:
    """The held statuses among ``tags``, in ``HELD_TAGS`` order."""
    return tuple(tag for tag in HELD_TAGS if tag in tags)


@dataclass(frozen=True)
class PubDate:
    """A publication date: a UTC instant, how precise the source was, and its own words.

    A partial date (only a year, or a year and a month) keeps that precision; ``value`` is
    then the first instant of the period, never a made-up day.
    """

    value: datetime
    precision: Precision
    original: str

    def display(self) -> str:
        """The date as precisely as it is known, for people."""
        if self.precision == "year":
            return f"{self.value:%Y}"
        if self.precision == "month":
            return f"{self.value:%B %Y}"
        if self.precision == "day":
            return f"{self.value.day} {self.value:%B %Y}"
        return f"{self.value.day} {self.value:%B %Y %H:%M} UTC"

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": self.value.isoformat(),
            "precision": self.precision,
            "original": self.original,
            "display": self.display(),
        }


@dataclass(frozen=True)
class Article:
    """One news article, as parsed from a source and as stored in the index.

    ``id`` is stable: derived from the source's path and the record's key inside it, so the
    same file gives the same id across runs and full rebuilds and permalinks survive.
    """

    id: str
    title: str
    body: str
    title_derived: bool = False
    byline: str | None = None
    source: str | None = None
    published: PubDate | None = None
    url: str | None = None
    language: str | None = None
    tags: tuple[str, ...] = ()
    source_path: str = ""
    record: str = ""
    content_hash: str = ""
    format: str = "text"
    #: the id shared by the copies of one story (wire copies, re-sends), set at indexing;
    #: None when the article heads its own group (the group id is then its own id)
    group: str | None = None

    @property
    def held(self) -> tuple[str, ...]:
        """The agency's markings that keep this article out of default searches (its
        ``HELD_TAGS``); empty for an article to publish."""
        return held_statuses(self.tags)

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["published"] = self.published.to_dict() if self.published else None
        data["tags"] = list(self.tags)
        data["held"] = list(self.held)
        return data


@dataclass(frozen=True)
class RecordFailure:
    """One record inside a multi-record source (a feed item, a WARC record) that failed.

    Parsers yield these beside the articles they could read, so one bad record loses
    nothing else.
    """

    record: str
    reason: str
