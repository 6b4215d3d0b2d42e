"""CSV with a header row: one article per row.

The header names the fields, mapped as ``archive.ingest.formats.tabular`` documents (``title``,
``body``, ``date``, ``url``, ``tags`` ...). The delimiter is a comma, semicolon, tab or
pipe, whichever lets the header name the most known fields. Sniffing is conservative so
that prose is never taken for CSV: every header cell must be a short name and at least
two must be known fields, one of them the title or the body.

A row whose number of cells differs from the header's, or that the csv module cannot
read, is a ``RecordFailure``; the other rows still parse.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

from archive.errors import ParseError
from archive.ingest.articles import SourceDoc
from archive.ingest.formats.tabular import TEXT_FIELDS, known_fields, record_article
from archive.ingest.text.encoding import decode
from archive.models import Article, RecordFailure

FORMAT = "csv"
MAX_ROWS = 5_000_000
DELIMITERS = (",", ";", "\t", "|")
_CELL_NAME = re.compile(r"^[A-Za-z][\w .-]{0,39}$")


def sniff(head: bytes, name: str) -> bool:
    """A complete first line that is a header naming known fields."""
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    line, newline, _rest = text.partition("\n")
    return bool(newline) and header_delimiter(line) is not None


def header_delimiter(line: str) -> str | None:
    """The delimiter that makes ``line`` a header of known fields, or ``None``."""
    best: tuple[int, str] | None = None
    for delimiter in DELIMITERS:
        try:
            cells = next(csv.reader([line.rstrip("\r")], delimiter=delimiter), [])
        except csv.Error:
            continue
        cells = [cell.strip() for cell in cells]
        if len(cells) < 2 or not all(_CELL_NAME.match(cell) for cell in cells):
            continue
        fields = set(known_fields(cells))
        usable = len(fields) >= 2 and bool(TEXT_FIELDS & fields)
        if usable and (best is None or len(fields) > best[0]):
            best = (len(fields), delimiter)
    return best[1] if best else None


def parse(doc: SourceDoc) -> Iterator[Article | RecordFailure]:
    """Every row after the header, in file order."""
    text = decode(doc.data).lstrip("\ufeff")
    delimiter = header_delimiter(text.partition("\n")[0])
    if delimiter is None:
        raise ParseError("no CSV header row naming known fields (title, body, date, ...)")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [cell.strip() for cell in next(reader)]
    seen: set[str] = set()
    line = reader.line_num + 1
    for _count in range(MAX_ROWS):
        record = f"line-{line}"
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield RecordFailure(record, f"line {line} cannot be read as CSV: {exc}")
            line = reader.line_num + 1
            continue
        if row and len(row) != len(header):
            reason = f"line {line} has {len(row)} cells, the header has {len(header)}"
            yield RecordFailure(record, reason)
        elif row:
            yield record_article(doc, FORMAT, dict(zip(header, row, strict=True)), record, seen)
        line = reader.line_num + 1
