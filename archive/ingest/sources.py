"""Walking the paths a user gives: files, folders, and the members of containers.

This is the only part of ingest that touches the file system. Each source gets a key for
the catalog (``ingest.keys``): the absolute path of a file, or ``container!member`` for a
member of a zip, tar or gzip file.

The folders a user names are the boundary. A symbolic link inside them that leads out of
them is not followed: the walk gives it as a skipped source, with the reason, unless
``follow_links`` says to follow it. A link that stays inside them is followed and its
target read once, under the target's own path. A root that is itself a link is what the
user named, and is followed. Files are opened without following a link, so a file that
became a link after the walk is not read either. Inside a folder, the include and exclude
patterns of a ``Selection`` choose the files (and links to files) that are read.
"""

from __future__ import annotations

import logging
import os
import stat as stat_mode
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from archive.errors import ArchiveError, ParseError
from archive.ingest import containers, keys
from archive.ingest.inflating import Unpacked
from archive.ingest.selection import Selection

log = logging.getLogger(__name__)


class Unreadable(ParseError):
    """The file cannot be read right now (gone, no permission, a link, failing disk):
    nothing is known about its content, so what it gave before is kept."""


@dataclass(frozen=True)
class SourceFile:
    """A file on disk as the walk found it; ``skipped`` says why it is not read, if so;
    ``followed`` marks a link the walk followed (its target comes as a file of its own):
    no source is at its path."""

    path: str
    size: int
    mtime_ns: int
    skipped: str = ""
    followed: bool = False

    @property
    def key(self) -> str:
        return keys.file_key(self.path)


def roots(paths: Iterable[Path | str]) -> list[str]:
    """The real paths of the files and folders a user named; ``ArchiveError`` if one is
    missing (a folder moved or unmounted is an error, never an empty folder)."""
    found = []
    for given in paths:
        path = Path(given).expanduser()
        if not path.exists():
            raise ArchiveError(f"no such file or folder: {keys.escape(str(given))}")
        if not (path.is_file() or path.is_dir()):
            raise ArchiveError(f"not a file or folder: {keys.escape(str(given))}")
        found.append(os.path.realpath(path))
    return found


def walk(
    paths: Iterable[Path | str], selection: Selection | None = None, follow_links: bool = False
) -> Iterator[SourceFile]:
    """Every regular file under ``paths`` once, in a stable order: hidden files and folders
    skipped, and inside a folder the files ``selection``'s patterns leave out (a file given
    is read); links out of ``paths`` given as skipped sources unless ``follow_links``, and
    links followed given as such (what the catalog knew at their paths is gone)."""
    walk = _Walk(roots(paths), selection, follow_links)
    for top in walk.tops:
        yield from walk.visit(top, given=True)


