"""Unpacking gzip as it is read, counting every byte: the bound on compressed input.

``Inflating`` reads a gzip stream (all its members) forward, a chunk at a time, and
raises ``ParseError`` as soon as it has unpacked more than its limit or at more than
``MAX_RATIO`` to 1, so a bomb costs the work of its limit and never its size in memory.
``Unpacked`` adds up what a whole run unpacks (containers, web archives), so a run can
stop opening compressed sources once it has unpacked its budget.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable

from archive.errors import ParseError

GZIP = b"\x1f\x8b"
#: the highest uncompressed-to-compressed ratio believed for more than ``RATIO_FLOOR`` bytes
MAX_RATIO = 200
RATIO_FLOOR = 1024 * 1024
#: compressed bytes handed to zlib at a time
_FEED = 1 << 16
#: bytes kept behind the read position, so a reader may step back a little (tar does)
_BEHIND = 1 << 16


class Unpacked:
    """Bytes unpacked so far (in one run, or one source), and the most allowed (``limit``,
    for what enforces its own)."""

    def __init__(self, limit: int = 1 << 62) -> None:
        self.bytes = 0
        self.limit = limit

    def add(self, count: int) -> None:
        self.bytes += count


class Exhausted(ParseError):
    """A container unpacked more than it may: nothing after this point is read."""


class Inflating:
    """A gzip stream unpacked as it is read, forward only (with a short step back, as
    tarfile takes).

    ``limit`` bounds what it unpacks (``Exhausted`` past it), ``count`` is told every
    chunk unpacked. A ``strict`` stream raises ``ParseError`` for corrupt or cut-off
    data; a lenient one ends there, after the last good byte (web archives keep the
    records before the damage).
    """

    def __init__(
        self,
        data: bytes,
        limit: int,
        count: Callable[[int], None] | None = None,
        strict: bool = True,
    ) -> None:
        self._data = data
        self._offset = 0
        self._tail = b""
        self._inflater: zlib._Decompress | None = zlib.decompressobj(31)
        self._limit = limit
        self._count = count
        self._strict = strict
        #: bytes unpacked: those before ``_at`` were read (a little is kept for a step
        #: back), those after it are to be read
        self._buffer = b""
        self._at = 0
        self.position = 0
        self.unpacked = 0

    # the file interface tarfile and warcio use ------------------------------------------

    def read(self, size: int = -1) -> bytes:
        want = size if size is not None and size >= 0 else 1 << 62
        while len(self._buffer) - self._at < want:
            chunk = self._more(max(want - (len(self._buffer) - self._at), _FEED * 4))
            if not chunk:
                break
            keep = max(0, self._at - _BEHIND)
            self._buffer = self._buffer[keep:] + chunk
            self._at -= keep
        data = self._buffer[self._at : self._at + want]
        self._at += len(data)
        self.position += len(data)
        if self.position > self.unpacked:  # counted as read (not as read ahead), once
            self._counted(self.position - self.unpacked)
        return data

    def peek(self, size: int) -> bytes:
        """The next ``size`` bytes, without moving on."""
        data = self.read(size)
        self.seek(self.position - len(data))
        return data

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int, whence: int = 0) -> int:
        if whence not in (0, 1):
            raise OSError("a gzip stream being unpacked cannot seek from its end")
        target = offset if whence == 0 else self.position + offset
        if target < self.position:
            back = self.position - target
            if back > self._at:
                raise OSError("a gzip stream being unpacked cannot go back that far")
            self._at -= back
            self.position = target
        while self.position < target:
            if not self.read(min(target - self.position, _FEED * 4)):
                break
        return self.position

    def seekable(self) -> bool:
        return True

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self._inflater = None

    # unpacking ------------------------------------------------------------------------

    def _more(self, want: int) -> bytes:
        """Up to ``want`` new bytes; ``b""`` at the end of the stream."""
        while self._inflater is not None:
            if not self._tail and self._offset < len(self._data):
                self._tail = self._data[self._offset : self._offset + _FEED]
                self._offset += len(self._tail)
            try:
                chunk = self._inflater.decompress(self._tail, want)
            except zlib.error as exc:
                return self._damaged(f"corrupt gzip data: {exc}")
            self._tail = self._inflater.unconsumed_tail
            if self._inflater.eof:
                self._next_member()
            elif not chunk and not self._tail and self._offset >= len(self._data):
                return self._damaged("gzip file is cut off before its end")
            if chunk:
                return chunk
        return b""

    def _next_member(self) -> None:
        """After one gzip member: the next one, if another follows (trailing bytes are not)."""
        assert self._inflater is not None
        rest = self._inflater.unused_data
        following = rest + self._data[self._offset : self._offset + 2]
        if following.startswith(GZIP):
            self._tail = rest
            self._inflater = zlib.decompressobj(31)
        else:
            self._inflater = None

    def _damaged(self, reason: str) -> bytes:
        self._inflater = None
        if self._strict or not self._buffer:
            raise ParseError(reason)
        return b""

    def _counted(self, count: int) -> None:
        self.unpacked += count
        if self._count is not None:
            self._count(count)
        if self.unpacked > self._limit:
            raise Exhausted(f"unpacks to more than {size_text(self._limit)}")
        check_ratio(self.unpacked, len(self._data))


def check_ratio(size: int, compressed: int) -> None:
    """``ParseError`` for more than ``RATIO_FLOOR`` bytes unpacked at above ``MAX_RATIO``:1."""
    if size > RATIO_FLOOR and size > MAX_RATIO * max(compressed, 1):
        raise ParseError(
            f"compression ratio above {MAX_RATIO}:1 ({size} bytes from {compressed}); "
            "refused as a likely zip bomb"
        )


def size_text(count: int) -> str:
    return f"{count >> 20} MB" if count >= 1 << 20 else f"{count} bytes"
