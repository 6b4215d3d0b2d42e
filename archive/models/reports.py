"""What the archive reports about itself: sources in the catalog, runs, contents, checks."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Literal


@dataclass(frozen=True)
class SourceRecord:
    """The catalog's record of one source file (or one member of a container)."""

    path: str
    size: int
    mtime_ns: int
    content_hash: str
    format: str
    #: "skipped": a symbolic link not followed (``error`` says why); it holds no articles
    status: Literal["indexed", "failed", "empty", "skipped"]
    error: str | None
    article_count: int
    indexed_at: str

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class IngestReport:
    """The summary of one ``index`` or ``reindex`` run.

    ``new + updated + unchanged + failed + unfollowed + kept == seen`` always holds: every
    source the run saw is counted exactly once. ``unfollowed``: links out of the folders
    given, not followed (their sources have the status "skipped"); ``kept``:
    sources a rebuild could not read, whose articles it carried over from the live index;
    ``removed``: sources dropped (pruned, or no longer in a file that was read);
    ``missing``: sources under the paths indexed whose files are gone, kept because no
    prune was asked for; ``deferred``: files left for the next run, once the run had
    unpacked its limit. ``sources_total`` and ``articles_total`` are what the archive
    holds after the run (as ``stats`` counts them).
    """

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
    articles_written: int = 0
    articles_deleted: int = 0
    record_failures: int = 0
    seconds: float = 0.0
    failures: tuple[tuple[str, str], ...] = field(default=())
    unfollowed_links: tuple[tuple[str, str], ...] = field(default=())
    kept_sources: tuple[str, ...] = field(default=())
    #: files found in the folders given that the include and exclude patterns left out
    #: (not sources: never counted in ``seen``)
    skipped: int = 0
    interrupted: bool = False
    sources_total: int = 0
    articles_total: int = 0

    @property
    def indexed(self) -> int:
        return self.new + self.updated + self.unchanged

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["indexed"] = self.indexed
        data["failures"] = [{"path": p, "error": e} for p, e in self.failures]
        data["unfollowed_links"] = [{"path": p, "reason": e} for p, e in self.unfollowed_links]
        data["kept_sources"] = list(self.kept_sources)
        return data


@dataclass(frozen=True)
class Stats:
    """What the archive holds."""

    articles: int
    sources: int
    failed_sources: int
    formats: dict[str, int]
    engine: str
    generation: str
    data_dir: str
    last_indexed: str | None
    #: "ok", or what is wrong with an engine that still answers (see ``Engine.health``)
    health: str = "ok"

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class CheckReport:
    """Whether the index opens and agrees with the catalog."""

    ok: bool
    index_articles: int
    catalog_articles: int
    missing_from_index: tuple[str, ...] = ()
    unknown_to_catalog: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        for key in ("missing_from_index", "unknown_to_catalog", "problems"):
            data[key] = list(data[key])
        return data
