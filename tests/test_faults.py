"""Faults while writing: the disk refuses the nth open, write or rename of a commit.

For each n in turn (alternately EIO and ENOSPC) the run fails with our ``StorageError``,
the previous state opens with the same count, no lock is left behind and a retry succeeds:
for an ``index`` and a ``reindex`` every open and rename and a sample of the writes, and
with ``--long`` (``make test-long``) every n of both (about 500 and 800).
Then the same on a real, nearly full filesystem: a small tmpfs (this needs root; the test
skips without it, except under CI).
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from archive.config import Settings
from archive.core import Archive
from archive.engines.whoosh import generations, write
from archive.errors import StorageError
from archive.indexing.locking import write_lock
from archive.models import SearchRequest
from tests.conftest import ROOT, need

BASE = 20
MORE = 5
ERRORS = (errno.EIO, errno.ENOSPC)


class Faults:
    """Counts the opens for writing, writes and renames of the index's files; the nth fails."""

    def __init__(self, fail_at: int | None = None, code: int = errno.EIO) -> None:
        self.count = 0
        self.fail_at = fail_at
        self.code = code
        self.fired = ""
        #: every event as (what, path), in order
        self.log: list[tuple[str, str]] = []

    def event(self, what: str, path: object) -> None:
        self.count += 1
        self.log.append((what, str(path)))
        if self.count == self.fail_at:
            self.fired = f"{what} {path}"
            raise OSError(self.code, os.strerror(self.code), str(path))

    def open(self, path, mode="r", *args, **kwargs):
        writing = any(c in mode for c in "wax+")
        if writing:
            self.event("open", path)
        handle = open(path, mode, *args, **kwargs)  # noqa: SIM115 - returned to the caller
        return _Writes(handle, self) if writing else handle


class _Writes:
    """A file whose writes go through ``Faults``."""

    def __init__(self, handle, faults: Faults) -> None:
        self._handle = handle
        self._faults = faults

    def write(self, data):
        self._faults.event("write", getattr(self._handle, "name", "?"))
        return self._handle.write(data)

    def __getattr__(self, name):
        return getattr(self._handle, name)

    def __iter__(self):
        return iter(self._handle)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._handle.close()


class _Os:
    """``os`` as Whoosh's file storage and our pointer swap see it, with faults."""

    def __init__(self, faults: Faults) -> None:
        self._faults = faults

    def __getattr__(self, name):
        return getattr(os, name)

    def open(self, path, flags, *args):
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            self._faults.event("open", path)
        return os.open(path, flags, *args)

    def fdopen(self, fd, mode="r", *args, **kwargs):
        handle = os.fdopen(fd, mode, *args, **kwargs)
        return _Writes(handle, self._faults) if any(c in mode for c in "wa+") else handle

    def rename(self, source, target):
        self._faults.event("rename", source)
        return os.rename(source, target)

    def replace(self, source, target):
        self._faults.event("rename", source)
        return os.replace(source, target)

    def cpu_count(self):
        return 1  # one writer in this process, so every write passes through here


def inject(monkeypatch, faults: Faults) -> None:
    from whoosh.filedb import filestore

    for module in (filestore, generations, write):
        monkeypatch.setattr(module, "open", faults.open, raising=False)
        monkeypatch.setattr(module, "os", _Os(faults))


def stories(folder: Path, count: int, start: int = 0) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(start, start + count):
        (folder / f"story-{n:03d}.txt").write_text(
            f"Story {n}\n\nThe harbour of town{n} reopened after the repairs.\n"
        )
    return folder


def settings(data_dir: Path) -> Settings:
    return Settings(data_dir=data_dir, writer_timeout=1)


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """A data directory holding ``BASE`` articles, and a folder of ``MORE`` new ones."""
    root = tmp_path_factory.mktemp("faults")
    with Archive(settings(root / "base")) as archive:
        archive.index([stories(root / "old", BASE)])
    return root / "base", stories(root / "new", MORE, start=BASE)


def run(operation: str, archive: Archive, new: Path) -> None:
    if operation == "index":
        archive.index([new])
    else:
        archive.reindex()


def state(data_dir: Path) -> tuple[str, int]:
    with Archive(settings(data_dir)) as archive:
        return archive.engine.generation(), archive.search(SearchRequest(q="harbour")).total


def moments(log: list[tuple[str, str]], every: bool) -> list[int]:
    """Which events to fail (1-based): all of them, or every open and rename, the first and
    the last write to each file and every 16th write (a commit writes hundreds of pieces)."""
    if every:
        return list(range(1, len(log) + 1))
    chosen = {n for n, (what, _) in enumerate(log, 1) if what != "write" or n % 16 == 0}
    writes: dict[str, list[int]] = {}
    for n, (what, path) in enumerate(log, 1):
        if what == "write":
            writes.setdefault(path, []).append(n)
    for numbers in writes.values():
        chosen.update((numbers[0], numbers[-1]))
    return sorted(chosen)


