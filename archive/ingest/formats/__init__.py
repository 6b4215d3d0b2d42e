"""Which parser reads a source: recognised by content first, by file name second.

Each format module exposes ``FORMAT`` (its name), ``sniff(head, name)`` (a cheap test on
the first bytes and the file name) and ``parse(doc)`` (yields ``Article`` and
``RecordFailure``; raises ``ParseError`` when the whole source is unreadable).
The order below is the order of sniffing: specific formats first, plain text last.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from functools import cache
from types import ModuleType

from archive.errors import UnsupportedFormat
from archive.ingest.articles import SourceDoc
from archive.ingest.formats import text
from archive.models import Article, RecordFailure

SNIFF_BYTES = 4096

#: modules under archive.ingest.formats, most specific first; ``text`` accepts what is left
MODULES: tuple[str, ...] = (
    "nitf",
    "newsml",
    "ninjs",
    "wire",
    "warc",
    "reuters",
    "feeds",
    "jsonl",
    "csvfile",
    "html",
    "text",
)


@cache
def _module(name: str) -> ModuleType:
    return importlib.import_module(f"archive.ingest.formats.{name}")


def modules() -> list[ModuleType]:
    return [_module(name) for name in MODULES]


def detect(data: bytes, name: str) -> str:
    """The name of the format that reads ``data``; raises ``UnsupportedFormat``."""
    head = data[:SNIFF_BYTES]
    for module in modules():
        if module.sniff(head, name):
            return str(module.FORMAT)
    kind = text.structured(head)
    if kind is not None:
        raise UnsupportedFormat(f"{kind} of a kind the archive does not read")
    raise UnsupportedFormat("not a format the archive reads (binary content)")


def parse(doc: SourceDoc, fmt: str) -> Iterator[Article | RecordFailure]:
    """Parse ``doc`` with the parser of format ``fmt``."""
    for module in modules():
        if fmt == module.FORMAT:
            return iter(module.parse(doc))
    raise UnsupportedFormat(f"no parser for format {fmt!r}")
