"""Worker processes never outlive the process that started them.

Parsing runs in a process pool and Whoosh's bulk writer in subprocesses of its own; they
are forked while the write lock is held, so they share it. If their parent is killed
(SIGKILL, the out-of-memory killer), orphans waiting for work that will never come would
keep the lock forever and every later writer would be refused as busy. On Linux each
worker asks the kernel to kill it when its parent dies; elsewhere this does nothing.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys

PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Call first thing in a worker process (a pool's ``initializer``, a task's ``run``)."""
    parent = multiprocessing.parent_process()
    if not sys.platform.startswith("linux") or parent is None:
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent.pid:  # the parent died before the request took effect
        os._exit(1)
