"""What the news-agency formats (NITF, NewsML, ninjs, wire text) share.

A ``Story`` collects the fields one agency item carries before it becomes an ``Article``,
and tidies its body the same way for every format: a leading "By ..." paragraph becomes
the byline, a first paragraph repeating the headline, quoted embed codes, trailing
sign-offs (``AFP sn``, ``ends``) and transmission codes are dropped. ``Outcome`` and
``deliver`` turn the items of a multi-item source into articles and record failures.
The helpers tidy bylines and language tags and resolve entities escaped twice.
"""

from __future__ import annotations

import html
import logging
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from archive.errors import ParseError
from archive.ingest.articles import SourceDoc, build_article, clean_line
from archive.ingest.text.boilerplate import strip_trailing
from archive.ingest.text.bylines import is_code
from archive.ingest.text.dates import parse_date
from archive.models import Article, PubDate, RecordFailure

log = logging.getLogger(__name__)

#: wire services whose name as a byline also names the source of the story
AGENCIES = {
    name.casefold(): name
    for name in (
        "Kyodo",
        "Kyodo News",
        "Reuters",
        "AP",
        "Associated Press",
        "AFP",
        "Agence France-Presse",
        "Bloomberg",
        "Xinhua",
        "dpa",
        "ANSA",
        "EFE",
        "Yonhap",
        "PA",
        "Press Association",
        "Jiji",
        "Jiji Press",
        "TASS",
        "UPI",
        "ANP",
        "Canadian Press",
        "AAP",
        "PTI",
        "Anadolu",
        "Interfax",
        "Belga",
        "NTB",
        "TT",
    )
}
_LEFTOVER_ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_BY_PREFIX = re.compile(r"^(?:by|von|par|por|av|door|af|di)\s+(?=\w)", re.IGNORECASE)
_BYLINE_PARAGRAPH = re.compile(r"^By\s+([A-Z][^.!?]{1,70})$")
_CONNECTORS = {"and", "und", "et", "y", "og", "of", "the", "de", "van", "von", "e"}
_ROUTING_TOKEN = re.compile(r"^[A-Z0-9]+$")
#: an agency's closing line: ``ends``, ``AFP sn``, ``dpa wsz jln``, ``hh/ph/ts``, ``/ritzau/``
_SIGNOFF = re.compile(
    r"^(?:-*\s*(?:ends?|more|endit)\s*-*|#+|"
    r"(?:AAP|AFP|AP|ANSA|dpa|DPA|EFE|NTB|PA|STT|Reuters)(?:\s+[A-Za-z]{2,4}){1,5}|"
    r"[a-z]{2,4}(?:/[a-z]{2,4})+|/\w+/)$",
    re.IGNORECASE,
)
#: markup quoted as text (an embed code), not prose
_MARKUP_CODE = re.compile(r"^<[A-Za-z!/][^>]*>.*</?[A-Za-z][^>]*>$", re.DOTALL)


@dataclass
class Story:
    """The fields one agency item carries, before they become an ``Article``."""

    title: str | None = None
    paragraphs: list[str] = field(default_factory=list)
    byline: str | None = None
    source: str | None = None
    published: PubDate | None = None
    language: str | None = None
    tags: list[str] = field(default_factory=list)
    url: str | None = None
    #: the agency's slugline, the title of last resort for an item with no text
    slug: str | None = None

    def fill_from(self, other: Story) -> None:
        """Take from ``other`` every field this story lacks (tags are added)."""
        self.title = self.title or other.title
        self.paragraphs = self.paragraphs or other.paragraphs
        self.byline = self.byline or other.byline
        self.source = self.source or other.source
        self.published = self.published or other.published
        self.language = self.language or other.language
        self.url = self.url or other.url
        self.slug = self.slug or other.slug
        self.tags = [*self.tags, *other.tags]

    def has_text(self) -> bool:
        return bool(clean_line(self.title or self.slug) or any(p.strip() for p in self.paragraphs))

    def article(self, doc: SourceDoc, fmt: str, record: str = "") -> Article:
        """The ``Article``; raises ``ParseError`` when there is no text at all."""
        paragraphs = [unescape_leftovers(p) for p in self.paragraphs if p.strip()]
        title = self.title or (None if paragraphs else self.slug)
        title = unescape_leftovers(title) if title else None
        byline = self.byline
        for index, paragraph in enumerate(paragraphs[:6]):
            if lead := _BYLINE_PARAGRAPH.match(paragraph):
                if byline is None or _generic_byline(byline, self.source):
                    byline = clean_byline(lead[1])
                if clean_byline(lead[1]) == byline:
                    del paragraphs[index]
                break
        if paragraphs and title and clean_line(paragraphs[0]) == clean_line(title):
            paragraphs = paragraphs[1:]
        paragraphs = [p for p in paragraphs if not _MARKUP_CODE.match(p)]
        while paragraphs and (_SIGNOFF.match(paragraphs[-1]) or _is_routing_codes(paragraphs[-1])):
            paragraphs.pop()
        return build_article(
            doc,
            fmt=fmt,
            body="\n\n".join(strip_trailing(paragraphs)),
            title=title,
            record=record,
            byline=byline,
            source=self.source,
            published=self.published,
            url=self.url,
            language=self.language,
            tags=[tag for tag in self.tags if len(tag.strip()) > 1],
        )


