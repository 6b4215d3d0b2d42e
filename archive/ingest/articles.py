"""What every parser shares: the source it is given and the way it builds articles."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field

from archive.ingest import keys
from archive.ingest.inflating import Unpacked
from archive.models import Article, PubDate

_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_BLANKS = re.compile(r"\n{3,}")
_WORD = re.compile(r"\w")
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


@dataclass(frozen=True)
class SourceDoc:
    """One source as a parser sees it.

    ``path`` is the catalog's key for the source (``ingest.keys``): the absolute path of a
    file, or ``container!member`` for a member of a zip or tar file.
    """

    path: str
    data: bytes
    content_hash: str
    #: what a parser that unpacks (a gzipped web archive) has unpacked, and may
    unpacked: Unpacked = field(default_factory=Unpacked, compare=False)


def content_hash(data: bytes) -> str:
    """The hash the catalog uses to tell changed content from unchanged content."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def stable_id(path: str, record: str = "") -> str:
    """The article id: the same source path and record key always give the same id.

    ``path`` is a source's id seed (``keys.seed``): a file's path, as it always was.
    """
    key = f"{path}\x00{record}".encode("utf-8", "surrogatepass")
    return hashlib.blake2b(key, digest_size=8).hexdigest()


def clean_text(text: str) -> str:
    """Normalise whitespace and drop control characters, keeping paragraph breaks.

    Paragraphs are separated by one blank line; lines inside a paragraph keep their
    single newline.
    """
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _CONTROLS.sub("", text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANKS.sub("\n\n", "\n".join(lines)).strip()


def clean_line(text: str | None) -> str | None:
    """A one-line field (title, byline, source): whitespace collapsed, empty becomes None."""
    if text is None:
        return None
    line = " ".join(_CONTROLS.sub("", unicodedata.normalize("NFC", text)).split())
    return line or None


_ATTRIBUTION = re.compile(r",\s+(?:\S+\s+){0,5}(?:said|says|reported|reports|announced)\W*$")
_DANGLING = {
    "a",
    "an",
    "and",
    "at",
    "by",
    "either",
    "for",
    "from",
    "in",
    "of",
    "on",
    "or",
    "that",
    "the",
    "to",
    "with",
    "which",
    "who",
    "will",
}


def derive_title(body: str, limit: int = 125) -> str:
    """A title for an article that has none, made from the lede's first sentence.

    A trailing attribution (", officials said") is dropped, and a long sentence is cut at a
    word boundary that does not leave a dangling function word.
    """
    lede = body.strip().split("\n", 1)[0]
    match = re.match(r"(.+?[.!?])(\s|$)", lede)
    sentence = (match.group(1) if match else lede).rstrip(".!? ")
    sentence = _ATTRIBUTION.sub("", sentence) or lede[:limit]
    if len(sentence) <= limit:
        return sentence
    words = sentence[: limit + 1].split()[:-1]
    while len(words) > 3 and words[-1].casefold().strip(",;:") in _DANGLING:
        words.pop()
    return " ".join(words).rstrip(",;:") + "…"


def build_article(
    doc: SourceDoc,
    *,
    fmt: str,
    body: str,
    title: str | None = None,
    record: str = "",
    byline: str | None = None,
    source: str | None = None,
    published: PubDate | None = None,
    url: str | None = None,
    language: str | None = None,
    tags: tuple[str, ...] | list[str] = (),
) -> Article:
    """Make an ``Article`` from parsed fields: ids, cleaning and a derived title if needed.

    Raises ``ParseError`` when there is no text at all to index.
    """
    from archive.errors import ParseError

    body = clean_text(body)
    title = clean_line(title)
    if not _WORD.search(body) and not (title and _WORD.search(title)):
        raise ParseError("no article text found")
    derived = title is None
    if title is None:
        title = derive_title(body)
    seen: set[str] = set()
    clean_tags: list[str] = []
    for tag in tags:
        tag_line = clean_line(tag)
        if tag_line and tag_line.casefold() not in seen:
            seen.add(tag_line.casefold())
            clean_tags.append(tag_line)
    return Article(
        id=stable_id(keys.seed(doc.path), record),
        title=title,
        title_derived=derived,
        body=body,
        byline=clean_line(byline),
        source=clean_line(source),
        published=published,
        url=clean_line(url),
        language=clean_line(language),
        tags=tuple(clean_tags),
        source_path=doc.path,
        record=record,
        content_hash=doc.content_hash,
        format=fmt,
    )
