"""Talking to an OpenSearch cluster: the client, its errors turned into the archive's, the
cluster's health in words, and the cluster-wide write lock.

The lock is a document created with ``op_type=create`` (which fails while another exists)
in a small ``<alias>-lock`` index, so one writer at a time holds an archive across
processes and machines. It is a lease: a holder that dies without releasing it blocks
others only until the lease runs out, and a live holder renews it at every commit.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from typing import Any

from opensearchpy import OpenSearch
from opensearchpy.exceptions import (
    ConflictError,
    ConnectionError,
    ConnectionTimeout,
    NotFoundError,
    RequestError,
    TransportError,
)

from archive.errors import EngineUnavailable, IndexBusy, QueryError

#: seconds one request may take before the cluster counts as unavailable
REQUEST_TIMEOUT = 30
#: seconds a write lock lasts unless renewed
LEASE_SECONDS = 600
POLL_SECONDS = 0.1
LOCK_ID = "writer"


def make_client(url: str) -> OpenSearch:
    """A client for one or more comma-separated node URLs; a dead node is skipped."""
    hosts = [part.strip() for part in url.split(",") if part.strip()]
    library_log = logging.getLogger("opensearch")
    if library_log.level == logging.NOTSET:
        # it logs every 404 as a warning, and the archive expects some (nothing indexed
        # yet); failures reach the user as the archive's own errors instead
        library_log.setLevel(logging.ERROR)
    return OpenSearch(hosts=hosts, timeout=REQUEST_TIMEOUT, max_retries=2)


@contextmanager
def unavailable(url: str) -> Iterator[None]:
    """Turn the client's connection and server errors into the archive's errors."""
    try:
        yield
    except ConnectionTimeout:
        raise EngineUnavailable(
            f"OpenSearch at {url} did not answer within {REQUEST_TIMEOUT} s"
        ) from None
    except ConnectionError as exc:
        raise EngineUnavailable(f"OpenSearch at {url} cannot be reached: {_reason(exc)}") from None
    except TransportError as exc:
        if "too many" in _reason(exc) or "too_many" in str(exc.error):
            raise QueryError(
                "the query expands to too many words; use longer prefixes or fewer of them"
            ) from None
        if isinstance(exc, RequestError):
            raise EngineUnavailable(f"OpenSearch refused a request: {_reason(exc)}") from None
        raise EngineUnavailable(
            f"OpenSearch at {url} failed (HTTP {exc.status_code}): {_reason(exc)}"
        ) from None


def _reason(exc: TransportError) -> str:
    """The most specific reason the server or the connection gave."""
    info = exc.info
    if isinstance(info, dict):
        error = info.get("error")
        if isinstance(error, dict):
            causes = error.get("root_cause") or [error]
            return str(causes[0].get("reason") or causes[0].get("type") or error)
        if error:
            return str(error)
    if isinstance(info, Exception):
        text = str(info)
        return (
            text.rsplit(": ", 1)[-1] if "Connection refused" not in text else "connection refused"
        )
    return str(exc.error)


def describe_health(raw: dict[str, Any]) -> str:
    """``ok``, or the cluster's state in words when it answers but is not whole."""
    status = raw.get("status", "unknown")
    if status == "green":
        return "ok"
    nodes = raw.get("number_of_nodes", 0)
    unassigned = raw.get("unassigned_shards", 0)
    if status == "yellow":
        return (
            f"degraded: cluster yellow, {unassigned} replica shard(s) unassigned on "
            f"{nodes} node(s); every article is still searchable"
        )
    return (
        f"failing: cluster {status}, {unassigned} shard(s) unassigned on {nodes} node(s); "
        "some articles cannot be searched"
    )


class WriteLock:
    """One writer at a time for the archive under ``alias``, across processes."""

    def __init__(self, client: OpenSearch, alias: str) -> None:
        self.client = client
        self.alias = alias
        self.index = f"{alias}-lock"
        self._held: tuple[int, int] | None = None
        self._doc: dict[str, Any] = {}
        self._renewed = 0.0

    def acquire(self, timeout: float, purpose: str) -> None:
        """Take the lock, waiting up to ``timeout`` seconds; ``IndexBusy`` after that."""
        self._ensure_index()
        deadline = time.monotonic() + timeout
        self._doc = {
            "owner": f"{purpose} (pid {os.getpid()} on {socket.gethostname()})",
            "since": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        while True:
            try:
                self._write(op_type="create")
                return
            except ConflictError:
                holder = self._expired_or_holder()
            if holder and time.monotonic() >= deadline:
                raise IndexBusy(
                    f"another process is writing to the OpenSearch index {self.alias}: "
                    f"{holder}; waited {timeout:g} s"
                )
            if holder:
                time.sleep(POLL_SECONDS)

    def renew(self) -> None:
        """Extend the lease; ``IndexBusy`` if it ran out and another writer took it."""
        if self._held is None or time.monotonic() - self._renewed < LEASE_SECONDS / 10:
            return
        seq_no, term = self._held
        try:
            self._write(if_seq_no=seq_no, if_primary_term=term)
        except (ConflictError, NotFoundError):
            self._held = None
            raise IndexBusy(
                f"the write lock on {self.alias} ran out and another writer took it"
            ) from None

    def release(self) -> None:
        if self._held is None:
            return
        seq_no, term = self._held
        self._held = None
        with suppress(ConflictError, NotFoundError):
            self.client.delete(index=self.index, id=LOCK_ID, if_seq_no=seq_no, if_primary_term=term)

    def _write(self, **options: Any) -> None:
        body = dict(self._doc, expires=time.time() + LEASE_SECONDS)
        answer = self.client.index(index=self.index, id=LOCK_ID, body=body, **options)
        self._held = (answer["_seq_no"], answer["_primary_term"])
        self._renewed = time.monotonic()

    def _expired_or_holder(self) -> str:
        """Who holds the lock; "" after clearing a lease that ran out (or was just freed)."""
        try:
            found = self.client.get(index=self.index, id=LOCK_ID)
        except NotFoundError:
            return ""
        source = found["_source"]
        if float(source.get("expires", 0)) > time.time():
            return f"{source.get('owner', 'another writer')} since {source.get('since', '?')}"
        with suppress(ConflictError, NotFoundError):
            self.client.delete(
                index=self.index,
                id=LOCK_ID,
                if_seq_no=found["_seq_no"],
                if_primary_term=found["_primary_term"],
            )
        return ""

    def _ensure_index(self) -> None:
        if self.client.indices.exists(index=self.index):
            return
        body = {
            "settings": {"number_of_shards": 1, "auto_expand_replicas": "0-1"},
            "mappings": {"dynamic": False},
        }
        try:
            self.client.indices.create(index=self.index, body=body)
        except RequestError as exc:
            if "already_exists" not in str(exc.error):
                raise
