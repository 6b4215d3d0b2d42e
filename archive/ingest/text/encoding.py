"""Turning bytes into text without ever failing on an odd byte."""

from __future__ import annotations

import codecs

import charset_normalizer


def _known(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name.strip().strip("\"'")).name
    except LookupError:
        return None


def decode(data: bytes, declared: str | None = None) -> str:
    """Decode ``data`` to text: BOM, then strict UTF-8, then the declared charset, then a guess.

    A file that is UTF-8 but for a stray latin-1/cp1252 byte (common in saved news text)
    decodes as UTF-8 with that byte read as cp1252, rather than the whole file being
    re-read in a single-byte charset.
    """
    for bom, name in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            return data[len(bom) :].decode(name, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        utf8_error = exc
    declared_name = _known(declared)
    if declared_name and declared_name not in ("utf-8", "ascii"):
        try:
            return data.decode(declared_name)
        except UnicodeDecodeError:
            pass
    if _mostly_utf8(data, utf8_error):
        return data.decode("utf-8", errors="cp1252_fallback")
    best = charset_normalizer.from_bytes(data[:200_000]).best()
    if best is not None:
        try:
            return data.decode(best.encoding, errors="replace")
        except LookupError:
            pass
    return data.decode("cp1252", errors="cp1252_fallback")


def is_text(data: bytes) -> bool:
    """Whether ``data`` reads as text in some encoding: a BOM, UTF-8 (a few stray bytes
    allowed) or a charset the guesser finds plausible. Random or corrupt bytes do not,
    though ``decode`` would still turn them into (meaningless) characters."""
    if data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    try:
        data.decode("utf-8")
        return True
    except UnicodeDecodeError as exc:
        if _mostly_utf8(data, exc):
            return True
    return charset_normalizer.from_bytes(data[:200_000]).best() is not None


def _mostly_utf8(data: bytes, error: UnicodeDecodeError) -> bool:
    """True when the bytes hold valid multi-byte UTF-8 sequences or only a few bad bytes."""
    bad = 0
    position = error.start
    while True:
        bad += 1
        if bad > 8:
            return False
        try:
            data[position + 1 :].decode("utf-8")
            return True
        except UnicodeDecodeError as exc:
            position = position + 1 + exc.start


def _cp1252_fallback(exc: UnicodeError) -> tuple[str, int]:
    """Codec error handler: read each undecodable byte as cp1252 (latin-1 where undefined)."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    raw = exc.object[exc.start : exc.end]
    text = "".join(
        bytes([b]).decode("cp1252", errors="ignore") or bytes([b]).decode("latin-1") for b in raw
    )
    return text, exc.end


codecs.register_error("cp1252_fallback", _cp1252_fallback)