# Whoosh leaves a file it failed to write to for the garbage collector to close
@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize(
    "operation, every",
    [
        ("index", False),
        ("reindex", False),
        pytest.param("index", True, marks=[pytest.mark.slow, pytest.mark.long(only=True)]),
        pytest.param("reindex", True, marks=[pytest.mark.slow, pytest.mark.long(only=True)]),
    ],
)
def test_a_failing_open_write_or_rename_is_our_error_and_loses_nothing(
    base, tmp_path, monkeypatch, operation, every
):
    base_dir, new = base
    before = state(base_dir)
    counting = Faults()
    shutil.copytree(base_dir, tmp_path / "count")
    with Archive(settings(tmp_path / "count")) as archive:
        inject(monkeypatch, counting)
        run(operation, archive, new)
        monkeypatch.undo()
    assert counting.count > 10
    for n in moments(counting.log, every):
        work = tmp_path / f"n{n}"
        shutil.copytree(base_dir, work)
        faults = Faults(fail_at=n, code=ERRORS[n % 2])
        archive = Archive(settings(work))
        inject(monkeypatch, faults)
        with pytest.raises(StorageError) as caught:
            run(operation, archive, new)
        monkeypatch.undo()
        message = str(caught.value)
        assert os.strerror(faults.code) in message, (faults.fired, message)
        assert "\n" not in message
        assert state(work) == before, faults.fired
        with write_lock(work, 0, "testing"):
            pass
        run(operation, archive, new)  # the same archive, as a long-lived process would
        archive.close()
        expected = BASE + MORE if operation == "index" else BASE
        with Archive(settings(work)) as again:
            assert again.search(SearchRequest(q="harbour")).total == expected, faults.fired
            assert again.check().ok
        shutil.rmtree(work)


# a real filesystem that fills up ----------------------------------------------------------

#: ``newsarchive index`` as a user runs it
INDEX = """
import sys
import cli
sys.argv = ["newsarchive", "--data-dir", sys.argv[1], "index", "-q", *sys.argv[2:]]
cli.main()
"""
#: bytes left free before a run that needs far more
LEFT_FREE = (0, 4096, 64 * 1024, 512 * 1024, 2 * 1024 * 1024)


@pytest.fixture
def small_filesystem(tmp_path):
    """An 8 MB tmpfs mounted for the test (root only)."""
    mount = tmp_path / "small"
    mount.mkdir()
    mounted = os.geteuid() == 0 and (
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mount)], capture_output=True
        ).returncode
        == 0
    )
    need(mounted, "mounting a small tmpfs needs root")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(folder: Path, leave: int) -> Path:
    """Fill the filesystem of ``folder`` until only ``leave`` bytes are free."""
    filler = folder / "filler"
    with open(filler, "wb") as handle:
        chunk = b"\0" * 65536
        with contextlib.suppress(OSError):
            while True:
                handle.write(chunk)
                handle.flush()
    free = shutil.disk_usage(folder).free
    os.truncate(filler, max(0, filler.stat().st_size - leave + free))
    return filler


@pytest.mark.slow
def test_indexing_onto_a_nearly_full_filesystem_fails_clearly_and_keeps_the_old_index(
    tmp_path, small_filesystem
):
    data_dir = small_filesystem / "data"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NEWSARCHIVE_WRITER_TIMEOUT": "2"}

    def index(*paths: Path) -> subprocess.CompletedProcess:
        command = [sys.executable, "-c", INDEX, str(data_dir), *map(str, paths)]
        return subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)

    old = stories(tmp_path / "old", 50)
    assert index(old).returncode == 0
    before = state(data_dir)
    big = tmp_path / "big"  # far more text than the filesystem has room for
    big.mkdir()
    words = " ".join(f"word{n}" for n in range(4000))
    for n in range(100):
        (big / f"long-{n:03d}.txt").write_text(f"Long story {n}\n\n{words} unique{n}\n")
    for leave in LEFT_FREE:
        filler = fill(small_filesystem, leave)
        failed = index(big)
        filler.unlink()
        assert failed.returncode == 9, (leave, failed.stderr)
        lines = failed.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("newsarchive: error: cannot write the")
        assert "No space left on device" in lines[0] or " MB free on its file" in lines[0]
        assert state(data_dir) == before, leave
        with Archive(settings(data_dir)) as archive:
            assert archive.check().ok, leave
    # with room again, the next run succeeds
    more = stories(tmp_path / "more", 5, start=50)
    assert index(old, more).returncode == 0
    assert state(data_dir)[1] == 55
