"""The archive's write lock: one writer (index, reindex) at a time, with a bounded wait.

An advisory ``flock`` on ``write.lock`` in the data directory: the kernel releases it when
its holder dies, so a crash never leaves a stale lock. The holder writes who it is into
the file, so a second writer can say what it waited for. A folder that refuses the lock
file (read-only, full) is the disk refusing a write (``StorageError``); ``holder`` tells a
reader who is writing without creating anything.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from archive.errors import IndexBusy
from archive.storage import disk_writes

POLL_SECONDS = 0.1


@contextmanager
def write_lock(data_dir: Path, timeout: float, purpose: str) -> Iterator[None]:
    """Hold the write lock for the block; raise ``IndexBusy`` after ``timeout`` seconds."""
    path = data_dir / "write.lock"
    with disk_writes(f"the write lock {path}", data_dir):
        data_dir.mkdir(parents=True, exist_ok=True)
        handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - held for the whole block
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise IndexBusy(
                        f"the archive is busy: {_holder(path)}; waited {timeout:g} s. "
                        "Try again when it has finished."
                    ) from None
                time.sleep(POLL_SECONDS)
        _note(handle.fileno(), purpose)
        yield
    finally:
        # unlocked explicitly: a child process that inherited the descriptor (a bulk
        # writer's workers) must not go on holding the lock once the holder is done
        with contextlib.suppress(OSError):
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        handle.close()


def holder(data_dir: Path) -> str | None:
    """Who holds the write lock right now, or ``None``; opens the lock file read-only (a
    lock can be taken through any descriptor) and creates nothing."""
    path = data_dir / "write.lock"
    try:
        handle = open(path, encoding="utf-8")  # noqa: SIM115 - closed below
    except OSError:
        return None  # no lock file: nobody has written here through this path
    with handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return _holder(path)
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    return None


def _note(fd: int, purpose: str) -> None:
    """Write who holds the lock into it, unbuffered; only a courtesy, so a full disk
    does not stop the writer."""
    note = (
        f"{purpose} (pid {os.getpid()}, {' '.join(sys.argv[:3])}) since "
        f"{time.strftime('%Y-%m-%d %H:%M:%S')}\n"
    )
    with contextlib.suppress(OSError):
        os.ftruncate(fd, 0)
        os.pwrite(fd, note.encode("utf-8"), 0)


def _holder(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8").strip()
    except OSError:
        text = ""
    return text or "another process holds the write lock"
