"""Archives read in place: ``.gz``, ``.zip``, ``.tar``, ``.tar.gz``/``.tgz``.

``is_container(head, name)`` tells whether a source is an archive whose members are
sources of their own; ``members(data, name)`` yields ``(member name, bytes)`` for each
regular file inside, in archive order. Nothing is ever written to disk and member names
are labels only (``../../etc/passwd`` is just a name); the caller keys a member in the
catalog as ``container_path!member_name``.

A member that cannot be read (too large, a zip bomb, a bad checksum, encrypted, cut
off) is yielded as ``(name, ParseError)`` so the caller can record that one failure and
keep the members before and after it. An archive that cannot be opened at all raises
``ParseError``. Archives inside archives are opened too, up to ``MAX_DEPTH`` levels,
their members named ``inner.zip!member``.

A gzipped WARC or ARC file (``.warc.gz``, ``.arc.gz``, or any gzip whose content starts
like one) is not a container: the WARC reader reads gzip itself, record by record.
Zip-based documents (EPUB, OpenDocument, Office Open XML) are not containers either.
"""

from __future__ import annotations

import io
import logging
import lzma
import tarfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

from archive.errors import ParseError

log = logging.getLogger(__name__)

#: the largest member read, uncompressed
MAX_MEMBER_BYTES = 100 * 1024 * 1024
#: the most bytes read out of one container, all members and nested archives together
MAX_TOTAL_BYTES = 1024 * 1024 * 1024
#: the most members yielded from one container, nested archives included
MAX_MEMBERS = 100_000
#: the highest uncompressed-to-compressed ratio believed for a member of more than 1 MB
MAX_RATIO = 200
MAX_DEPTH = 3
_RATIO_FLOOR = 1024 * 1024

_GZIP = b"\x1f\x8b"
_ZIP = (b"PK\x03\x04", b"PK\x05\x06")
_WARC_NAMES = (".warc.gz", ".arc.gz", ".warc.gzip", ".arc.gzip")
_WARC_STARTS = (b"WARC/", b"filedesc:")
_ZIP_DOCUMENTS = (b"mimetype", b"[Content_Types].xml")
_GZIP_SUFFIXES = ((".tgz", ".tar"), (".gzip", ""), (".gz", ""))

Member = tuple[str, bytes | ParseError]


@dataclass
class _Budget:
    """What one top-level container may still yield, shared by its nested archives."""

    members: int
    size: int

    def spend(self, size: int) -> None:
        self.members -= 1
        self.size -= size
        if self.members < 0:
            raise ParseError(f"container holds more than {MAX_MEMBERS} members")
        if self.size < 0:
            raise ParseError(f"container holds more than {_size(MAX_TOTAL_BYTES)}")


def is_container(head: bytes, name: str) -> bool:
    """True for a gzip, zip or tar archive; False for a gzipped WARC/ARC or a zip document."""
    if head.startswith(_GZIP):
        return not name.lower().endswith(_WARC_NAMES) and not _gzipped_warc(head)
    if head.startswith(_ZIP):
        return _first_zip_name(head) not in _ZIP_DOCUMENTS
    return _is_tar_header(head) or (name.lower().endswith(".tar") and len(head) >= 512)


def members(data: bytes, name: str) -> Iterator[Member]:
    """Each regular file in the archive ``data`` (named ``name``), as ``(label, bytes)``.

    Raises ``ParseError`` when the archive itself cannot be read; a member that cannot be
    read is yielded as ``(label, ParseError)``.
    """
    yield from _members(data, name, _Budget(MAX_MEMBERS, MAX_TOTAL_BYTES), depth=1)


def _members(data: bytes, name: str, budget: _Budget, depth: int) -> Iterator[Member]:
    if data.startswith(_GZIP):
        reader = _gzip_members
    elif data.startswith(_ZIP):
        reader = _zip_members
    elif _is_tar_header(data) or name.lower().endswith(".tar"):
        reader = _tar_members
    else:
        raise ParseError("not a gzip, zip or tar archive")
    seen: dict[str, int] = {}
    for original, content in reader(data, name):
        seen[original] = seen.get(original, 0) + 1
        label = original if seen[original] == 1 else f"{original}#{seen[original]}"
        if isinstance(content, bytes):
            try:
                budget.spend(len(content))
            except ParseError as exc:
                yield label, exc
                return
        if isinstance(content, bytes) and is_container(content[:4096], label):
            yield from _nested(content, label, budget, depth)
        else:
            yield label, content


