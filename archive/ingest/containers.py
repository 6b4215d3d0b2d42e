"""Archives read in place: ``.gz``, ``.zip``, ``.tar``, ``.tar.gz``/``.tgz``.

``is_container(head, name)`` tells whether a source is an archive whose members are
sources of their own; ``members(data, name, limits, run)`` yields ``(path, bytes)`` for
each regular file inside, in archive order, where ``path`` is the member's chain of
``Name``s (one per level of nesting). Nothing is ever written to disk and member names
are labels only (``../../etc/passwd`` is just a name); the caller makes keys of them
(``ingest.keys``).

Work is bounded whatever the input: every byte unpacked is counted while it streams
(``Unpacked``) and reading stops at the limit, before anything is parsed. A member may
not exceed ``Limits.member_bytes`` (the limit on a file), nor unpack at more than
``MAX_RATIO`` to 1; one container, nested archives included, may unpack at most
``Limits.container_bytes`` and hold ``Limits.members`` members. A gzipped tar is
unpacked as it is read, one member at a time, never whole.

A member that cannot be read (too large, a zip bomb, a bad checksum, encrypted, cut
off) is yielded as ``(path, ParseError)`` so the caller can record that one failure and
keep the members before and after it. An archive that cannot be opened at all raises
``ParseError``. Archives inside archives are opened too, up to ``MAX_DEPTH`` levels.

A gzipped WARC or ARC file (``.warc.gz``, ``.arc.gz``, or any gzip whose content starts
like one) is not a container: the WARC reader reads gzip itself (``Inflating``), record
by record. Zip-based documents (EPUB, OpenDocument, Office Open XML) are not containers.
"""

from __future__ import annotations

import io
import logging
import lzma
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO

from archive.errors import ParseError
from archive.ingest.inflating import GZIP, Exhausted, Inflating, Unpacked, check_ratio, size_text

log = logging.getLogger(__name__)

MAX_DEPTH = 3
#: bytes read from a member at a time, so a limit stops the reading soon after it is passed
CHUNK = 1 << 20

_ZIP = (b"PK\x03\x04", b"PK\x05\x06")
_WARC_NAMES = (".warc.gz", ".arc.gz", ".warc.gzip", ".arc.gzip")
_WARC_STARTS = (b"WARC/", b"filedesc:")
_ZIP_DOCUMENTS = (b"mimetype", b"[Content_Types].xml")
_GZIP_SUFFIXES = ((".tgz", ".tar"), (".gzip", ""), (".gz", ""))
_TAR_ERRORS = (tarfile.TarError, OSError, EOFError, ValueError, zlib.error)


@dataclass(frozen=True)
class Limits:
    """How much one container may unpack (see the module's docstring)."""

    member_bytes: int = 64 * 1024 * 1024
    container_bytes: int = 1024 * 1024 * 1024
    members: int = 100_000


@dataclass(frozen=True)
class Name:
    """One level of a member's path: its name in its archive, and which copy of that name
    it is (archives may repeat a name)."""

    name: str
    copy: int = 1


Member = tuple[tuple[Name, ...], bytes | ParseError]
_Raw = tuple[str, bytes | ParseError]


class _Budget:
    """What one top-level container may still yield, shared by its nested archives."""

    def __init__(self, limits: Limits, run: Unpacked) -> None:
        self.limits = limits
        self.members = limits.members
        self.size = limits.container_bytes
        self.run = run

    def spend(self) -> None:
        self.members -= 1
        if self.members < 0:
            raise ParseError(f"container holds more than {self.limits.members} members")

    def take(self, count: int) -> None:
        """Count ``count`` bytes unpacked; ``ParseError`` past the container's limit."""
        self.size -= count
        self.run.add(count)
        if self.size < 0:
            limit = size_text(self.limits.container_bytes)
            raise Exhausted(f"container unpacks to more than {limit}")


