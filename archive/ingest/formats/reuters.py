"""Reuters-21578: the 1987 Reuters newswire test collection in its original SGML.

Each file holds about a thousand ``<REUTERS ... NEWID="n">`` stories. The markup is SGML,
not XML (``&#3;`` control entities, stray bytes, unescaped ``>``), so stories are split and
read with regular expressions rather than an XML or HTML parser; that also keeps bulk
indexing of the collection fast.

One story gives one article:

=================== ==========================================================
SGML                Article
=================== ==========================================================
``NEWID`` attribute record key (the article id is stable across runs)
``<TITLE>``         title (a story without one gets a derived title)
``<DATELINE>``      the lead-in of the first paragraph (``SALVADOR, Feb 26 -``)
``<BODY>``          body, without the closing "Reuter" sign-off
``<AUTHOR>``        byline, without "By" and ", Reuters"
``<DATE>``          published, UTC (``26-FEB-1987 15:01:01.79``)
``<TOPICS>``        tags (each ``<D>``: ``cocoa``)
``<PLACES>``        tags (each ``<D>``: ``usa``)
=================== ==========================================================

The source is always "Reuters" and the language English. ``TYPE="BRIEF"`` stories are a
headline only (their text is the placeholder "Blah blah blah."); ``TYPE="UNPROC"``
stories have raw text and no title. A story with neither a title nor any text is a
``RecordFailure``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime

from archive.errors import ParseError
from archive.ingest.articles import SourceDoc, build_article
from archive.ingest.text.dates import from_datetime, parse_date
from archive.ingest.text.encoding import decode
from archive.models import Article, PubDate, RecordFailure

FORMAT = "reuters"
SOURCE = "Reuters"

_SNIFF = re.compile(rb"<!DOCTYPE\s+lewis\b|<REUTERS\s[^>]*\bNEWID=\"\d+\"", re.IGNORECASE)
_OPEN = re.compile(r"<REUTERS\b([^>]*)>")
_CLOSE = "</REUTERS>"
_NEWID = re.compile(r'\bNEWID="(\d+)"')
_TEXT = re.compile(r"<TEXT\b([^>]*)>(.*?)(?:</TEXT>|$)", re.DOTALL)
_D = re.compile(r"<D>(.*?)</D>", re.DOTALL)
_TAG = re.compile(r"<(TITLE|DATELINE|AUTHOR|BODY)>(.*?)</\1>", re.DOTALL)
_NUMERIC_ENTITY = re.compile(r"&#\d+;")
_DATE = re.compile(
    r"(\d{1,2})-([A-Za-z]{3})-(\d{4})(?:\s+(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?\b)?"
)
_MONTHS = {
    name: number
    for number, name in enumerate(
        ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"),
        start=1,
    )
}
_SIGN_OFF = re.compile(r"(?:^|\s+)(?:reuters?|reute)\b\W*$", re.IGNORECASE)
_CARET_M = re.compile(r"\^M$", re.MULTILINE)
_PARAGRAPH_START = re.compile(r"\n(?=[ \t])")
_BYLINE = re.compile(r"^by\s+|,?\s*\breuters?\s*$", re.IGNORECASE)
_PLACEHOLDER = "Blah blah blah."


def sniff(head: bytes, name: str) -> bool:
    """Reuters-21578 SGML: the ``lewis`` doctype or a ``<REUTERS ... NEWID="n">`` story."""
    return _SNIFF.search(head) is not None


def parse(doc: SourceDoc) -> Iterator[Article | RecordFailure]:
    """Every story in one ``reut2-NNN.sgm`` file, in file order."""
    text = decode(doc.data)
    opens = list(_OPEN.finditer(text))
    if not opens:
        raise ParseError("no <REUTERS> stories found: not Reuters-21578 SGML")
    seen: set[str] = set()
    for index, match in enumerate(opens):
        end = opens[index + 1].start() if index + 1 < len(opens) else len(text)
        newid = _NEWID.search(match[1])
        record = newid[1] if newid else f"story-{index + 1}"
        if record in seen:
            record = f"{record}#{index + 1}"
        seen.add(record)
        story = text[match.end() : end]
        close = story.find(_CLOSE)
        if close < 0:
            yield RecordFailure(record, "story is cut off: no closing </REUTERS> tag")
            continue
        yield _story(doc, record, story[:close])


def _story(doc: SourceDoc, record: str, story: str) -> Article | RecordFailure:
    """One story's SGML (between ``<REUTERS>`` and ``</REUTERS>``) as an article."""
    text_match = _TEXT.search(story)
    if text_match is None:
        return RecordFailure(record, "story has no <TEXT> element")
    head = story[: text_match.start()]
    fields = {name: value for name, value in _TAG.findall(text_match[2])}
    body = fields.get("BODY")
    if body is None:
        body = _TAG.sub("", text_match[2])
    body = _unescape(body)
    if body.strip(" \t\n*") in ("", _PLACEHOLDER):
        body = ""
    paragraphs = _paragraphs(body)
    dateline = _one_line(_unescape(fields.get("DATELINE", "")))
    if dateline and paragraphs:
        paragraphs[0] = f"{dateline} {paragraphs[0]}"
    title = _one_line(_unescape(fields.get("TITLE", ""))).strip("* ")
    if not title and not paragraphs:
        kind = _attribute(text_match[1], "TYPE") or "regular"
        return RecordFailure(record, f"story has neither a title nor any text ({kind} story)")
    tags = _values(head, "TOPICS") + _values(head, "PLACES")
    try:
        return build_article(
            doc,
            fmt=FORMAT,
            title=title or None,
            body="\n\n".join(paragraphs),
            record=record,
            byline=_byline(fields.get("AUTHOR")),
            source=SOURCE,
            published=_published(head),
            language="en",
            tags=tags,
        )
    except ParseError as exc:
        return RecordFailure(record, str(exc))


