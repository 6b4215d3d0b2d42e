"""What a run tells whoever watches it (progress as it goes) and its caller (the report).

Every source a run sees is counted exactly once, as new, updated, unchanged or failed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Protocol

from archive.models import IngestReport

#: failures listed in a report by name; the count covers all of them
MAX_FAILURES_REPORTED = 1000


class Progress(Protocol):
    """What the pipeline tells whoever is watching (the CLI's progress bar)."""

    def start(self, total: int) -> None: ...

    def advance(self, sources: int, articles: int) -> None: ...

    def finish(self) -> None: ...


class Silent:
    """Progress nobody watches."""

    def start(self, total: int) -> None:
        pass

    def advance(self, sources: int, articles: int) -> None:
        pass

    def finish(self) -> None:
        pass


@dataclass
class Tally:
    """The counts of a run in progress."""

    seen: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    removed: int = 0
    written: int = 0
    deleted: int = 0
    record_failures: int = 0
    skipped: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)

    started: float = field(default_factory=time.perf_counter)

    def report(self, interrupted: bool = False) -> IngestReport:
        return IngestReport(
            seen=self.seen,
            new=self.new,
            updated=self.updated,
            unchanged=self.unchanged,
            failed=self.failed,
            removed=self.removed,
            articles_written=self.written,
            articles_deleted=self.deleted,
            record_failures=self.record_failures,
            seconds=time.perf_counter() - self.started,
            failures=tuple(self.failures),
            skipped=self.skipped,
            interrupted=interrupted,
        )

    def fail(self, key: str, reason: str) -> None:
        self.failed += 1
        if len(self.failures) < MAX_FAILURES_REPORTED:
            self.failures.append((key, reason))