def is_container(head: bytes, name: str) -> bool:
    """True for a gzip, zip or tar archive; False for a gzipped WARC/ARC or a zip document."""
    if head.startswith(GZIP):
        return not name.lower().endswith(_WARC_NAMES) and not _gzipped_warc(head)
    if head.startswith(_ZIP):
        return _first_zip_name(head) not in _ZIP_DOCUMENTS
    return _is_tar_header(head) or (name.lower().endswith(".tar") and len(head) >= 512)


def members(
    data: bytes, name: str, limits: Limits | None = None, run: Unpacked | None = None
) -> Iterator[Member]:
    """Each regular file in the archive ``data`` (named ``name``), as ``(path, bytes)``.

    Raises ``ParseError`` when the archive itself cannot be read; a member that cannot be
    read is yielded as ``(path, ParseError)``. What is unpacked is added to ``run``.
    """
    budget = _Budget(limits or Limits(), run if run is not None else Unpacked())
    yield from _members(data, name, budget, depth=1)


def _members(data: bytes, name: str, budget: _Budget, depth: int) -> Iterator[Member]:
    if data.startswith(GZIP):
        raw = _gzip_members(data, name, budget)
    elif data.startswith(_ZIP):
        raw = _zip_members(data, budget)
    elif _is_tar_header(data) or name.lower().endswith(".tar"):
        raw = _tar_members(io.BytesIO(data), budget)
    else:
        raise ParseError("not a gzip, zip or tar archive")
    seen: dict[str, int] = {}
    for original, content in raw:
        seen[original] = seen.get(original, 0) + 1
        label = Name(original, seen[original])
        try:
            budget.spend()
        except ParseError as exc:
            yield (label,), exc
            return
        if isinstance(content, bytes) and is_container(content[:4096], original):
            yield from _nested(content, label, budget, depth)
        else:
            yield (label,), content


def _nested(data: bytes, label: Name, budget: _Budget, depth: int) -> Iterator[Member]:
    """The members of an archive inside an archive, their paths under ``label``."""
    if depth >= MAX_DEPTH:
        yield (label,), ParseError(f"archive nested more than {MAX_DEPTH} levels deep")
        return
    found = False
    try:
        for inner, content in _members(data, label.name, budget, depth + 1):
            found = True
            yield (label, *inner), content
    except ParseError as exc:
        yield (label,), exc
        return
    if not found:
        yield (label,), ParseError("the archive holds no files")