def _unescape(text: str) -> str:
    """SGML text to plain text: control entities dropped, the three named ones resolved."""
    text = _NUMERIC_ENTITY.sub("", text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _paragraphs(body: str) -> list[str]:
    """Wire copy's paragraphs: each starts on an indented line; wrapped lines are joined."""
    if "^M" in body:
        body = _CARET_M.sub("", body)
    body = body.rstrip()
    sign_off = _SIGN_OFF.search(body, max(0, len(body) - 40))
    if sign_off:
        body = body[: sign_off.start()]
    return [line for part in _PARAGRAPH_START.split(body) if (line := _one_line(part))]


def _values(head: str, element: str) -> list[str]:
    """The ``<D>`` values of one category element (``TOPICS``, ``PLACES``)."""
    start = head.find(f"<{element}>")
    end = head.find(f"</{element}>", start)
    if start < 0 or end < 0:
        return []
    return [_unescape(value).strip() for value in _D.findall(head, start, end)]


def _attribute(attributes: str, name: str) -> str | None:
    match = re.search(rf'\b{name}="([^"]*)"', attributes)
    return match[1] if match else None


def _byline(author: str | None) -> str | None:
    """``By Janie Gabbett, Reuters`` becomes ``Janie Gabbett``."""
    if not author:
        return None
    return _BYLINE.sub("", _one_line(_unescape(author))) or None


def _published(head: str) -> PubDate | None:
    """The story's ``<DATE>``: day-month-year and a clock to the hundredth, taken as UTC.

    A garbled clock (``31-MAR-1987 605:12:19.12``) still gives the day.
    """
    start = head.find("<DATE>")
    end = head.find("</DATE>", start)
    if start < 0 or end < 0:
        return None
    raw = _one_line(_unescape(head[start + 6 : end]))
    match = _DATE.search(raw)
    month = _MONTHS.get(match[2].upper()) if match else None
    if match is None or month is None:
        return parse_date(raw)
    day = (int(match[3]), month, int(match[1]))
    clock = match[4] and (int(match[4]), int(match[5]), int(match[6]))
    fraction = int((match[7] or "0").ljust(6, "0"))
    try:
        if clock:
            value = datetime(*day, *clock, fraction, tzinfo=UTC)
            return from_datetime(value, match[0], "second")
        return from_datetime(datetime(*day, tzinfo=UTC), match[0], "day")
    except ValueError:
        return None
