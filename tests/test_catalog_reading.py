"""The catalog opened for reading: it creates nothing, and reads a WAL database for real in
a read-only folder, a crashed writer's last commits included."""

from __future__ import annotations

import subprocess
import sys

import pytest

from archive.errors import ArchiveError
from archive.indexing.catalog import Catalog
from archive.models import SourceRecord
from tests.conftest import ROOT
from tests.readonly_support import read_only

RECORD = SourceRecord("/in/a.txt", 10, 1, "hash", "text", "indexed", None, 1, "2024-01-01")

#: a writer that commits a record and dies without closing: its commit stays in the -wal
#: file (no checkpoint), beside the -shm index
CRASHED_WRITER = """
import os, sys
from pathlib import Path
from archive.indexing.catalog import Catalog
from archive.models import SourceRecord
catalog = Catalog(Path(sys.argv[1]))
catalog.db.execute("PRAGMA wal_autocheckpoint = 0")
record = SourceRecord("/in/b.txt", 10, 1, "hash", "text", "indexed", None, 1, "2024-01-02")
catalog.record(record, "/in/b.txt", 10, ["b"])
os._exit(0)
"""

READER = """
import sys
from pathlib import Path
from archive.indexing.catalog import Catalog
catalog = Catalog(Path(sys.argv[1]), read_only=True)
print(sorted(catalog.all_article_ids()))
"""


def written(folder):
    catalog = Catalog(folder / "catalog.sqlite3")
    catalog.record(RECORD, "/in/a.txt", 10, ["a"])
    catalog.close()
    return folder / "catalog.sqlite3"


def python(code, *args, prefix=()):
    return subprocess.run(
        [*prefix, sys.executable, "-c", code, *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )


def test_reading_creates_nothing_and_leaves_nothing(tmp_path):
    path = written(tmp_path)
    before = sorted(tmp_path.iterdir())
    catalog = Catalog(path, read_only=True)
    assert list(catalog.all_article_ids()) == ["a"]
    catalog.close()
    assert sorted(tmp_path.iterdir()) == before
    with pytest.raises(FileNotFoundError):
        Catalog(tmp_path / "absent" / "catalog.sqlite3", read_only=True)
    assert not (tmp_path / "absent").exists()


def test_a_read_only_catalog_takes_no_writes(tmp_path):
    catalog = Catalog(written(tmp_path), read_only=True)
    with pytest.raises(ArchiveError):
        catalog.record(RECORD, "/in/a.txt", 10, ["x"])
    catalog.close()


@pytest.mark.parametrize("how", ["mount", "permissions"])
def test_a_crashed_writers_commit_is_read_in_a_read_only_folder(tmp_path, how):
    path = written(tmp_path)
    crashed = python(CRASHED_WRITER, path)
    assert crashed.returncode == 0, crashed.stderr
    assert (tmp_path / "catalog.sqlite3-wal").stat().st_size > 0
    with read_only(tmp_path, how) as prefix:
        result = python(READER, path, prefix=prefix)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['a', 'b']"


def test_without_its_shm_file_a_wal_that_holds_everything_is_one_clear_error(tmp_path):
    path = tmp_path / "catalog.sqlite3"
    crashed = python(CRASHED_WRITER, path)  # a catalog made and written by one dead writer
    assert crashed.returncode == 0, crashed.stderr
    (tmp_path / "catalog.sqlite3-shm").unlink()
    with read_only(tmp_path, "mount") as prefix:
        result = python(READER, path, prefix=prefix)
    assert result.returncode == 1
    assert "ArchiveError: the catalog" in result.stderr and "holds no catalog" in result.stderr