def _nested(data: bytes, label: str, budget: _Budget, depth: int) -> Iterator[Member]:
    """The members of an archive inside an archive, named ``label!member``."""
    if depth >= MAX_DEPTH:
        yield label, ParseError(f"archive nested more than {MAX_DEPTH} levels deep")
        return
    try:
        for inner, content in _members(data, label, budget, depth + 1):
            yield f"{label}!{inner}", content
    except ParseError as exc:
        yield label, exc


def _gzip_members(data: bytes, name: str) -> Iterator[Member]:
    """A gzip file's one member; a gzipped tar gives the tar's members directly."""
    content = _gunzip(data)
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    label = base
    for suffix, replacement in _GZIP_SUFFIXES:
        if base.lower().endswith(suffix):
            label = base[: -len(suffix)] + replacement
            break
    if _is_tar_header(content) or label.lower().endswith(".tar"):
        try:
            yield from _tar_members(content, label)
            return
        except ParseError:
            if _is_tar_header(content):
                raise
    yield label or "content", content


def _gunzip(data: bytes) -> bytes:
    """All members of a gzip stream, bounded by ``MAX_MEMBER_BYTES`` and ``MAX_RATIO``."""
    output = bytearray()
    rest = data
    try:
        while rest.startswith(_GZIP):
            inflater = zlib.decompressobj(wbits=31)
            output += inflater.decompress(rest, MAX_MEMBER_BYTES + 1 - len(output))
            if len(output) > MAX_MEMBER_BYTES:
                raise ParseError(f"gzip content is larger than {_size(MAX_MEMBER_BYTES)}")
            if not inflater.eof:
                raise ParseError("gzip file is cut off before its end")
            rest = inflater.unused_data
    except zlib.error as exc:
        raise ParseError(f"corrupt gzip data: {exc}") from exc
    _check_ratio(len(output), len(data))
    return bytes(output)


def _zip_members(data: bytes, name: str) -> Iterator[Member]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise ParseError(f"corrupt zip file: {exc}") from exc
    with archive:
        for info in infos:
            if info.is_dir() or _is_zip_symlink(info):
                continue
            yield info.filename, _zip_member(archive, info)


def _zip_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes | ParseError:
    if info.flag_bits & 0x1:
        return ParseError("member is encrypted")
    if info.file_size > MAX_MEMBER_BYTES:
        return ParseError(f"member is larger than {_size(MAX_MEMBER_BYTES)}")
    try:
        _check_ratio(info.file_size, info.compress_size)
        with archive.open(info) as stream:
            content = stream.read(MAX_MEMBER_BYTES + 1)
        if len(content) > MAX_MEMBER_BYTES:
            return ParseError(f"member is larger than {_size(MAX_MEMBER_BYTES)}")
        _check_ratio(len(content), info.compress_size)
    except ParseError as exc:
        return exc
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
        return ParseError(f"corrupt zip member: {exc}")
    except (RuntimeError, zlib.error, lzma.LZMAError) as exc:
        return ParseError(f"unreadable zip member: {exc}")
    return content


def _tar_members(data: bytes, name: str) -> Iterator[Member]:
    try:
        archive = tarfile.TarFile(fileobj=io.BytesIO(data), mode="r")
    except (tarfile.TarError, OSError, EOFError, ValueError) as exc:
        raise ParseError(f"corrupt tar file: {exc}") from exc
    with archive:
        count = 0
        while True:
            try:
                info = archive.next()
            except (tarfile.TarError, OSError, EOFError, ValueError) as exc:
                yield f"(entry {count + 1})", ParseError(f"corrupt tar entry: {exc}")
                return
            if info is None:
                if data[archive.offset :].strip(b"\0"):
                    problem = ParseError(f"tar file is cut off or corrupt after {count} entries")
                    yield f"(entry {count + 1})", problem
                return
            count += 1
            if info.isreg():
                yield info.name, _tar_member(archive, info)


def _tar_member(archive: tarfile.TarFile, info: tarfile.TarInfo) -> bytes | ParseError:
    if info.size > MAX_MEMBER_BYTES:
        return ParseError(f"member is larger than {_size(MAX_MEMBER_BYTES)}")
    try:
        stream = archive.extractfile(info)
        content = stream.read() if stream is not None else b""
    except (tarfile.TarError, OSError, EOFError, ValueError) as exc:
        return ParseError(f"corrupt tar member: {exc}")
    if len(content) != info.size:
        return ParseError("tar member is cut off before its end")
    return content


def _size(count: int) -> str:
    return f"{count >> 20} MB" if count >= 1 << 20 else f"{count} bytes"


def _check_ratio(size: int, compressed: int) -> None:
    if size > _RATIO_FLOOR and size > MAX_RATIO * max(compressed, 1):
        raise ParseError(
            f"compression ratio above {MAX_RATIO}:1 ({size} bytes from {compressed}); "
            "refused as a likely zip bomb"
        )


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
