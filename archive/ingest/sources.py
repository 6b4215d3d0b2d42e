"""Walking the paths a user gives: files, folders, and the members of containers.

This is the only part of ingest that touches the file system. Each source gets a key for
the catalog: the absolute path of a file, or ``container!member`` for a member of a zip,
tar or gzip file.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from archive.errors import ArchiveError, ParseError
from archive.ingest import containers
from archive.ingest.selection import Selection


@dataclass(frozen=True)
class SourceFile:
    """A file on disk as the walk found it."""

    path: str
    size: int
    mtime_ns: int


def walk(paths: Iterable[Path | str], selection: Selection | None = None) -> Iterator[SourceFile]:
    """Every regular file under ``paths``, in a stable order; hidden files and folders skipped,
    and inside a folder the files ``selection``'s patterns leave out (a file given is read)."""
    for given in paths:
        path = Path(given).expanduser()
        if not path.exists():
            raise ArchiveError(f"no such file or folder: {given}")
        if path.is_file():
            yield _stat(path.resolve())
            continue
        root = path.resolve()
        for folder, dirs, names in os.walk(root, followlinks=False):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(names):
                if name.startswith("."):
                    continue
                full = Path(folder) / name
                if not full.is_file():
                    continue
                if selection is None or selection.wants(full.relative_to(root).as_posix()):
                    yield _stat(full)


def stat(path: str) -> SourceFile | None:
    """The file's current size and mtime, or ``None`` when it is gone."""
    try:
        return _stat(Path(path))
    except OSError:
        return None


def _stat(path: Path) -> SourceFile:
    info = path.stat()
    return SourceFile(str(path), info.st_size, info.st_mtime_ns)


def read(file: SourceFile, max_bytes: int) -> bytes:
    """The file's bytes; ``ParseError`` when it is too large or unreadable."""
    if file.size > max_bytes:
        raise ParseError(f"file is {file.size / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.0f} MB")
    try:
        with open(file.path, "rb") as handle:
            return handle.read(max_bytes + 1)
    except OSError as exc:
        raise ParseError(f"cannot read the file: {exc.strerror or exc}") from exc


def split(key: str, data: bytes) -> Iterator[tuple[str, bytes | ParseError]]:
    """The sources in a file: its members when it is a container, else the file itself."""
    name = os.path.basename(key)
    if not containers.is_container(data[:4096], name):
        yield key, data
        return
    try:
        for member, content in containers.members(data, name):
            yield f"{key}!{member}", content
    except ParseError as exc:
        yield key, exc
