"""What a run has to parse: the incremental part of the pipeline.

A file the catalog knows with its current size and mtime is skipped unread; a changed
one is read, and a member whose content hash is unchanged is only touched (its new size
and mtime noted). What is left becomes a job for the parsing processes. Sources that
cannot be read are recorded as failed on the way.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from archive.errors import ParseError
from archive.indexing.batches import Batch
from archive.indexing.catalog import Catalog, now
from archive.indexing.reporting import Progress, Tally
from archive.ingest import sources
from archive.ingest.articles import content_hash
from archive.models import SourceRecord

#: below this many bytes of sources a run parses in-process and writes with one writer
BULK_BYTES = 1_000_000


@dataclass
class Job:
    """One source to parse: its file, its catalog key and its bytes."""

    file: sources.SourceFile
    key: str
    data: bytes


def changed(catalog: Catalog, files: list[sources.SourceFile]) -> list[sources.SourceFile]:
    """The files a run has to read: new, or changed in size or mtime since the last."""
    return [file for file in files if not same_stat(catalog.for_file(file.path), file)]


def is_bulk(files: list[sources.SourceFile]) -> bool:
    """Whether reading ``files`` is big enough to be worth worker processes."""
    return sum(file.size for file in files) >= BULK_BYTES


def jobs(
    catalog: Catalog,
    files: list[sources.SourceFile],
    max_bytes: int,
    *,
    fresh: bool,
    tally: Tally,
    batch: Batch,
    progress: Progress,
) -> Iterator[Job]:
    """The sources of ``files`` to parse; ``fresh`` (a rebuild) reads every one."""
    for file in files:
        progress.advance(1, 0)
        known = [] if fresh else catalog.for_file(file.path)
        if same_stat(known, file):
            for record in known:
                tally.seen += 1
                if record.status == "failed":
                    tally.fail(record.path, record.error or "failed")
                else:
                    tally.unchanged += 1
            continue
        try:
            data = sources.read(file, max_bytes)
        except ParseError as exc:
            tally.seen += 1
            tally.fail(file.path, str(exc))
            batch.record(failed(file, file.path, 0, "", str(exc)), file.path, None)
            continue
        for key, member in sources.split(file.path, data):
            tally.seen += 1
            if isinstance(member, ParseError):
                tally.fail(key, str(member))
                batch.record(failed(file, key, 0, "", str(member)), file.path, None)
                continue
            old = None if fresh else catalog.get(key)
            if old and old.status != "failed" and old.content_hash == content_hash(member):
                tally.unchanged += 1
                batch.touch(key, file)
                continue
            batch.files[key] = file
            yield Job(file, key, member)


def prune(catalog: Catalog, tally: Tally, batch: Batch) -> None:
    """Forget sources whose files are gone, and delete their articles."""
    for file in list(catalog.files()):
        if sources.stat(file) is not None:
            continue
        for record in catalog.for_file(file):
            batch.forget(record.path)
            tally.removed += 1


def same_stat(known: list[SourceRecord], file: sources.SourceFile) -> bool:
    """Whether the catalog knows ``file`` with its current size and mtime."""
    return bool(known) and all(r.size == file.size and r.mtime_ns == file.mtime_ns for r in known)


def failed(
    file: sources.SourceFile, key: str, size: int, digest: str, reason: str, fmt: str = ""
) -> SourceRecord:
    """The record of a source that could not be read or parsed."""
    return SourceRecord(
        path=key,
        size=file.size,
        mtime_ns=file.mtime_ns,
        content_hash=digest,
        format=fmt or "unknown",
        status="failed",
        error=reason,
        article_count=0,
        indexed_at=now(),
    )
