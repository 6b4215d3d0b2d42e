"""A crash in the middle of a rebuild: `reindex` killed with SIGKILL at many moments.

Six times (twenty with ``--long``, ``make test-long``), at moments spread over the first
half of a rebuild after its first commit, while a real `newsarchive serve` answers
searches all along: every answer is a 200 with the whole count (the old generation keeps
serving), each next `reindex` continues or starts over and the last one completes, and
nothing is left behind.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from archive.config import Settings
from archive.core import Archive
from tests.conftest import ROOT
from tests.server_support import Poller, Server

KILLS = 6
LONG_KILLS = 20
FILES = 120
BATCH = 30


def corpus(folder):
    folder.mkdir()
    for n in range(FILES):
        paragraphs = "\n\n".join(
            f"Paragraph {p} of the harbour report filed from town{n}." for p in range(8)
        )
        (folder / f"story-{n:04d}.txt").write_text(f"Story {n}\n\n{paragraphs}\n")
    return folder


class Reindex:
    """``newsarchive -vv reindex`` in a subprocess; ``working`` is set at its first commit."""

    def __init__(self, data_dir):
        env = {**os.environ, "PYTHONPATH": str(ROOT), "NEWSARCHIVE_BATCH_ARTICLES": str(BATCH)}
        command = [sys.executable, "-m", "cli", "-vv", "--data-dir", str(data_dir)]
        self.process = subprocess.Popen(
            [*command, "reindex", "-q"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.working = threading.Event()
        self.lines: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.process.stderr:
            self.lines.append(line)
            if "commit started" in line:
                self.working.set()

    def finish(self, timeout=120) -> int:
        code = self.process.wait(timeout)
        self.reader.join(10)
        self.process.stderr.close()
        return code


def leftovers(index_root):
    """What the index folder holds beyond the pointer and the live generation's own files."""
    live = (index_root / "CURRENT").read_text().strip()
    extra = sorted(p.name for p in index_root.iterdir() if p.name not in ("CURRENT", live))
    inside = sorted(
        p.name
        for p in (index_root / live).iterdir()
        if p.is_dir() or not p.name.endswith((".seg", ".toc", "WRITELOCK"))
    )
    return extra + inside


@pytest.mark.slow
@pytest.mark.long
def test_sigkill_during_reindex_never_disturbs_searches_and_the_next_run_completes(
    tmp_path, long_run
):
    kills = LONG_KILLS if long_run else KILLS
    folder = corpus(tmp_path / "in")
    data_dir = tmp_path / "data"
    with Archive(Settings(data_dir=data_dir)) as archive:
        archive.index([folder])
    with Server(data_dir, threads=4) as server:
        poller = Poller(server)
        poller.start()
        started = time.monotonic()
        calibration = Reindex(data_dir)
        assert calibration.finish() == 0, "".join(calibration.lines[-20:])
        duration = time.monotonic() - started
        completed = 1
        for kill in range(kills):
            run = Reindex(data_dir)
            run.working.wait(duration)
            time.sleep(duration / 2 * (kill + 0.5) / kills)
            run.process.send_signal(signal.SIGKILL)
            completed += run.finish() == 0
        final = Reindex(data_dir)
        assert final.finish() == 0, "".join(final.lines[-20:])
        poller.stop()
        stats = server.get("/api/stats").json()
    statuses = {status for status, _, _ in poller.answers}
    totals = {total for _, total, _ in poller.answers}
    print(
        f"{len(poller.answers)} searches during {kills} kills ({completed} runs completed): "
        f"statuses {statuses}, totals {totals}"
    )
    assert not poller.errors, poller.errors[:5]
    assert len(poller.answers) > 100
    assert statuses == {200} and totals == {FILES}
    assert stats["articles"] == FILES
    assert leftovers(data_dir / "index") == []
    assert not (data_dir / "index" / "BUILDING").exists()
    with Archive(Settings(data_dir=data_dir)) as archive:
        assert archive.check().ok
        assert archive.catalog.staged_files() == {}
