"""A Whoosh index in generations under one folder, and the atomic swap from one to the next.

Layout::

    index/CURRENT        the name of the live generation (replaced atomically)
    index/BUILDING       the generation a rebuild is filling, while it lasts
    index/gen-000001/    a complete Whoosh index

A rebuild fills a new generation beside the live one and points CURRENT at it in one
atomic rename, so searches never see a half-built index; an interrupted rebuild is
continued by the next one.
"""

from __future__ import annotations

import os
import shutil
import threading
from contextlib import AbstractContextManager
from pathlib import Path

from whoosh import index as windex
from whoosh.fields import Schema

from archive.errors import IndexMissing, unreadable_index
from archive.storage import disk_writes

POINTER = "CURRENT"
BUILDING = "BUILDING"
PREFIX = "gen-"


class Generations:
    """The generations of one index folder: which is live, opening, creating and swapping."""

    def __init__(self, root: Path, schema: Schema) -> None:
        self.root = root
        self.schema = schema
        self._lock = threading.Lock()

    def current(self) -> str:
        """The name of the live generation ("" before anything was indexed)."""
        try:
            return (self.root / POINTER).read_text(encoding="ascii").strip()
        except FileNotFoundError:
            return ""

    def open(self, name: str) -> windex.Index:
        try:
            return windex.open_dir(str(self.root / name))
        except (OSError, windex.EmptyIndexError) as exc:
            raise unreadable_index(self.root / name, exc) from exc

    def live(self, create: bool = False) -> windex.Index:
        """The live generation; with ``create``, an empty one when there is none yet."""
        name = self.current()
        if name:
            return self.open(name)
        if not create:
            raise IndexMissing("nothing has been indexed yet; run `newsarchive index PATH` first")
        with self._lock, disk(self.root):
            name = self._next()
            (self.root / name).mkdir(parents=True, exist_ok=True)
            windex.create_in(str(self.root / name), self.schema)
            self._swap(name)
        return self.open(name)

    def start_build(self) -> tuple[str, bool]:
        """The generation a rebuild fills, and whether it continues an interrupted one.

        An interrupted build stays on disk, named by BUILDING, and is continued; older
        leftovers are removed.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        name = self._building()
        resumed = bool(name)
        if not resumed:
            name = self._next()
            with disk(self.root):
                (self.root / name).mkdir()
                windex.create_in(str(self.root / name), self.schema)
            self._point(BUILDING, name)
        self._clean(keep={self.current(), name})
        return name, resumed

    def finish_build(self, name: str) -> None:
        """Make a finished build the live generation."""
        self._swap(name)
        (self.root / BUILDING).unlink(missing_ok=True)

    def _names(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir() if p.name.startswith(PREFIX))

    def _next(self) -> str:
        names = self._names()
        number = int(names[-1][len(PREFIX) :]) + 1 if names else 1
        return f"{PREFIX}{number:06d}"

    def _swap(self, name: str) -> None:
        """Point CURRENT at ``name`` in one atomic step, then drop stale generations."""
        self._point(POINTER, name)
        self._clean(keep={name})

    def _point(self, pointer: str, name: str) -> None:
        """Replace a pointer file atomically and durably."""
        temp = self.root / f"{pointer}.tmp"
        with disk(self.root):
            with open(temp, "w", encoding="ascii") as handle:
                handle.write(name + "\n")
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp, self.root / pointer)
            _fsync_dir(self.root)

    def _clean(self, keep: set[str]) -> None:
        """Remove generations other than ``keep`` (open searchers keep reading their files)."""
        for other in self._names():
            if other not in keep:
                shutil.rmtree(self.root / other, ignore_errors=True)

    def _building(self) -> str:
        """The generation an interrupted rebuild left, if it can be continued."""
        try:
            name = (self.root / BUILDING).read_text(encoding="ascii").strip()
        except FileNotFoundError:
            return ""
        if name and windex.exists_in(str(self.root / name)):
            return name
        return ""


def disk(folder: Path | str) -> AbstractContextManager[None]:
    """Turn the file system's refusal to write (full, failing, read-only) into ours."""
    return disk_writes(f"the index in {folder}", folder)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