@dataclass(frozen=True)
class Outcome:
    """What became of one item of a multi-item source.

    ``story`` is set for a readable item. ``skipped`` names the kind of an item that is
    not an article (``picture``, ``video``, ``package``); ``reason`` says why a text item
    cannot be read, or, beside ``skipped``, why a skipped item yields nothing.
    """

    record: str
    story: Story | None = None
    skipped: str = ""
    reason: str = ""


def deliver(
    doc: SourceDoc, fmt: str, outcomes: list[Outcome], *, label: str
) -> Iterator[Article | RecordFailure]:
    """Articles for the readable items, failures for the broken ones, nothing for the rest.

    When no item is readable the whole source fails, with the reason of its first broken
    item or a summary of the non-text items it holds.
    """
    articles: list[Article] = []
    failures: list[RecordFailure] = []
    skipped: list[Outcome] = []
    for outcome in outcomes:
        if outcome.story is not None:
            try:
                articles.append(outcome.story.article(doc, fmt, outcome.record))
            except ParseError as exc:
                failures.append(RecordFailure(outcome.record, str(exc)))
        elif outcome.skipped:
            skipped.append(outcome)
        else:
            failures.append(RecordFailure(outcome.record, outcome.reason))
    if not articles:
        if failures:
            raise ParseError(failures[0].reason)
        raise ParseError(_nothing_readable(label, skipped))
    if skipped:
        log.debug("%s: skipped %d non-text items", doc.path, len(skipped))
    yield from articles
    yield from failures


def _nothing_readable(label: str, skipped: list[Outcome]) -> str:
    if not skipped:
        return f"{label} document holds no items"
    if len(skipped) == 1 and skipped[0].reason:
        return skipped[0].reason
    counts = Counter(outcome.skipped for outcome in skipped)
    kinds = ", ".join(
        f"{count} {kind} items" if count > 1 else f"{kind} item" for kind, count in counts.items()
    )
    return f"{label} item has no text content ({kinds})"


def clean_byline(text: str | None) -> str | None:
    """A byline as a name: ``By BERNARD CONDON =`` becomes ``Bernard Condon``.

    A login, handle or code (``load``, ``@desk``) is no name and gives None; an agency's
    own name (``dpa``) stays.
    """
    line = clean_line(text)
    if line is None:
        return None
    line = _BY_PREFIX.sub("", line.strip(" =<^")).strip(" ,;=")
    if line and is_code(line) and line.casefold() not in AGENCIES:
        return None
    words = line.split()
    lettered = [w for w in words if any(c.isalpha() for c in w)]
    shouting = [w for w in lettered if w.isupper() and len(w) > 1]
    if (
        len(lettered) > 1
        and shouting
        and all(w.isupper() or w.casefold() in _CONNECTORS for w in lettered)
    ):
        line = " ".join(w.title() if w.isupper() else w for w in words)
    return line or None


def language_tag(text: str | None) -> str | None:
    """A BCP 47-style tag: ``EN`` gives ``en``, ``fi-fi`` gives ``fi-FI``; ``x-default`` none."""
    value = (text or "").strip().replace("_", "-")
    if not value or value.casefold() in ("x-default", "und", "mul", "zxx"):
        return None
    parts = value.split("-")
    if not parts[0].isalpha() or not 2 <= len(parts[0]) <= 3:
        return None
    tail = [p.upper() if len(p) == 2 and p.isalpha() else p for p in parts[1:]]
    return "-".join([parts[0].casefold(), *tail])


def first_date(*candidates: str | None) -> PubDate | None:
    """The first candidate that parses as a date."""
    for candidate in candidates:
        if candidate and (value := parse_date(candidate)):
            return value
    return None


def unescape_leftovers(text: str) -> str:
    """Resolve entities a producer escaped twice (``&amp;#39;`` arrives as ``&#39;``)."""
    return _LEFTOVER_ENTITY.sub(lambda m: html.unescape(m[0]), text)


def _generic_byline(byline: str, source: str | None) -> bool:
    """A byline that names no writer: a staff placeholder or the agency itself."""
    folded = byline.casefold()
    return "staff" in folded or folded in AGENCIES or folded == (source or "").casefold()


def _is_routing_codes(paragraph: str) -> bool:
    """A trailing line of transmission codes (``51 77 03 CRO01 1113 APE4800 ...``)."""
    tokens = paragraph.split()
    if len(tokens) < 5 or not all(_ROUTING_TOKEN.match(t) for t in tokens):
        return False
    return sum(any(c.isdigit() for c in t) for t in tokens) >= len(tokens) * 0.6
