"""Writers at once: eight `newsarchive index` processes started at the same moment.

Each waits its turn for the write lock (the timeout is long enough for all of them), so
every one succeeds, no lock error of a library reaches the user, and the archive ends with
exactly the 800 distinct articles they brought.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from archive.config import Settings
from archive.core import Archive
from tests.conftest import ROOT

WRITERS = 8
ARTICLES = 100

#: imports everything first, then sleeps until the agreed moment, so the runs really collide
LAUNCH = """
import sys, time
import cli
start = float(sys.argv[1])
time.sleep(max(0.0, start - time.time()))
sys.argv = ["newsarchive", *sys.argv[2:]]
cli.main()
"""

#: what a user may see from a writer that waited too long: our one line, nothing raw
BUSY = "newsarchive: error: the archive is busy"
RAW = ("Traceback", "LockError", "database is locked", "BlockingIOError", "OperationalError")


def write_batch(folder, writer):
    folder.mkdir(parents=True)
    for n in range(ARTICLES):
        (folder / f"w{writer}-{n:03d}.txt").write_text(
            f"Dispatch {n} of writer {writer}\n\n"
            f"Writer{writer} filed dispatch number {n} about the harbour works.\n"
        )


@pytest.mark.slow
@pytest.mark.parametrize("timeout", [180, 0.2])
def test_eight_writers_at_once_land_whole_and_nothing_raw_reaches_the_user(tmp_path, timeout):
    """With a long wait all eight land; with a short one each lands whole or says busy."""
    data_dir = tmp_path / "data"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NEWSARCHIVE_WRITER_TIMEOUT": str(timeout)}
    start = time.time() + 3  # time for every interpreter to start and import
    runs = []
    for writer in range(WRITERS):
        folder = tmp_path / f"in-{writer}"
        write_batch(folder, writer)
        command = [sys.executable, "-c", LAUNCH, str(start), "--data-dir", str(data_dir)]
        command += ["index", "-q", str(folder)]
        runs.append(
            subprocess.Popen(
                command,
                env=env,
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    outcomes = []
    for run in runs:
        out, err = run.communicate(timeout=240)
        outcomes.append((run.returncode, out + err))
    for code, output in outcomes:
        assert not any(raw in output for raw in RAW), output
        assert code == 0 or (code == 4 and output.strip().startswith(BUSY)), (code, output)
    landed = sum(code == 0 for code, _ in outcomes)
    if timeout > 60:
        assert landed == WRITERS, outcomes
    assert landed >= 1
    with Archive(Settings(data_dir=data_dir)) as archive:
        ids = list(archive.engine.ids())
        assert len(ids) == len(set(ids)) == landed * ARTICLES
        assert archive.stats().articles == landed * ARTICLES
        assert archive.check().ok
