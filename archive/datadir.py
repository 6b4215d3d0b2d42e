"""The data directory as the commands find it: there or not, writable or not, and its catalog.

Reading commands (search, show, similar, stats, errors, check, serve) create nothing: the
catalog is opened read-only, and a data directory that does not exist holds nothing
indexed yet. A server keeps running while its data directory is moved, removed or
replaced: each thread reopens the catalog when the file at its path is another one.
Writers (index, reindex) first make sure the directory takes new files, so a read-only
one is the disk refusing a write (``StorageError``), not a catalog that cannot be opened.
"""

from __future__ import annotations

import logging
import os
import threading

from archive.config import Settings
from archive.indexing.catalog import Catalog
from archive.storage import check_writable

log = logging.getLogger(__name__)


class DataDir:
    """One archive's data directory and its catalog, for reading and (on demand) writing."""

    def __init__(self, settings: Settings) -> None:
        self.path = settings.data_dir
        self.catalog_path = settings.catalog_path
        self._writable: Catalog | None = None
        self._local = threading.local()
        self._opened: list[Catalog] = []
        self._lock = threading.Lock()

    def writable_catalog(self) -> Catalog:
        """The catalog for a writer, created if need be, once the directory takes files."""
        if self._writable is None:
            check_writable(self.path)
            self._writable = Catalog(self.catalog_path)
        return self._writable

    def reading_catalog(self) -> Catalog | None:
        """This thread's catalog to read, or ``None`` when there is none (nothing indexed).

        A writer's catalog, when this process has one open, is read; otherwise a read-only
        one, reopened when the file at the catalog's path has been replaced.
        """
        if self._writable is not None:
            return self._writable
        try:
            found = os.stat(self.catalog_path)
        except OSError:
            return None
        identity = (found.st_dev, found.st_ino)
        current: tuple[tuple[int, int], Catalog] | None = getattr(self._local, "catalog", None)
        if current is not None and current[0] == identity:
            return current[1]
        try:
            catalog = Catalog(self.catalog_path, read_only=True)
        except FileNotFoundError:
            return None
        if current is not None:
            log.info("the catalog %s was replaced; reading the new one", self.catalog_path)
            self._retire(current[1])
        # the connection holds the file open, so no other file can take its inode number
        self._local.catalog = (identity, catalog)
        with self._lock:
            self._opened.append(catalog)
        return catalog

    def _retire(self, catalog: Catalog) -> None:
        with self._lock:
            self._opened.remove(catalog)
        catalog.close()

    def close(self) -> None:
        """Close every catalog this data directory opened, in any thread."""
        with self._lock:
            opened, self._opened = self._opened, []
        for catalog in opened:
            catalog.close()
        if self._writable is not None:
            self._writable.close()
            self._writable = None
        self._local = threading.local()
