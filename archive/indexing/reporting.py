"""What a run tells whoever watches it (progress as it goes) and its caller (the report).

Every source a run sees is counted exactly once, as new, updated, unchanged, failed,
unfollowed (a link out of the folders given) or kept (a rebuild that could not read its
file carried its articles over).
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
    unfollowed: int = 0
    kept: int = 0
    removed: int = 0
    missing: int = 0
    deferred: int = 0
    written: int = 0
    deleted: int = 0
    record_failures: int = 0
    #: files in the folders given that the include and exclude patterns left out
    skipped: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)
    keeps: list[str] = field(default_factory=list)

    started: float = field(default_factory=time.perf_counter)

    def report(
        self, totals: dict[str, int] | None = None, interrupted: bool = False
    ) -> IngestReport:
        """The run's report; ``totals`` are the catalog's counts after it (``counts``)."""
        totals = totals or {}
        return IngestReport(
            seen=self.seen,
            new=self.new,
            updated=self.updated,
            unchanged=self.unchanged,
            failed=self.failed,
            unfollowed=self.unfollowed,
            kept=self.kept,
            removed=self.removed,
            missing=self.missing,
            deferred=self.deferred,
            articles_written=self.written,
            articles_deleted=self.deleted,
            record_failures=self.record_failures,
            seconds=time.perf_counter() - self.started,
            failures=tuple(self.failures),
            skipped=self.skipped,
            unfollowed_links=tuple(self.links),
            kept_sources=tuple(self.keeps),
            interrupted=interrupted,
            sources_total=sum(v for k, v in totals.items() if k != "articles"),
            articles_total=totals.get("articles", 0),
        )

    def fail(self, key: str, reason: str) -> None:
        self.failed += 1
        if len(self.failures) < MAX_FAILURES_REPORTED:
            self.failures.append((key, reason))

    def unfollow(self, key: str, reason: str) -> None:
        self.unfollowed += 1
        if len(self.links) < MAX_FAILURES_REPORTED:
            self.links.append((key, reason))

    def keep(self, key: str) -> None:
        self.kept += 1
        if len(self.keeps) < MAX_FAILURES_REPORTED:
            self.keeps.append(key)
