"""Commands run as a real process against a data directory made read-only for real.

Read-only two ways: a read-only bind mount (as root, in a mount namespace of the command's
own, so nothing outlives it) and write permissions taken away (as root, the command runs
without the capabilities that let root ignore them; a normal user needs no help).
``refuses_files`` shows that a way really refuses a new file.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.conftest import ROOT, need


def newsarchive(
    data: Path, *words: str, prefix: tuple[str, ...] = ()
) -> subprocess.CompletedProcess:
    command = [*prefix, sys.executable, "-m", "cli", "--data-dir", str(data), *words]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def ended(result: subprocess.CompletedProcess[str], code: int) -> None:
    """No traceback, the exit code ``code``, and an error in one line."""
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    assert result.returncode == code, output
    if code:
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("newsarchive: error: "), result.stderr


def snapshot(folder: Path) -> list[tuple[str, int, int]] | None:
    """Every file and folder under ``folder`` with its size and mtime; ``None`` if absent."""
    if not folder.exists():
        return None
    return sorted(
        (str(path.relative_to(folder)), path.stat().st_size, path.stat().st_mtime_ns)
        for path in [folder, *folder.rglob("*")]
    )


@contextmanager
def read_only(folder: Path, how: str) -> Iterator[tuple[str, ...]]:
    """``folder`` read-only for the commands run under the prefix this yields."""
    if how == "mount":
        need(os.geteuid() == 0, "a read-only bind mount needs root")
        need(bool(shutil.which("unshare")), "unshare (util-linux) is not installed")
        mount = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"'
        yield ("unshare", "--mount", "--propagation", "private", "sh", "-c", mount, str(folder))
        return
    prefix: tuple[str, ...] = ()
    if os.geteuid() == 0:
        need(bool(shutil.which("setpriv")), "setpriv (util-linux) is not installed")
        dropped = "-dac_override,-dac_read_search,-fowner"
        prefix = ("setpriv", "--bounding-set", dropped, "--inh-caps", "-all")
    modes = {path: path.stat().st_mode for path in [folder, *folder.rglob("*")]}
    for path, mode in modes.items():
        path.chmod(mode & ~0o222)
    try:
        yield prefix
    finally:
        for path, mode in modes.items():
            path.chmod(mode)


def refuses_files(folder: Path, prefix: tuple[str, ...]) -> None:
    """The read-only way really refuses a new file (root included)."""
    probe = [*prefix, sys.executable, "-c", "import sys; open(sys.argv[1], 'x')"]
    result = subprocess.run([*probe, str(folder / "probe")], capture_output=True, text=True)
    assert result.returncode != 0, "the folder took a new file"
    assert "Read-only file system" in result.stderr or "Permission denied" in result.stderr
