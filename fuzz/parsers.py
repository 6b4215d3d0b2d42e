"""Coverage-guided fuzzing of every parser with atheris (libFuzzer for Python).

    python fuzz/parsers.py TARGET [libFuzzer options] [corpus folders]
    python fuzz/parsers.py --list

A target feeds the fuzzer's bytes to one parser. The only errors it may raise are ours
(``ParseError`` and its children for ingest, ``QueryError`` for the query language, none
for dates and decoding); anything else is a crash, and an input that takes longer than
5 seconds is a hang (``-timeout=5`` unless given). Crashing inputs are written to
``test-artifacts/fuzz/``. A few small seed documents per target are always added to the
corpus; the README's "Fuzzing" section shows a long run.
"""

from __future__ import annotations

import contextlib
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import atheris

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

with atheris.instrument_imports(include=["archive"]):
    from archive import query
    from archive.errors import ParseError, QueryError
    from archive.indexing.parsing import parse_source
    from archive.ingest import containers, formats
    from archive.ingest.articles import SourceDoc
    from archive.ingest.text import dates, encoding, xmlsafe

    MODULES = formats.modules()  # imports every format module, instrumented

ARTIFACTS = ROOT / "test-artifacts" / "fuzz"

_NITF = (
    b'<?xml version="1.0"?><nitf><head><title>Rice</title><docdata><date.issue norm='
    b'"20030615T000000Z"/></docdata></head><body><body.head><hedline><hl1>Rice harvest</hl1>'
    b"</hedline><byline>By Jane Doe</byline></body.head><body.content><p>Farmers said.</p>"
    b"</body.content></body></nitf>"
)
_RSS = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title><item>'
    b"<title>Rice</title><guid>a1</guid><pubDate>Sun, 15 Jun 2003 10:00:00 GMT</pubDate>"
    b"<description>Farmers &lt;b&gt;said&lt;/b&gt;.</description></item></channel></rss>"
)
_G2 = (
    b'<?xml version="1.0"?><newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="x">'
    b"<itemMeta><itemClass qcode='ninat:text'/></itemMeta><contentMeta><headline>Rice"
    b"</headline></contentMeta><contentSet><inlineXML><html><body><p>Farmers.</p></body>"
    b"</html></inlineXML></contentSet></newsItem>"
)
SEEDS: dict[str, list[bytes]] = {
    "text": [b"Title: Rice\nDate: 2003-06-15\n\nFarmers said.\n", b"\xe2\x80\xa2 Kyodo\n\nA."],
    "html": [b"<!DOCTYPE html><html><head><title>Rice</title></head><body><p>A.</p></body>"],
    "nitf": [_NITF],
    "newsml": [_G2, b"<NewsML><NewsItem><NewsComponent><HeadLine>Rice</HeadLine>"],
    "ninjs": [b'{"uri": "u", "type": "text", "headline": "Rice", "body_text": "Farmers."}'],
    "wire": [b"\x16\x16\x01a0001 r AM-Rice 06-15\x02  Farmers said.\x03"],
    "warc": [b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 4\r\n\r\nabcd\r\n\r\n"],
    "reuters": [b'<REUTERS NEWID="1"><DATE>26-FEB-1987</DATE><TEXT><TITLE>RICE</TITLE>'],
    "feed": [_RSS, b'{"version": "https://jsonfeed.org/version/1.1", "items": []}'],
    "jsonl": [b'{"title": "Rice", "body": "Farmers.", "date": "2003-06-15"}\n'],
    "csv": [b"title,body,date\nRice,Farmers said.,2003-06-15\n"],
    "detect": [_NITF, _RSS, _G2, b"Rice\n\nFarmers said.\n"],
    "containers": [b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\x0b\xca\x4c\x4e\x05\x00\x59"],
    "xml": [_NITF, b'<!DOCTYPE a [<!ENTITY e SYSTEM "file:///etc/passwd">]><a>&e;</a>'],
    "dates": [b"2003-06-15", b"Sun, 15 Jun 2003 10:00:00 GMT", b"26-FEB-1987 15:01:01.79"],
    "encoding": [b"caf\xc3\xa9 caf\xe9", b"\xff\xfeA\x00"],
    "query": [b'hokkaido "peace treaty"~3 -kunashiri date:[2002-01-01 TO 2002-06-30] koiz*'],
}


def _parser(fmt: str) -> Callable[[bytes], None]:
    def run(data: bytes) -> None:
        try:
            for _ in formats.parse(SourceDoc("/fuzz/input", data, "0" * 16), fmt):
                pass
        except ParseError:
            pass

    return run


def _detect(data: bytes) -> None:
    parsed = parse_source("/fuzz/input", data)
    if parsed.error and " parser failed: " in parsed.error:
        raise AssertionError(parsed.error)  # a parser raised something not ours


def _containers(data: bytes) -> None:
    try:
        for _ in containers.members(data, "input.zip"):
            pass
    except ParseError:
        pass


def _xml(data: bytes) -> None:
    with contextlib.suppress(ParseError):
        xmlsafe.parse_xml(data, recover=bool(data[:1]) and data[0] % 2 == 1)


def _dates(data: bytes) -> None:
    dates.parse_date(data.decode("utf-8", errors="replace"))


def _encoding(data: bytes) -> None:
    encoding.decode(data)
    encoding.is_text(data)


def _query(data: bytes) -> None:
    provider = atheris.FuzzedDataProvider(data)
    text = provider.ConsumeUnicodeNoSurrogates(len(data))
    with contextlib.suppress(QueryError):
        query.parse(text, mode="any" if len(data) % 2 else "all")


TARGETS: dict[str, Callable[[bytes], None]] = {
    **{module.FORMAT: _parser(module.FORMAT) for module in MODULES},
    "detect": _detect,
    "containers": _containers,
    "xml": _xml,
    "dates": _dates,
    "encoding": _encoding,
    "query": _query,
}


def main(argv: list[str]) -> None:
    if len(argv) < 2 or argv[1] not in TARGETS:
        print("targets:", " ".join(sorted(TARGETS)))
        sys.exit(0 if argv[1:2] == ["--list"] else 2)
    name, options = argv[1], argv[2:]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    seeds = Path(tempfile.mkdtemp(prefix=f"fuzz-{name}-"))
    for number, seed in enumerate(SEEDS.get(name, [])):
        (seeds / f"seed-{number}").write_bytes(seed)
    defaults = ["-timeout=5", "-rss_limit_mb=4096", f"-artifact_prefix={ARTIFACTS}/{name}-"]
    given = {option.split("=")[0] for option in options if option.startswith("-")}
    options = [d for d in defaults if d.split("=")[0] not in given] + options
    atheris.Setup([argv[0], *options, str(seeds)], TARGETS[name])
    atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv)
