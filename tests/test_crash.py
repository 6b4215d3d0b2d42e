"""Crash safety: SIGKILL the indexer at random moments, many inside a commit or merge.

After each kill the index opens, every acknowledged article (one the catalog lists) is
searchable, the catalog agrees with the index, and the next run completes.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import statistics
import subprocess
import sys
import threading
import time

import pytest

from archive.config import Settings
from archive.core import Archive
from archive.models import SearchRequest
from tests.conftest import ROOT

KILLS = 50
FILES = 240
BATCH = 20


def corpus(folder):
    folder.mkdir()
    for n in range(FILES):
        paragraphs = "\n\n".join(
            f"Paragraph {p} of the report filed from town{n} about harbour works." for p in range(6)
        )
        (folder / f"story-{n:04d}.txt").write_text(f"Story {n}\n\n{paragraphs}\n")
    return folder


class Run:
    """``newsarchive -vv index`` in a subprocess, its log lines timed as they arrive."""

    def __init__(self, data_dir, folder):
        env = {**os.environ, "NEWSARCHIVE_BATCH_ARTICLES": str(BATCH), "PYTHONPATH": str(ROOT)}
        self.started = time.monotonic()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "cli",
                "-vv",
                "--data-dir",
                str(data_dir),
                "index",
                "-q",
                str(folder),
            ],
            stderr=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            text=True,
            env=env,
            cwd=ROOT,
        )
        self.events: list[tuple[float, str]] = []
        self.commit_started = threading.Event()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.process.stderr:
            if "commit started" in line or "commit done" in line:
                event = "start" if "commit started" in line else "done"
                self.events.append((time.monotonic() - self.started, event))
                if event == "start":
                    self.commit_started.set()

    def finish(self):
        self.process.wait(60)
        self.reader.join(10)
        self.process.stderr.close()

    def commit_times(self):
        starts = [t for t, e in self.events if e == "start"]
        dones = [t for t, e in self.events if e == "done"]
        return [d - s for s, d in zip(starts, dones, strict=False)]

    def inside_commit(self):
        return bool(self.events) and self.events[-1][1] == "start"


def acknowledged(data_dir):
    if not (data_dir / "catalog.sqlite3").exists():
        return []
    db = sqlite3.connect(data_dir / "catalog.sqlite3")
    try:
        return [row[0] for row in db.execute("SELECT id FROM articles")]
    except sqlite3.OperationalError:
        return []
    finally:
        db.close()


@pytest.mark.slow
def test_sigkill_at_random_moments_loses_nothing_acknowledged(tmp_path):
    folder = corpus(tmp_path / "in")
    calibration = Run(tmp_path / "calibration", folder)
    calibration.finish()
    assert calibration.process.returncode == 0
    commit = statistics.median(calibration.commit_times())
    run_time = calibration.events[-1][0]
    rng = random.Random(20261128)
    inside = 0
    for kill in range(KILLS):
        data_dir = tmp_path / f"kill-{kill:02d}"
        run = Run(data_dir, folder)
        if kill % 2 == 0:
            # half the kills aim inside a commit: after a commit starts, within its measured time
            assert run.commit_started.wait(30)
            for _ in range(rng.randrange(3)):
                run.commit_started.clear()
                run.commit_started.wait(5)
            time.sleep(rng.uniform(0, commit * 0.8))
        else:
            time.sleep(rng.uniform(0, run_time))
        run.process.send_signal(signal.SIGKILL)
        run.finish()
        inside += run.inside_commit()
        check_after_kill(data_dir, folder)
    print(
        f"{inside} of {KILLS} kills landed inside a commit (median commit {commit * 1000:.0f} ms)"
    )
    assert inside >= 0.3 * KILLS, f"only {inside} of {KILLS} kills landed inside a commit"


def check_after_kill(data_dir, folder):
    known = acknowledged(data_dir)
    settings = Settings(data_dir=data_dir, batch_articles=BATCH)
    with Archive(settings) as archive:
        for article_id in known:
            archive.article(article_id)  # raises ArticleNotFound if it was lost
        if known:
            assert archive.search(SearchRequest(q="harbour", per_page=1)).total >= len(known)
        if data_dir.is_dir():  # a kill during start-up leaves no data directory to check
            report = archive.check()
            assert report.ok, report.problems
        finished = archive.index([folder])
        assert not finished.interrupted and finished.failed == 0
        assert archive.stats().articles == FILES
        assert archive.check().ok
