"""Web archives: WARC and ARC files, gzipped or not, read with warcio.

Each captured HTML page (a ``response`` record, or a ``resource`` record holding HTML)
becomes one article through the HTML parser. Requests, metadata, revisits, redirects,
error pages and non-HTML payloads are skipped: they are not articles, and not failures.

The page's own publication date is kept when it has one; the capture date (``WARC-Date``)
is not a publication date and is never used as one. The captured address is the article's
``url`` when the page names no canonical one. A record is keyed by its ``WARC-Record-ID``
(an ARC record, which has none, by its URL and capture date).

A broken record gives a ``RecordFailure`` and the records before it are kept; where the
damage leaves the rest of the file unreadable, that is said in the failure. A file of
which not one record can be read raises ``ParseError``.
"""

from __future__ import annotations

import io
import logging
import re
import zlib
from collections.abc import Iterator

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeadersParserException

from archive.errors import ParseError
from archive.ingest.articles import SourceDoc
from archive.ingest.formats import html
from archive.ingest.inflating import GZIP, Inflating
from archive.models import Article, RecordFailure

FORMAT = "warc"
log = logging.getLogger(__name__)

_WARC_START = re.compile(rb"^\s*(WARC/\d|filedesc://)")
_NAMES = (".warc", ".arc", ".warc.gz", ".arc.gz", ".warc.gzip", ".arc.gzip")
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_PAGE_RECORDS = ("response", "resource")
#: what warcio raises on damaged input (some of it from its own unguarded code)
_DAMAGE = (
    ArchiveLoadFailed,
    StatusAndHeadersParserException,
    ValueError,
    EOFError,
    zlib.error,
    IndexError,
    KeyError,
    AttributeError,
    TypeError,
)


def sniff(head: bytes, name: str) -> bool:
    """A WARC (``WARC/1.x``) or ARC (``filedesc://``) file, gzipped or not."""
    if head.startswith(GZIP):
        try:
            head = zlib.decompressobj(31).decompress(head, 256)
        except zlib.error:
            return False
    return bool(_WARC_START.match(head)) or (
        name.lower().endswith(_NAMES) and head[:1].isalnum() and b"\x00" not in head[:256]
    )


def parse(doc: SourceDoc) -> Iterator[Article | RecordFailure]:
    """Every article captured in one WARC or ARC file.

    A gzipped archive is unpacked as it is read, and at most ``doc.unpacked.limit``
    bytes of it: past that, or at a ratio no web page compresses to, the rest is refused.
    """
    stream = _stream(doc)
    head = stream.peek(4096) if isinstance(stream, Inflating) else doc.data[:4096]
    if not _WARC_START.match(head):
        raise ParseError("not a WARC or ARC file (no WARC/ or filedesc:// header at the start)")
    is_arc = head.lstrip().startswith(b"filedesc://")
    records = ArchiveIterator(stream, arc2warc=True)
    seen: dict[str, int] = {}
    last = ""
    while True:
        try:
            record = next(records)
            last = _unique(_record_key(record, is_arc), seen)
            outcome = _article(doc, record, last)
        except StopIteration:
            return
        except ParseError as exc:  # unpacking refused to go on
            if not seen:
                raise
            yield RecordFailure(record=f"after {last}", reason=f"the rest is not read: {exc}")
            return
        except _DAMAGE as exc:
            if not seen:
                raise ParseError(f"unreadable web archive: {_reason(exc)}") from exc
            yield RecordFailure(
                record=f"after {last}",
                reason=f"damaged record; the rest of the archive is unreadable: {_reason(exc)}",
            )
            return
        if outcome is not None:
            yield outcome


def _article(doc: SourceDoc, record: ArcWarcRecord, key: str) -> Article | RecordFailure | None:
    """The article in one record; None when the record holds no page (not a failure)."""
    if record.rec_type not in _PAGE_RECORDS:
        return None
    if _broken_http(record):
        length = record.rec_headers.get_header("Content-Length")
        return RecordFailure(
            record=key,
            reason=f"HTTP response record holds no readable HTTP message (length {length!r})",
        )
    if not _is_success(record):
        return None
    try:
        payload = record.content_stream().read(html.MAX_HTML_BYTES + 1)
    except _DAMAGE as exc:
        return RecordFailure(record=key, reason=f"damaged record content: {_reason(exc)}")
    if not payload.strip() or not _is_html(record, payload):
        return None
    uri = record.rec_headers.get_header("WARC-Target-URI") or None
    try:
        return html.parse_html(
            doc, payload, record=key, url=uri, charset=_charset(record), fmt=FORMAT
        )
    except ParseError as exc:
        return RecordFailure(record=key, reason=str(exc))


def _stream(doc: SourceDoc) -> io.BytesIO | Inflating:
    """The archive's bytes, gzip members unpacked as they are read (one member per record
    or one for all); a damaged gzip member ends the stream after its last good byte."""
    if not doc.data.startswith(GZIP):
        return io.BytesIO(doc.data)
    return Inflating(doc.data, doc.unpacked.limit, count=doc.unpacked.add, strict=False)


def _record_key(record: ArcWarcRecord, is_arc: bool) -> str:
    """``WARC-Record-ID``; for an ARC record (whose id warcio invents) its URL and date."""
    headers = record.rec_headers
    if not is_arc and (record_id := headers.get_header("WARC-Record-ID")):
        return record_id.strip()
    uri = headers.get_header("WARC-Target-URI") or ""
    return f"{uri} {headers.get_header('WARC-Date') or ''}".strip()


def _unique(key: str, seen: dict[str, int]) -> str:
    """The key, with ``#n`` added when an archive repeats one (ids must stay distinct)."""
    count = seen.get(key, 0)
    seen[key] = count + 1
    return key if count == 0 else f"{key}#{count + 1}"


def _broken_http(record: ArcWarcRecord) -> bool:
    """A record that says it holds an HTTP response but has no status line."""
    declared = (record.rec_headers.get_header("Content-Type") or "").lower()
    if record.rec_type != "response" or not declared.startswith("application/http"):
        return False
    return record.http_headers is None or not record.http_headers.statusline.strip()


def _is_success(record: ArcWarcRecord) -> bool:
    """A resource, or a response whose HTTP status is 2xx (redirects and errors are not pages)."""
    if record.rec_type != "response" or record.http_headers is None:
        return True
    code = record.http_headers.get_statuscode()
    return not code or str(code).startswith("2")


def _content_type(record: ArcWarcRecord) -> str:
    headers = record.http_headers if record.http_headers is not None else record.rec_headers
    return (headers.get_header("Content-Type") or "").strip()


def _is_html(record: ArcWarcRecord, payload: bytes) -> bool:
    """HTML by the declared type; with no type declared, by its content."""
    declared = _content_type(record).split(";")[0].strip().lower()
    if declared and declared not in ("application/octet-stream", "unknown/unknown"):
        return declared in _HTML_TYPES
    return html.sniff(payload[:4096], "")


def _charset(record: ArcWarcRecord) -> str | None:
    match = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", _content_type(record), re.IGNORECASE)
    return match[1] if match else None


def _reason(exc: BaseException) -> str:
    """warcio's own message (its first lines), or a plain description of the damage."""
    if not isinstance(exc, ArchiveLoadFailed | StatusAndHeadersParserException | zlib.error):
        return "a record header is cut off or malformed"
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    text = " ".join(lines[:2]) if lines else type(exc).__name__
    return text[:200]
