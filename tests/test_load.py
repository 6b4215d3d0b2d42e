"""Load during a rebuild, small: ``bench/load.py`` on a generated corpus.

The benchmark itself (50 clients for 60 s on about 108,000 articles, see the README) takes
many minutes; this runs the same code with a few clients for a few seconds, so its
promises are checked on every run: no 5xx, the swap succeeds, and every answer's total is
the old generation's or the new one's.
"""

from __future__ import annotations

import random
import subprocess
import sys

import pytest

from tests.conftest import ROOT

WORDS = ["oil", "prices", "crude", "trade", "deficit", "japan", "tokyo", "gold", "wheat"]


@pytest.mark.slow
def test_searches_during_a_rebuild_see_the_old_or_the_new_generation(tmp_path):
    rng = random.Random(3)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for n in range(800):
        (corpus / f"story-{n:04d}.txt").write_text(
            f"Title: Story {n} on {' '.join(rng.choices(WORDS, k=3))}\n"
            f"Date: 1987-0{1 + n % 9}-1{n % 9}\n\n{' '.join(rng.choices(WORDS, k=150))}\n"
        )
    command = [sys.executable, str(ROOT / "bench" / "load.py"), "--corpus", str(corpus)]
    command += ["--work-dir", str(tmp_path / "work"), "--seconds", "4", "--clients", "10"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    assert "ok   every total old or new" in done.stdout
