"""Agency wire text: IPTC 7901 and ANPA-1312 messages, as saved from a wire feed.

Both frame a message with control characters: SOH (and, for ANPA, two SYN) before a
header, STX before the text, ETX after it, then a time stamp, EOT at the very end.

IPTC 7901 (dpa and others): the header line gives service, sequence, priority, category,
word count and the source agency (``eca0124 3 i 93  dpa 1888``); keyword lines follow
(``Yemen/conflict/``, read as tags). After STX come labels (``EXTRA``, ``1ST LEAD``), the
headline and a ``By ... =`` byline up to the first blank line, then the body. The
editors' notebook (``# Notebook``, "not for publication") and the closing initials are
left out. The trailer reads ``131137 GMT Nov 13``.

ANPA-1312 (AP): the second header line gives priority, category, the keyword slug, the
take key, the date and word count. Text lines starting ``^`` are headings (slug line,
headline, photo and editor notes, ``By ...=`` byline and the writer's title), lines
starting with a tab are body paragraphs, lines starting with a TLI are table rows. The
trailer reads ``AP-WF-11-13-13 1509GMT``.

A keyword line or slug naming a service item (``ADVISORY``, ``BC-Budget``, ``Achtung``)
gives the ``service-message`` tag (``archive.ingest.text.pubstatus``). A file may hold several
messages one after another; each is a record of its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from archive.errors import ParseError
from archive.ingest.articles import SourceDoc, clean_line
from archive.ingest.text.agency import Outcome, Story, clean_byline, deliver
from archive.ingest.text.dates import parse_wire_stamp
from archive.ingest.text.encoding import decode
from archive.ingest.text.paragraphs import plain_paragraphs
from archive.ingest.text.pubstatus import status_tags
from archive.models import Article, RecordFailure

FORMAT = "wire"

SOH, STX, ETX, EOT, SYN = "\x01", "\x02", "\x03", "\x04", "\x16"
MAX_WIRE_BYTES = 16 * 1024 * 1024
_START = re.compile(rb"^\x16{0,4}\x01[A-Za-z]{0,6}\d{1,6}[ \x1f]")
_MESSAGE = re.compile(r"\x16{0,4}\x01")
_IPTC_HEADER = re.compile(r"^([A-Za-z]*\d+)\s+(\S+)\s+(\S+)\s+(\d+)\s*(.*)$")
_ANPA_HEADER = re.compile(
    r"^[a-z] [a-z][\x13\x14][\x11\x12] (\S+)\s+(.*?)\s*(\d{1,2}-\d{1,2})?\s+\d{0,4}\s*$", re.I
)
_NOTEBOOK = re.compile(
    r"^(?:#+\s*(?:dpa\s+)?notebook\b|\* \* \* \*|the following information is not"
    r"(?: intended)? for publication)",
    re.IGNORECASE | re.MULTILINE,
)
_INITIALS = re.compile(r"^(?:[A-Za-z][\w-]{1,9}\s+)?(?:[a-z]{2,4}\s*){1,6}$")
_LABEL = re.compile(r"^(?:[^a-z]{1,30}|\([^)]{1,30}\))$")
_ANPA_NOTE = re.compile(r"^\(?(?:AP Photos?\b|AP Video|AP Graphic|Eds?:|EDITOR'S NOTE|With AP)")
_WRITER_TITLE = re.compile(
    r"Associated Press|Writer|Correspondent|Editor|Reporter|Columnist|Staff|\bAP\b"
)
_SLUG = re.compile(r"^(?:[A-Z]{2}-(?:[A-Z]{2,4}--)?)?(.+?)(?:,.*)?$")
_ANPA_TRAILER = re.compile(r"([A-Z]{2,})-[A-Z]{1,3}-(\d{1,2}-\d{1,2}-\d{2}\s+\d{4}\s*GMT)")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def sniff(head: bytes, name: str) -> bool:
    """SOH (after up to four SYN) and a header, with STX further on."""
    return _START.match(head) is not None and b"\x02" in head


def parse(doc: SourceDoc) -> Iterator[Article | RecordFailure]:
    """Every wire message in the file; see the module docstring."""
    if len(doc.data) > MAX_WIRE_BYTES:
        raise ParseError(f"wire file too large ({len(doc.data)} bytes)")
    text = decode(doc.data).replace("\r\n", "\n").replace("\r", "\n")
    starts = [match.start() for match in _MESSAGE.finditer(text)]
    if not starts or STX not in text:
        raise ParseError("no wire message (SOH header and STX text) found")
    messages = [text[a:b] for a, b in zip(starts, [*starts[1:], len(text)], strict=True)]
    outcomes: list[Outcome] = []
    for index, message in enumerate(messages, start=1):
        record = "" if len(messages) == 1 else f"message-{index}"
        story = _read(message)
        if story is None:
            outcomes.append(Outcome(record, reason="wire message has no text (no STX)"))
        else:
            outcomes.append(Outcome(record, story=story))
    yield from deliver(doc, FORMAT, outcomes, label="wire")


def _read(message: str) -> Story | None:
    header, stx, rest = message.partition(STX)
    if not stx:
        return None
    content, _etx, trailer = rest.partition(ETX)
    header = header.lstrip(SYN).lstrip(SOH)
    if message.startswith(SYN) or "\x1f" in header.split("\n", 1)[0]:
        return _read_anpa(header, content, trailer)
    return _read_iptc7901(header, content, trailer)


def _read_iptc7901(header: str, content: str, trailer: str) -> Story:
    first, _, keywords = header.partition("\n")
    match = _IPTC_HEADER.match(first.strip())
    source = None
    if match:
        tokens = match[5].split()
        if tokens and tokens[-1].isdigit():
            tokens = tokens[:-1]
        source = tokens[-1] if tokens else None
    heading, _, body = content.lstrip("\n").partition("\n\n")
    lines = [line for raw in heading.split("\n") if (line := clean_line(raw.strip().rstrip("=")))]
    if not body.strip() and len(lines) > 1:
        lines, body = lines[:1], "\n".join(lines[1:])
    byline = next((clean_byline(line) for line in lines if re.match(r"^By\s", line)), None)
    title_lines = [line for line in lines if not re.match(r"^By\s", line)]
    while len(title_lines) > 1 and _LABEL.match(title_lines[0]):
        title_lines.pop(0)
    notebook = _NOTEBOOK.search(body)
    paragraphs = plain_paragraphs(body[: notebook.start()] if notebook else body)
    while paragraphs and _INITIALS.match(paragraphs[-1]):
        paragraphs.pop()
    return Story(
        title=" ".join(title_lines) or None,
        paragraphs=paragraphs,
        byline=byline,
        source=source,
        published=parse_wire_stamp(_CONTROL.sub(" ", trailer).strip()),
        tags=[
            *(word for line in keywords.split("\n") for word in line.strip().split("/") if word),
            *status_tags(kinds=[line for line in keywords.split("\n") if line.strip()][:1]),
        ],
    )


def _read_anpa(header: str, content: str, trailer: str) -> Story:
    lines = header.split("\n")
    slug_match = _ANPA_HEADER.match(lines[1].strip("\n")) if len(lines) > 1 else None
    headings: list[str] = []
    body: list[str] = []
    for raw in content.split("\n"):
        if raw.startswith(("\t", "\x08")) or (body and raw.startswith("^")):
            body.append(raw)
        elif raw.startswith("^") and not body:
            headings.append(raw.lstrip("^").strip().rstrip("<=").strip())
    story, extras, summary = _anpa_headings(headings)
    story.paragraphs = [*extras, *_anpa_paragraphs(body)] or summary
    if slug := _keyword(headings[0] if headings else (slug_match[1] if slug_match else "")):
        story.tags = [slug, *status_tags(kinds=[slug])]
        if story.title is None and " " in slug:
            story.title = slug
    stamp = _ANPA_TRAILER.search(trailer)
    if stamp:
        story.source = stamp[1]
        story.published = parse_wire_stamp(stamp[2])
    return story


def _anpa_headings(headings: list[str]) -> tuple[Story, list[str], list[str]]:
    """Headline and byline; the lines after the byline; the summary lines before it.

    The first heading is the slug line. Lines after the byline (table headings such as
    ``AMERICAN LEAGUE``) belong to the body; lines between headline and byline are a
    summary, the text of a story that has no body of its own.
    """
    story = Story()
    extras: list[str] = []
    summary: list[str] = []
    after_byline = False
    for line in headings[1:]:
        if not line or _ANPA_NOTE.match(line):
            continue
        if re.match(r"^By\s", line):
            story.byline = clean_byline(line)
            after_byline = True
        elif after_byline and not extras and _WRITER_TITLE.search(line):
            continue
        elif story.title is None:
            story.title = line
        elif after_byline:
            extras.append(line)
        else:
            summary.append(line)
    return story, extras, summary


def _anpa_paragraphs(lines: list[str]) -> list[str]:
    """Body lines as paragraphs; consecutive table rows kept together as one."""
    paragraphs: list[str] = []
    table: list[str] = []
    for raw in lines:
        is_row = raw.startswith("\x08") or raw.startswith("^")
        text = " ".join(_CONTROL.sub(" ", raw).strip().lstrip("^").rstrip("<=").split())
        if text.upper() == "END":
            continue
        if is_row:
            if text:
                table.append(text)
            continue
        if table:
            paragraphs.append("\n".join(table))
            table = []
        if any(c.isalnum() for c in text):
            paragraphs.append(text)
    if table:
        paragraphs.append("\n".join(table))
    return paragraphs


def _keyword(slug_line: str) -> str | None:
    """``BC-LT--Argentina-Cancer Beauty,466`` gives ``Argentina-Cancer Beauty``."""
    last = slug_line.split("^")[-1].strip().rstrip("<").strip()
    match = _SLUG.match(last)
    return clean_line(match[1]) if match else None
