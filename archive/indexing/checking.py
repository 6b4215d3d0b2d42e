"""``check``: whether the index opens and holds exactly the articles the catalog lists."""

from __future__ import annotations

from contextlib import ExitStack
from typing import TYPE_CHECKING

from archive.errors import ArchiveError, IndexBusy, StorageError, nothing_indexed
from archive.indexing.locking import holder, write_lock
from archive.models import CheckReport

if TYPE_CHECKING:
    from archive.config import Settings
    from archive.datadir import DataDir
    from archive.engines.base import Engine


def check(settings: Settings, data: DataDir, engine: Engine) -> CheckReport:
    """Compare the index with the catalog of the data directory ``data``.

    The write lock is held throughout, so no writer's batch lands half-way through the
    comparison; ``IndexBusy`` when a writer is running. A batch a crash left
    half-recorded is settled first, as the next index run would, unless the data
    directory is read-only.
    """
    from archive.indexing.indexer import Indexer

    indexed = settings.catalog_path.exists() or engine.generation()
    if not settings.data_dir.is_dir() or not indexed:
        raise nothing_indexed(settings.data_dir)  # and no lock file made there
    with ExitStack() as stack:
        problems: list[str] = []
        if _lock(settings, stack):
            if settings.catalog_path.exists():
                Indexer(settings, engine, data.writable_catalog()).recover()
        elif (catalog := data.reading_catalog()) and catalog.pending():
            problems.append(
                "the last batch of an interrupted run is half-recorded; the data directory "
                "is read-only, so it is settled by the next `newsarchive index` that can write"
            )
        return _compare(data, engine, problems)


def _lock(settings: Settings, stack: ExitStack) -> bool:
    """Hold the write lock for the check; ``False`` when the data directory is read-only
    (then only a writer elsewhere could hold it, and ``holder`` tells)."""
    folder = settings.data_dir
    try:
        stack.enter_context(write_lock(folder, 0, "checking"))
        return True
    except IndexBusy:
        busy = holder(folder) or "another process holds the write lock"
    except StorageError:
        found = holder(folder)
        if found is None:
            return False
        busy = found
    raise IndexBusy(
        f"a writer is running ({busy}), so the index and the catalog cannot be compared "
        "now; run `newsarchive check` again when it has finished"
    )


def _compare(data: DataDir, engine: Engine, problems: list[str]) -> CheckReport:
    index_ids: set[str] = set()  # nothing indexed yet: agrees with an empty catalog
    try:
        if engine.generation():
            index_ids = set(engine.ids())
    except ArchiveError as exc:
        problems.append(str(exc))
    catalog = data.reading_catalog()
    catalog_ids = set(catalog.all_article_ids()) if catalog else set()
    missing = tuple(sorted(catalog_ids - index_ids))
    unknown = tuple(sorted(index_ids - catalog_ids))
    if missing:
        problems.append(f"{len(missing)} articles in the catalog are missing from the index")
    if unknown:
        problems.append(f"{len(unknown)} articles in the index are unknown to the catalog")
    return CheckReport(
        ok=not problems,
        index_articles=len(index_ids),
        catalog_articles=len(catalog_ids),
        missing_from_index=missing[:100],
        unknown_to_catalog=unknown[:100],
        problems=tuple(problems),
    )
