"""JSON Lines: one JSON object per line, one article per object.

The fields are mapped as ``archive.ingest.formats.tabular`` documents (``title``/``headline``,
``body``/``text``/``content``/``article``, ``date``, ``url``, ``tags``, ``id`` ...). A
line that is not a JSON object, or an object with neither a title nor a body, is a
``RecordFailure``; the other lines still parse. Blank lines are skipped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from archive.errors import ParseError
from archive.ingest.articles import SourceDoc
from archive.ingest.formats.tabular import TEXT_FIELDS, known_fields, record_article
from archive.ingest.text.encoding import decode
from archive.models import Article, RecordFailure

FORMAT = "jsonl"
MAX_LINES = 5_000_000
_NAMES = (".jsonl", ".ndjson", ".jsonlines")
_TEXT_KEY = re.compile(
    rb'^\s*\{.*?"(?:title|headline|body|text|content|article)"\s*:', re.IGNORECASE | re.DOTALL
)


def sniff(head: bytes, name: str) -> bool:
    """A first line that is a JSON object with a title or body field.

    A first line longer than the head is judged by its opening: a ``{`` and a title or
    body key. A pretty-printed JSON document (first line ``{``) is not JSON Lines.
    """
    head = head.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n")
    if not head.startswith(b"{"):
        return False
    line, newline, _rest = head.partition(b"\n")
    named = name.lower().endswith(_NAMES)
    try:
        value = json.loads(line)
    except (ValueError, RecursionError):
        return not newline and (named or _TEXT_KEY.match(line) is not None)
    if not isinstance(value, dict):
        return False
    return named or bool(TEXT_FIELDS & set(known_fields(list(value))))


def parse(doc: SourceDoc) -> Iterator[Article | RecordFailure]:
    """Every line's object, in file order."""
    text = decode(doc.data).lstrip("\ufeff")
    if not text.strip():
        raise ParseError("empty file")
    objects = 0
    seen: set[str] = set()
    for number, line in enumerate(text.split("\n")[:MAX_LINES], start=1):
        if not line.strip():
            continue
        record = f"line-{number}"
        try:
            value = json.loads(line)
        except ValueError as exc:
            reason = getattr(exc, "msg", str(exc))
            yield RecordFailure(record, f"line {number} is not valid JSON: {reason}")
            continue
        except RecursionError:
            yield RecordFailure(record, f"line {number} is nested too deeply")
            continue
        if not isinstance(value, dict):
            kind = type(value).__name__
            yield RecordFailure(record, f"line {number} is a JSON {kind}, not an object")
            continue
        objects += 1
        yield record_article(doc, FORMAT, value, record, seen)
    if not objects:
        raise ParseError("no line of the file is a JSON object: not JSON Lines")
