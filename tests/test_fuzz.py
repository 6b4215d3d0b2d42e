"""A short run of every atheris fuzz target (``fuzz/parsers.py``): only our errors, no hangs.

Each target runs for a second here, for 10 s with ``--long`` (``make test-long``); the
README's "Fuzzing" section shows a long run.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import ROOT, need

SCRIPT = ROOT / "fuzz" / "parsers.py"
SECONDS = 1
LONG_SECONDS = 10

pytestmark = [pytest.mark.slow, pytest.mark.long]


def targets() -> list[str]:
    if importlib.util.find_spec("atheris") is None:
        return []
    listing = subprocess.run(
        [sys.executable, str(SCRIPT), "--list"], capture_output=True, text=True, check=True
    )
    return listing.stdout.split(":", 1)[1].split()


def fuzz(target: str, folder, seconds: int) -> tuple[str, int, str]:
    command = [sys.executable, str(SCRIPT), target, f"-max_total_time={seconds}", "-timeout=5"]
    done = subprocess.run(command, capture_output=True, text=True, cwd=folder, timeout=120)
    return target, done.returncode, done.stdout + done.stderr


def test_every_fuzz_target_runs_clean_for_a_few_seconds(tmp_path, long_run):
    need(importlib.util.find_spec("atheris") is not None, "atheris is not installed")
    names = targets()
    assert {"text", "html", "nitf", "newsml", "feed", "warc", "query", "detect"} <= set(names)
    with ThreadPoolExecutor(max_workers=2) as pool:
        seconds = LONG_SECONDS if long_run else SECONDS
        results = list(pool.map(lambda name: fuzz(name, tmp_path, seconds), names))
    for target, code, output in results:
        assert code == 0, f"{target}: exit {code}\n{output[-3000:]}"
        assert "Uncaught Python exception" not in output and "ERROR: libFuzzer" not in output
        assert "Done " in output, f"{target} did not run:\n{output[-2000:]}"