class _Walk:
    """One walk: the roots, the patterns, and what was walked already."""

    def __init__(self, tops: list[str], selection: Selection | None, follow: bool) -> None:
        self.tops = tops
        self.selection = selection
        self.follow = follow
        self.seen: set[str] = set()

    def visit(self, path: str, given: bool = False) -> Iterator[SourceFile]:
        """The files at or under the real path ``path``."""
        if path in self.seen:
            return
        self.seen.add(path)
        if not os.path.isdir(path):
            if given or self._wanted(path):
                yield _stat(path)
            return
        try:
            entries = sorted(os.scandir(path), key=lambda entry: entry.name)
        except OSError as exc:
            log.warning("the folder %s cannot be read: %s", keys.escape(path), exc.strerror or exc)
            return
        folders = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            try:
                if entry.is_symlink():
                    yield from self._link(entry.path)
                elif entry.is_dir(follow_symlinks=False):
                    folders.append(entry.path)
                elif entry.is_file(follow_symlinks=False):
                    yield from self.visit(entry.path)
            except FileNotFoundError:
                continue  # removed while the folder was being read
        for folder in folders:
            yield from self.visit(folder)

    def _link(self, path: str) -> Iterator[SourceFile]:
        """A symbolic link met in a folder: followed, or given as skipped."""
        target = os.path.realpath(path)
        if not (os.path.isfile(target) or os.path.isdir(target)):
            return  # leads nowhere (or to a device, a pipe): nothing to read, like those
        if os.path.isfile(target) and not self._wanted(path):
            return
        info = os.lstat(path)
        if self.follow or _inside(target, self.tops):
            yield SourceFile(path, info.st_size, info.st_mtime_ns, followed=True)
            yield from self.visit(target)
            return
        reason = (
            f"not followed: a symbolic link to {keys.escape(target)}, outside the folders "
            "being indexed (--follow-links follows such links)"
        )
        yield SourceFile(path, info.st_size, info.st_mtime_ns, skipped=reason)

    def _wanted(self, path: str) -> bool:
        """Whether the patterns read the file at ``path`` (matched below the folder given
        it lies in; by its name, when it lies outside them all)."""
        if self.selection is None:
            return True
        for top in self.tops:
            if path.startswith(top.rstrip("/") + "/"):
                return self.selection.wants(path[len(top.rstrip("/")) + 1 :])
        return self.selection.wants(os.path.basename(path))


def _inside(path: str, tops: list[str]) -> bool:
    return any(path == top or path.startswith(top.rstrip("/") + "/") for top in tops)


def stat(path: str) -> SourceFile | None:
    """The file's current size and mtime, or ``None`` when it is gone."""
    try:
        return _stat(path)
    except OSError:
        return None


def kind(path: str) -> str:
    """What is at ``path`` now, links not followed: "file", "link" (a link, or a file
    reached through one), "other" or "" (nothing)."""
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return ""
    if stat_mode.S_ISREG(mode):
        return "file" if os.path.realpath(path) == path else "link"
    return "link" if stat_mode.S_ISLNK(mode) else "other"


def _stat(path: str) -> SourceFile:
    info = os.stat(path)
    return SourceFile(path, info.st_size, info.st_mtime_ns)


def read(file: SourceFile, max_bytes: int) -> bytes:
    """The file's bytes: ``ParseError`` when it is too large, ``Unreadable`` when it cannot
    be read now (gone, no permission, a link, not a regular file)."""
    if file.size > max_bytes:
        raise ParseError(_too_large(file.size, max_bytes))
    if os.path.realpath(file.path) != file.path:
        raise Unreadable("the path now leads through a symbolic link, which is not followed")
    try:
        fd = os.open(file.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        raise Unreadable(f"cannot read the file: {exc.strerror or exc}") from exc
    try:
        if not stat_mode.S_ISREG(os.fstat(fd).st_mode):
            raise Unreadable("no longer a regular file")
        with open(fd, "rb", closefd=False) as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise Unreadable(f"cannot read the file: {exc.strerror or exc}") from exc
    finally:
        os.close(fd)
    if len(data) > max_bytes:
        raise ParseError(_too_large(len(data), max_bytes))
    return data


def _too_large(size: int, limit: int) -> str:
    return f"file is {size / 1e6:.1f} MB; the limit is {limit / 1e6:.0f} MB"


def split(
    key: str, data: bytes, limits: containers.Limits, run: Unpacked
) -> Iterator[tuple[str, bytes | ParseError]]:
    """The sources in a file: its members when it is a container, else the file itself.

    Every byte unpacked is added to ``run``.
    """
    name = keys.name_of(key)
    if not containers.is_container(data[:4096], name):
        yield key, data
        return
    count = 0
    try:
        for path, content in containers.members(data, name, limits, run):
            member = key
            for level in path:
                member = keys.member_key(member, level.name, level.copy)
            count += 1
            yield member, content
    except ParseError as exc:
        yield key, exc
        return
    if not count:
        yield key, ParseError("the archive holds no files")
