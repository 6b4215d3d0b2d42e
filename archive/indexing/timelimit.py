"""A bound on the time one piece of work may take: parsing a hostile source must end.

``time_limit(seconds)`` interrupts its block with ``Overtime`` through a timer signal.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class Overtime(BaseException):
    """The block ran out of time (a BaseException, so no ``except Exception`` swallows it)."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Interrupt the block with ``Overtime`` after ``seconds`` (0: no limit).

    A timer signal only reaches the main thread, so elsewhere (work run from a thread)
    the block runs unbounded. Code inside one C call (lxml) is interrupted when it returns.
    """
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return

    def overtime(signum: int, frame: object) -> None:
        raise Overtime

    previous = signal.signal(signal.SIGALRM, overtime)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
