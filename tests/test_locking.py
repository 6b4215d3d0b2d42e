"""The write lock: a second writer waits a bounded time, then fails naming the holder."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from archive.errors import IndexBusy
from archive.indexing.locking import write_lock

HOLD = """
import sys, time
from pathlib import Path
from archive.indexing.locking import write_lock
with write_lock(Path(sys.argv[1]), 5, "indexing"):
    print("held", flush=True)
    time.sleep(30)
"""


def test_second_writer_fails_naming_the_holder(tmp_path):
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        with pytest.raises(IndexBusy) as caught, write_lock(tmp_path, 0.5, "indexing"):
            pass
        assert 0.4 < time.monotonic() - started < 3
        assert f"indexing (pid {holder.pid}" in str(caught.value)
        assert "waited 0.5 s" in str(caught.value)
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
    # the kernel released the dead holder's lock: no stale lock is left behind
    with write_lock(tmp_path, 1, "indexing"):
        pass


FORK_AND_RELEASE = """
import os, sys, time
from pathlib import Path
from archive.indexing.locking import write_lock
with write_lock(Path(sys.argv[1]), 5, "indexing"):
    child = os.fork()  # as a bulk writer's worker processes are: the descriptor inherited
    if child == 0:
        time.sleep(30)
        os._exit(0)
print(child, flush=True)
time.sleep(30)
"""


def test_a_child_that_inherited_the_lock_does_not_hold_it_after_its_holder(tmp_path):
    holder = subprocess.Popen(
        [sys.executable, "-c", FORK_AND_RELEASE, str(tmp_path)],
        stdout=subprocess.PIPE,
        text=True,
    )
    child = int(holder.stdout.readline())
    try:
        # the holder left its block while its child lives on with the descriptor
        with write_lock(tmp_path, 0.5, "indexing"):
            pass
    finally:
        os.kill(child, signal.SIGKILL)
        holder.kill()
        holder.wait()
        holder.stdout.close()