def _gzip_members(data: bytes, name: str, budget: _Budget) -> Iterator[_Raw]:
    """A gzip file's one member; a gzipped tar gives the tar's members directly."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    label = base
    for suffix, replacement in _GZIP_SUFFIXES:
        if base.lower().endswith(suffix):
            label = base[: -len(suffix)] + replacement
            break
    stream = Inflating(data, budget.size, count=budget.take)
    head = stream.peek(512)
    if _is_tar_header(head) or (label.lower().endswith(".tar") and len(head) >= 512):
        yield from _tar_members(stream, budget)
        return
    content = _read(stream, budget.limits.member_bytes, len(data), what="gzip content")
    if isinstance(content, ParseError):
        raise content
    yield label or "content", content


def _zip_members(data: bytes, budget: _Budget) -> Iterator[_Raw]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise ParseError(f"corrupt zip file: {exc}") from exc
    with archive:
        for info in infos:
            if info.is_dir() or _is_zip_symlink(info):
                continue
            yield info.filename, _zip_member(archive, info, budget)


def _zip_member(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: _Budget
) -> bytes | ParseError:
    limit = budget.limits.member_bytes
    if info.flag_bits & 0x1:
        return ParseError("member is encrypted")
    if info.file_size > limit:
        return ParseError(f"member is larger than {size_text(limit)}")
    try:
        check_ratio(info.file_size, info.compress_size)
        with archive.open(info) as stream:
            content = _read(stream, limit, info.compress_size, count=budget.take)
    except Exhausted:
        raise
    except ParseError as exc:
        return exc
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
        return ParseError(f"corrupt zip member: {exc}")
    except (RuntimeError, zlib.error, lzma.LZMAError) as exc:
        return ParseError(f"unreadable zip member: {exc}")
    return content


def _read(
    stream: IO[bytes] | Inflating,
    limit: int,
    compressed: int | None,
    what: str = "member",
    count: Callable[[int], None] | None = None,
) -> bytes | ParseError:
    """A member's bytes, read a chunk at a time: a ``ParseError`` once it passes ``limit``
    or unpacks at too high a ratio (to ``compressed`` bytes, when known), without reading
    further."""
    parts: list[bytes] = []
    size = 0
    while chunk := stream.read(CHUNK):
        size += len(chunk)
        if count is not None:
            count(len(chunk))
        if size > limit:
            return ParseError(f"{what} is larger than {size_text(limit)}")
        if compressed is not None:
            try:
                check_ratio(size, compressed)
            except ParseError as exc:
                return exc
        parts.append(chunk)
    return b"".join(parts)


def _tar_members(stream: IO[bytes] | Inflating, budget: _Budget) -> Iterator[_Raw]:
    """The regular files of a tar read from ``stream`` (in memory, or unpacked as read)."""
    try:
        archive = tarfile.TarFile(fileobj=stream, mode="r")  # type: ignore[arg-type]
    except _TAR_ERRORS as exc:
        raise ParseError(f"corrupt tar file: {exc}") from exc
    with archive:
        count = 0
        while True:
            try:
                info = archive.next()
            except _TAR_ERRORS as exc:
                yield f"(entry {count + 1})", ParseError(f"corrupt tar entry: {exc}")
                return
            if info is None:
                if _garbage_after(stream, archive.offset):
                    problem = ParseError(f"tar file is cut off or corrupt after {count} entries")
                    yield f"(entry {count + 1})", problem
                return
            count += 1
            if info.isreg():
                yield info.name, _tar_member(archive, info, budget, stream)
            archive.members.clear()  # type: ignore[attr-defined]  # read once: keep no index


def _tar_member(
    archive: tarfile.TarFile, info: tarfile.TarInfo, budget: _Budget, stream: object
) -> bytes | ParseError:
    limit = budget.limits.member_bytes
    if info.size > limit:
        return ParseError(f"member is larger than {size_text(limit)}")
    try:
        handle = archive.extractfile(info)
        # a gzipped tar counts its bytes as they are unpacked; a tar in memory here
        take = None if isinstance(stream, Inflating) else budget.take
        content = _read(handle, limit, None, count=take) if handle is not None else b""
    except _TAR_ERRORS as exc:
        return ParseError(f"corrupt tar member: {exc}")
    if isinstance(content, bytes) and len(content) != info.size:
        return ParseError("tar member is cut off before its end")
    return content


def _garbage_after(stream: IO[bytes] | Inflating, offset: int) -> bool:
    """Whether anything but NUL padding follows the tar's end."""
    try:
        stream.seek(offset)
        while chunk := stream.read(CHUNK):
            if chunk.strip(b"\0"):
                return True
    except _TAR_ERRORS:
        return True
    return False


def _is_tar_header(data: bytes) -> bool:
    """A POSIX/GNU tar header: ``ustar`` magic at offset 257."""
    return len(data) >= 512 and data[257:262] == b"ustar"


def _gzipped_warc(head: bytes) -> bool:
    """Whether the gzip stream in ``head`` starts like a WARC or ARC file."""
    try:
        start = zlib.decompressobj(wbits=31).decompress(head, 64)
    except zlib.error:
        return False
    return start.lstrip().startswith(_WARC_STARTS)


def _first_zip_name(head: bytes) -> bytes:
    """The name of the first member in a zip's first local file header."""
    if len(head) < 30 or not head.startswith(b"PK\x03\x04"):
        return b""
    length = int.from_bytes(head[26:28], "little")
    return head[30 : 30 + length]


def _is_zip_symlink(info: zipfile.ZipInfo) -> bool:
    return (info.external_attr >> 16) & 0o170000 == 0o120000
