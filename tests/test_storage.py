"""The disk refusing a write becomes one ``StorageError``, whichever store was written."""

from __future__ import annotations

import errno
import os
import sqlite3

import pytest

from archive.errors import StorageError
from archive.storage import disk_writes, refused


def read_only_database(tmp_path):
    path = tmp_path / "store.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE t (x)")
    db.close()
    return path, sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)


def test_a_refused_sqlite_write_is_undone_and_named(tmp_path):
    path, db = read_only_database(tmp_path)
    undone = []
    store = disk_writes(f"the test store {path}", path, undo=lambda: undone.append(True))
    with pytest.raises(StorageError) as caught, store:
        db.execute("INSERT INTO t VALUES (1)")
    db.close()
    message = str(caught.value)
    assert message.startswith(f"cannot write the test store {path}: attempt to write a readonly")
    assert " MB free on its file system)" in message and "\n" not in message
    assert undone == [True]
    assert refused(caught.value.__cause__)


def test_a_refused_file_write_gives_the_reason():
    with pytest.raises(StorageError) as caught, disk_writes("the index in /x", "/x/y"):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "/x/y/segment")
    assert str(caught.value).startswith("cannot write the index in /x: No space left")


def test_other_errors_pass_unchanged(tmp_path):
    db = sqlite3.connect(tmp_path / "store.sqlite3")
    store = disk_writes("the test store", tmp_path, undo=pytest.fail)
    with pytest.raises(sqlite3.OperationalError, match="no such table"), store:
        db.execute("SELECT * FROM missing")
    db.close()
    with pytest.raises(ValueError), disk_writes("the test store", tmp_path):
        raise ValueError("a bug, not the disk")
