"""Plain-text articles, in the shapes people save them.

Recognised shapes, tried in this order:

* an optional metadata header on top: ``Key: value`` lines (title, date, url, source,
  byline, tags, language), optionally fenced by ``---`` lines, ended by a blank line;
* a byline line (``• Kyodo``, ``By Jane Doe``) before the body;
* "title on the first line, blank line, body" (the BBC's shape);
* otherwise the whole file is the body and the title is derived from the lede.

A trailing subscription plea or other site boilerplate is removed from the body.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from archive.errors import ParseError
from archive.ingest.articles import SourceDoc, build_article
from archive.ingest.text.agency import AGENCIES
from archive.ingest.text.boilerplate import strip_trailing
from archive.ingest.text.dates import parse_date
from archive.ingest.text.encoding import decode, is_text
from archive.models import Article, RecordFailure

FORMAT = "text"

_HEADER_KEYS = {
    "title": "title",
    "headline": "title",
    "date": "date",
    "published": "date",
    "dateline": "date",
    "url": "url",
    "link": "url",
    "source": "source",
    "agency": "source",
    "publication": "source",
    "byline": "byline",
    "by": "byline",
    "author": "byline",
    "tags": "tags",
    "keywords": "tags",
    "topics": "tags",
    "language": "language",
    "lang": "language",
}
_HEADER_LINE = re.compile(r"^([A-Za-z][A-Za-z ]{0,20}):\s*(.*)$")
_BULLET_BYLINE = re.compile(r"^[•·▪●◦*\-–—]\s*(\S.{0,80})$")
_BY_BYLINE = re.compile(r"^By\s+([A-Z].{1,80})$")
_SENTENCE_END = re.compile(r"[.!?:;,]['\"”’)]?$")
_MARKUP = re.compile(rb"<(?:\?xml|!DOCTYPE|!--|[A-Za-z][\w.:-]*[\s>/])", re.IGNORECASE)
_JSON = re.compile(rb"[{\[]\s*(?:\"|\{|\[|\]|\}|-?\d|true|false|null)")


def sniff(head: bytes, name: str) -> bool:
    """Plain text is the fallback: anything without NUL bytes that is not markup or JSON.

    XML, HTML or JSON that no other parser claimed is of a kind the archive does not read;
    indexing its tags or braces as an article's words would only pollute the index.
    """
    return b"\x00" not in head and structured(head) is None


def structured(head: bytes) -> str | None:
    """ "markup" or "JSON" when ``head`` starts like one, else None."""
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if _MARKUP.match(start):
        return "markup"
    if start[:1] in (b"{", b"[") and _JSON.match(start):
        return "JSON"
    return None


def parse(doc: SourceDoc) -> Iterator[Article | RecordFailure]:
    """Parse one text file into one article."""
    if b"\x00" in doc.data[:8192]:
        raise ParseError("binary content, not text")
    text = decode(doc.data).replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    if not text.strip():
        raise ParseError("empty file")
    if not is_text(doc.data):
        raise ParseError("not text: the bytes are invalid UTF-8 and read as no other encoding")
    yield parse_text(doc, text)


def parse_text(doc: SourceDoc, text: str) -> Article:
    """The article in ``text``, which came from ``doc``."""
    meta, rest = _split_header(text)
    paragraphs = _paragraphs(rest)
    if "byline" not in meta and paragraphs and (byline := _byline(paragraphs[0])):
        meta["byline"] = byline
        paragraphs = paragraphs[1:]
    if "title" not in meta and len(paragraphs) > 1 and _looks_like_title(paragraphs[0]):
        meta["title"] = paragraphs[0]
        paragraphs = paragraphs[1:]
        if "byline" not in meta and paragraphs and (byline := _byline(paragraphs[0])):
            meta["byline"] = byline
            paragraphs = paragraphs[1:]
    paragraphs = strip_trailing(paragraphs)
    byline = meta.get("byline")
    source = meta.get("source") or (AGENCIES.get(byline.casefold()) if byline else None)
    tags = [t for t in re.split(r"[,;]", meta.get("tags", "")) if t.strip()]
    return build_article(
        doc,
        fmt=FORMAT,
        title=meta.get("title"),
        body="\n\n".join(paragraphs),
        byline=byline,
        source=source,
        published=parse_date(meta.get("date")),
        url=meta.get("url"),
        language=meta.get("language"),
        tags=tags,
    )


def _split_header(text: str) -> tuple[dict[str, str], str]:
    """Read a ``Key: value`` header off the top of ``text``, if it has one."""
    lines = text.lstrip("\n").split("\n")
    fenced = bool(lines) and lines[0].strip() == "---"
    start = 1 if fenced else 0
    meta: dict[str, str] = {}
    index = start
    while index < len(lines):
        line = lines[index].strip()
        if not line or (fenced and line == "---"):
            break
        match = _HEADER_LINE.match(line)
        key = _HEADER_KEYS.get(match[1].strip().lower()) if match else None
        if key is None:
            return {}, text
        if match and match[2].strip():
            meta[key] = match[2].strip()
        index += 1
    if not meta:
        return {}, text
    return meta, "\n".join(lines[index + 1 :])


def _paragraphs(text: str) -> list[str]:
    """Paragraphs are separated by blank lines; lines inside one are joined."""
    blocks = re.split(r"\n\s*\n", text)
    return [" ".join(block.split()) for block in blocks if block.strip()]


def _byline(paragraph: str) -> str | None:
    for pattern in (_BULLET_BYLINE, _BY_BYLINE):
        match = pattern.match(paragraph)
        if match and len(match[1].split()) <= 8 and not _SENTENCE_END.search(match[1]):
            return match[1].strip()
    return None


def _looks_like_title(paragraph: str) -> bool:
    """A headline: one short line that does not end like a sentence."""
    return len(paragraph) <= 200 and not _SENTENCE_END.search(paragraph) and "\n" not in paragraph
