"""`newsarchive check` tells a running writer from a disagreement.

While a writer holds the archive, check says so (exit 4, its own message) instead of
reporting the batch in flight as a disagreement (exit 8); it holds the write lock while it
compares, so a writer that starts meanwhile waits rather than landing half-way through.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

import cli
from archive.indexing.locking import write_lock
from tests.conftest import ROOT, SEEDS
from tests.readonly_support import ended, newsarchive, read_only

BUSY = "a writer is running"


def check(data):
    return CliRunner().invoke(cli.main, ["--data-dir", str(data), "check"])


@pytest.fixture
def data(tmp_path):
    data = tmp_path / "data"
    assert (
        CliRunner().invoke(cli.main, ["--data-dir", str(data), "index", str(SEEDS)]).exit_code == 0
    )
    return data


def test_check_while_a_writer_holds_the_archive_says_busy(data):
    with write_lock(data, 0, "indexing"):
        result = check(data)
    assert result.exit_code == 4, result.output
    assert BUSY in result.output and "indexing (pid" in result.output
    assert "NOT ok" not in result.output and "reindex" not in result.output
    assert check(data).exit_code == 0


def test_check_of_a_read_only_data_directory_sees_a_writer_elsewhere(data):
    """Through a read-only mount the lock cannot be taken, but a holder can be seen."""
    with write_lock(data, 0, "indexing"), read_only(data, "mount") as prefix:
        result = newsarchive(data, "check", prefix=prefix)
    ended(result, 4)
    assert BUSY in result.stderr
    with read_only(data, "mount") as prefix:
        ended(newsarchive(data, "check", prefix=prefix), 0)


@pytest.mark.slow
def test_checks_among_running_writers_never_report_a_disagreement(data, tmp_path):
    """Writers one after another, each in several batches, and checks all the while:
    each check is ok or busy, never a disagreement."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "NEWSARCHIVE_BATCH_ARTICLES": "5",
        "NEWSARCHIVE_WRITER_TIMEOUT": "120",
    }
    script = "\n".join(
        f"{sys.executable} -m cli --data-dir {data} index -q {tmp_path / f'in-{run}'}"
        for run in range(6)
    )
    for run in range(6):
        folder = tmp_path / f"in-{run}"
        folder.mkdir()
        for n in range(30):
            text = f"Dispatch {n} of run {run}\n\nRun{run} filed dispatch {n} on the harbour.\n"
            (folder / f"d{n:02d}.txt").write_text(text)
    writers = subprocess.Popen(["sh", "-ec", script], cwd=ROOT, env=env)
    codes = []
    try:
        while writers.poll() is None:
            result = check(data)
            codes.append(result.exit_code)
            assert result.exit_code in (0, 4), result.output
    finally:
        writers.wait(300)
    assert writers.returncode == 0
    assert 4 in codes, "no check ran while a writer did"
    assert check(data).exit_code == 0
