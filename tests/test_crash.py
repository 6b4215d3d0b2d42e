"""Crash safety: SIGKILL the indexer at many moments, half of them inside a commit.

After each kill the index opens, every acknowledged article (one the catalog lists) is
searchable, the catalog agrees with the index, and the next run completes.

The moments are spread on purpose rather than drawn at random, so a few kills cover every
phase of a run: half inside the index's commit (the process is frozen with SIGSTOP, seen
to be inside, then killed; the delays after the commit starts spread over its measured
length), a quarter right after it (while the catalog records the batch: a journalled batch
the next run must settle) and a quarter at moments spread over the whole run (parsing,
adding, between batches). ``make test`` kills 12 times; ``--long`` (``make test-long``) 50.
Both writers are killed: a small folder goes through Whoosh's writer, one large enough for a
bulk run through the segments written from arrays (``engines.whoosh.bulk``).
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
from archive.indexing.changes import BULK_BYTES
from archive.models import SearchRequest
from tests.conftest import ROOT

KILLS = 12
LONG_KILLS = 50
FILES = 120
BATCH = 20


#: paragraphs per story: a small folder, and one a bulk run reads (``changes.BULK_BYTES``)
SIZES = {"whoosh writer": 6, "bulk writer": 90}


def corpus(folder, paragraphs=6):
    folder.mkdir()
    for n in range(FILES):
        rng = random.Random(n)  # long stories differ enough not to be copies of each other
        paragraphs_text = "\n\n".join(
            f"Paragraph {p} of the report filed from town{n} about harbour works"
            + (" " + " ".join(f"w{rng.randrange(5000)}" for _ in range(6)) if p > 5 else "")
            + "."
            for p in range(paragraphs)
        )
        (folder / f"story-{n:04d}.txt").write_text(f"Story {n}\n\n{paragraphs_text}\n")
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
        self.commit_done = threading.Event()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.process.stderr:
            if "commit started" in line or "commit done" in line:
                event = "start" if "commit started" in line else "done"
                self.events.append((time.monotonic() - self.started, event))
                (self.commit_started if event == "start" else self.commit_done).set()

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

    def wait(self, event, timeout=30):
        """Wait for ``event``; False when the run ended first or it took too long."""
        deadline = time.monotonic() + timeout
        while not event.wait(0.05):
            if self.process.poll() is not None or time.monotonic() > deadline:
                return event.is_set()
        return True

    def kill_inside_commit(self, delay, tries=5):
        """SIGKILL ``delay`` seconds into a commit: frozen there first, and killed only when
        its log shows a commit in progress (else let go and aimed at the next commit)."""
        for _ in range(tries):
            if not self.wait(self.commit_started):
                break
            self.commit_started.clear()
            time.sleep(delay)
            self.process.send_signal(signal.SIGSTOP)
            time.sleep(0.1)  # the reader drains what the process wrote before it froze
            if self.inside_commit() or self.process.poll() is not None:
                break
            self.process.send_signal(signal.SIGCONT)
            delay /= 2
        self.process.send_signal(signal.SIGKILL)


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
@pytest.mark.long
@pytest.mark.parametrize("writer", list(SIZES))
def test_sigkill_at_many_moments_loses_nothing_acknowledged(tmp_path, long_run, writer):
    kills = LONG_KILLS if long_run else KILLS
    folder = corpus(tmp_path / "in", SIZES[writer])
    size = sum(path.stat().st_size for path in folder.iterdir())
    assert (size >= BULK_BYTES) == (writer == "bulk writer"), size
    calibration = Run(tmp_path / "calibration", folder)
    calibration.finish()
    assert calibration.process.returncode == 0
    commit = statistics.median(calibration.commit_times())
    run_time = calibration.events[-1][0]
    landed = {"inside a commit": 0, "between the two commits": 0, "elsewhere": 0}
    aims = [kill % 4 for kill in range(kills)]
    for kill, aim in enumerate(aims):
        data_dir = tmp_path / f"kill-{kill:02d}"
        run = Run(data_dir, folder)
        if aim in (0, 1):
            # inside the 1st, 2nd or 3rd commit, the delays spread over its length
            nth, of = aims[:kill].count(0) + aims[:kill].count(1), aims.count(0) + aims.count(1)
            for _ in range(kill % 3):
                assert run.commit_started.wait(30)
                run.commit_started.clear()
            run.kill_inside_commit(commit * 0.9 * (nth + 0.5) / of)
        elif aim == 2:
            # right after the index's 1st, 2nd or 3rd commit, while the catalog records it
            for _ in range(1 + kill % 3):
                run.commit_done.clear()
                assert run.commit_done.wait(30)
            run.process.send_signal(signal.SIGKILL)
        else:
            # at moments spread over the whole run
            time.sleep(run_time * (aims[:kill].count(3) + 0.5) / aims.count(3))
            run.process.send_signal(signal.SIGKILL)
        run.finish()
        inside = run.inside_commit()
        between = check_after_kill(data_dir, folder)
        phase = "inside a commit" if inside else "between the two commits" if between else None
        landed[phase or "elsewhere"] += 1
    print(f"{kills} kills (median commit {commit * 1000:.0f} ms): {landed}")
    assert landed["inside a commit"] >= 0.3 * kills, landed
    assert landed["elsewhere"] >= 0.1 * kills, landed


def check_after_kill(data_dir, folder) -> bool:
    """Check the archive a kill left; whether it left a journalled batch to settle."""
    known = acknowledged(data_dir)
    settings = Settings(data_dir=data_dir, batch_articles=BATCH)
    with Archive(settings) as archive:
        pending = bool(archive.catalog.pending())
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
    return pending
