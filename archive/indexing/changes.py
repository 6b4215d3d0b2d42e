"""What a run has to parse: the incremental part of the pipeline, file by file.

A file the catalog knows with its current size and mtime is skipped unread; a changed
one is read, and a member whose content hash is unchanged is only touched (its new size
and mtime noted). What is left becomes a job for the parsing processes.

A file that is read replaces everything the catalog knew of it: the sources it holds now
(its members, when it is a container) are recorded, and those it no longer holds (a
member taken out of a zip) are dropped with their articles, as the records a feed no
longer holds are. What can be known only by reading is never decided without reading:
a file that cannot be read right now (``sources.Unreadable``) keeps what it gave, and is
tried again by the next run; a rebuild carries such a file's articles over from the live
index (``Carry``). Only a prune drops the sources of files that are gone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from archive.errors import ParseError
from archive.indexing.batches import Batch
from archive.indexing.catalog import RETRY, Catalog, now
from archive.indexing.parsing import Parsed
from archive.indexing.reporting import Progress, Tally
from archive.ingest import containers, keys, sources
from archive.ingest.articles import content_hash
from archive.ingest.inflating import Unpacked
from archive.models import SourceRecord

#: below this many bytes of sources a run parses in-process and writes with one writer
BULK_BYTES = 1_000_000

#: the live articles of one source, for a rebuild that cannot read its file
Carry = Callable[[str], Parsed | None]


@dataclass
class Job:
    """One source to parse: its file, its catalog key and its bytes."""

    file: sources.SourceFile
    key: str
    data: bytes


@dataclass
class Budget:
    """What a run may read: the limits on one source and container, and on the whole run."""

    max_bytes: int
    limits: containers.Limits
    run_bytes: int
    unpacked: Unpacked

    def spent(self) -> bool:
        return self.unpacked.bytes >= self.run_bytes


def changed(catalog: Catalog, files: list[sources.SourceFile]) -> list[sources.SourceFile]:
    """The files a run has to read: new, or changed in size or mtime since the last."""
    return [
        file
        for file in files
        if not (file.skipped or file.followed) and not same_stat(catalog.for_file(file.key), file)
    ]


def is_bulk(files: list[sources.SourceFile]) -> bool:
    """Whether reading ``files`` is big enough to be worth worker processes."""
    return sum(file.size for file in files if not (file.skipped or file.followed)) >= BULK_BYTES


def jobs(
    catalog: Catalog,
    files: Iterable[sources.SourceFile],
    budget: Budget,
    *,
    fresh: bool,
    tally: Tally,
    batch: Batch,
    progress: Progress,
    carry: Carry | None = None,
) -> Iterator[Job | Parsed]:
    """The sources of ``files`` to parse, and (for a rebuild) those carried over.

    ``fresh`` (a rebuild) reads every file; ``carry`` gives, for a rebuild, the live
    articles of a source whose file cannot be read.
    """
    for file in files:
        progress.advance(1, 0)
        known = catalog.for_file(file.key)
        if budget.spent():
            if carry is None:
                tally.deferred += 1
            else:
                yield from _carried(known, carry, tally)
            continue
        if file.skipped:
            _skipped(file, known, tally, batch, fresh)
            continue
        if file.followed:  # a link the walk followed: no source is at its own path
            for record in known:
                tally.removed += 1
                tally.deleted += batch.forget(record.path)
            continue
        if not fresh and same_stat(known, file):
            _unchanged(known, tally)
            continue
        data: bytes | ParseError
        try:
            data = sources.read(file, budget.max_bytes)
        except sources.Unreadable as exc:
            if carry is not None:
                yield from _carried(known, carry, tally)
            else:
                tally.seen += 1
                tally.fail(file.key, str(exc))
                batch.record(failed(file, file.key, 0, "", str(exc), retry=True), file.key, None)
            continue
        except ParseError as exc:
            data = exc
        batch.opened(file.key)
        yield from _read(file, data, known, budget, fresh=fresh, tally=tally, batch=batch)
        batch.closed(file)


def _read(
    file: sources.SourceFile,
    data: bytes | ParseError,
    known: list[SourceRecord],
    budget: Budget,
    *,
    fresh: bool,
    tally: Tally,
    batch: Batch,
) -> Iterator[Job]:
    """The sources in a file just read; what the catalog knew of it and it no longer holds
    is dropped."""
    found = [(file.key, data)] if isinstance(data, ParseError) else []
    if isinstance(data, bytes):
        found = sources.split(file.key, data, budget.limits, budget.unpacked)  # type: ignore[assignment]
    held = {record.path: record for record in known}
    produced: set[str] = set()
    for key, member in found:
        produced.add(key)
        tally.seen += 1
        if isinstance(member, ParseError):
            tally.fail(key, str(member))
            tally.deleted += batch.record(failed(file, key, 0, "", str(member)), file.key, [])
            continue
        old = held.get(key)
        same = old is not None and old.content_hash == content_hash(member)
        if not fresh and same and old is not None and old.status == "indexed":
            tally.unchanged += 1
            batch.touch(key, file)
            continue
        batch.files[key] = file
        batch.opened(file.key)
        yield Job(file, key, member)
    for key in held.keys() - produced:
        tally.removed += 1
        if not fresh:
            tally.deleted += batch.forget(key)


def _unchanged(known: list[SourceRecord], tally: Tally) -> None:
    for record in known:
        tally.seen += 1
        if record.status == "failed":
            tally.fail(record.path, record.error or "failed")
        elif record.status == "skipped":
            tally.unfollow(record.path, record.error or "skipped")
        else:
            tally.unchanged += 1


def _skipped(
    file: sources.SourceFile,
    known: list[SourceRecord],
    tally: Tally,
    batch: Batch,
    fresh: bool,
) -> None:
    """A link not followed: a source of its own, listed with its reason, holding nothing."""
    tally.seen += 1
    tally.unfollow(file.key, file.skipped)
    record = SourceRecord(
        path=file.key,
        size=file.size,
        mtime_ns=file.mtime_ns,
        content_hash="",
        format="link",
        status="skipped",
        error=file.skipped,
        article_count=0,
        indexed_at=now(),
    )
    same = [r for r in known if r.status == "skipped" and r.error == file.skipped]
    if not fresh and same and same_stat(known, file):
        return
    tally.deleted += batch.record(record, file.key, [])
    for old in known:
        if old.path != file.key:
            tally.removed += 1
            if not fresh:
                tally.deleted += batch.forget(old.path)


def _carried(known: list[SourceRecord], carry: Carry, tally: Tally) -> Iterator[Parsed]:
    for record in known:
        tally.seen += 1
        parsed = carry(record.path)
        if parsed is not None:
            yield parsed


def gone(known: list[SourceRecord], kind: str) -> bool:
    """Whether a file's sources are gone: a link not followed that is no longer a link,
    or a file that is no longer a regular file at its own path."""
    links = bool(known) and all(record.status == "skipped" for record in known)
    return kind != ("link" if links else "file")


def prune(catalog: Catalog, roots: list[str], seen: set[str], tally: Tally, batch: Batch) -> None:
    """Forget the sources under ``roots`` whose files are gone, and delete their articles.

    Files the walk found (``seen``) are not gone; those it did not find (hidden, left
    out, or missing) are looked at one by one, so only what is gone is dropped.
    """
    for file in catalog.files():
        if file in seen or not keys.under(file, roots):
            continue
        known = catalog.for_file(file)
        if gone(known, sources.kind(keys.path_of(file))):
            for record in known:
                tally.deleted += batch.forget(record.path)
                tally.removed += 1
    missing = [root for root in catalog.roots() if keys.under(root, roots)]
    catalog.drop_roots(r for r in missing if sources.kind(keys.path_of(r)) == "")


def missing(catalog: Catalog, roots: list[str], seen: set[str], tally: Tally) -> None:
    """Count the sources under ``roots`` whose files are gone and are kept (no prune)."""
    for file in catalog.files():
        if file in seen or not keys.under(file, roots):
            continue
        known = catalog.for_file(file)
        if gone(known, sources.kind(keys.path_of(file))):
            tally.missing += len(known)


def same_stat(known: list[SourceRecord], file: sources.SourceFile) -> bool:
    """Whether the catalog knows ``file`` with its current size and mtime."""
    return bool(known) and all(r.size == file.size and r.mtime_ns == file.mtime_ns for r in known)


def failed(
    file: sources.SourceFile,
    key: str,
    size: int,
    digest: str,
    reason: str,
    fmt: str = "",
    retry: bool = False,
) -> SourceRecord:
    """The record of a source that could not be read or parsed; one to ``retry`` gets a
    mtime no file has, so the next run reads it again."""
    return SourceRecord(
        path=key,
        size=file.size,
        mtime_ns=RETRY if retry else file.mtime_ns,
        content_hash=digest,
        format=fmt or "unknown",
        status="failed",
        error=reason,
        article_count=0,
        indexed_at=now(),
    )
