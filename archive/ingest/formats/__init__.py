"""Which parser reads a source: recognised by content first, by file name second.

Each format module exposes ``FORMAT`` (its name), ``sniff(head, name)`` (a cheap test on
the first bytes and the file name) and ``parse(doc)`` (yields ``Article`` and
``RecordFailure``; raises ``ParseError`` when the whole source is unreadable).
The order below is the order of sniffing: specific formats first, plain text last.

Format modules are imported on first use, each on its own: a library a parser needs that
cannot be imported (a broken or missing install) costs only the sources of that format,
which fail with "<format> support is unavailable: <the import error>", never every source.
Parsers import their heaviest libraries (trafilatura) when they first parse, so their
sniffers keep recognising the format even then.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterator
from functools import cache
from types import ModuleType

from archive.errors import ParseError, UnsupportedFormat
from archive.ingest.articles import SourceDoc
from archive.models import Article, RecordFailure

log = logging.getLogger(__name__)

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


#: how messages name a format, where its name alone does not say it
LABELS = {"html": "HTML", "warc": "WARC", "nitf": "NITF", "newsml": "NewsML", "csv": "CSV"}


@cache
def _module(name: str) -> ModuleType | ImportError:
    """The format module ``name``, or the error that kept it from importing."""
    try:
        return importlib.import_module(f"archive.ingest.formats.{name}")
    except ImportError as exc:
        log.warning("the %s format is unavailable: %s", name, exc)
        return exc


def modules() -> list[ModuleType]:
    """The format modules that import, in sniffing order."""
    return [module for name in MODULES if isinstance(module := _module(name), ModuleType)]


def unavailable() -> dict[str, str]:
    """Format modules that could not be imported, and why."""
    return {name: str(error) for name in MODULES if isinstance(error := _module(name), ImportError)}


def label(fmt: str) -> str:
    """How messages name format ``fmt`` (``HTML``, ``feed``)."""
    return LABELS.get(fmt, fmt)


def detect(data: bytes, name: str) -> str:
    """The name of the format that reads ``data``; raises ``UnsupportedFormat``."""
    head = data[:SNIFF_BYTES]
    for module in modules():
        if module.sniff(head, name):
            return str(module.FORMAT)
    from archive.ingest.formats import text  # like every parser, on first use

    kind = text.structured(head)
    if kind is not None:
        raise UnsupportedFormat(f"{kind} of a kind the archive does not read")
    raise UnsupportedFormat("not a format the archive reads (binary content)")


def parse(doc: SourceDoc, fmt: str) -> Iterator[Article | RecordFailure]:
    """Parse ``doc`` with the parser of format ``fmt``."""
    for module in modules():
        if fmt == module.FORMAT:
            return _guarded(module, doc)
    raise UnsupportedFormat(f"no parser for format {fmt!r}")


def _guarded(module: ModuleType, doc: SourceDoc) -> Iterator[Article | RecordFailure]:
    """The parser's output; a library it cannot import fails the source with the reason."""
    try:
        yield from module.parse(doc)
    except ImportError as exc:
        reason = " ".join(str(exc).split())  # one line, as every failure reason
        raise ParseError(f"{label(module.FORMAT)} support is unavailable: {reason}") from exc
