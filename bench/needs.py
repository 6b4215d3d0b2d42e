"""What the benchmarks need (the shared test data, a few packages), and a one-line stop
when something is absent.

The data (Reuters-21578, the BBC stories, the extraction and relevance collections) is not
part of the repository: it lives in a ``shared`` folder beside the checkout, or wherever
``NEWSARCHIVE_SHARED`` or ``--shared`` says, as for the tests (see the README's "Tests").
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def default() -> Path:
    """``$NEWSARCHIVE_SHARED``, else ``../shared`` beside the checkout."""
    return Path(os.environ.get("NEWSARCHIVE_SHARED") or ROOT.parent / "shared")


def add_argument(parser: argparse.ArgumentParser) -> None:
    """The ``--shared`` option every benchmark that reads the shared data takes."""
    parser.add_argument(
        "--shared",
        type=Path,
        default=default(),
        help="the shared test data folder [env NEWSARCHIVE_SHARED; default ../shared]",
    )


def need(parser: argparse.ArgumentParser, path: Path, what: str) -> None:
    """Stop with one line saying what is missing and where it was looked for."""
    if not path.exists():
        raise SystemExit(
            f"{parser.prog}: needs {what}, not found at {path} (the shared test data: give "
            '--shared DIR or set NEWSARCHIVE_SHARED; see the README\'s "Tests")'
        )


def need_packages(parser: argparse.ArgumentParser, *modules: str) -> None:
    """Stop with one line when a module the benchmark imports is not installed (the bench
    extras: ``pip install -c constraints.txt -e '.[bench]'``)."""
    missing = [name for name in modules if importlib.util.find_spec(name) is None]
    if missing:
        raise SystemExit(
            f"{parser.prog}: needs the Python module(s) {', '.join(missing)}: install the "
            "bench extras with .venv/bin/pip install -c constraints.txt -e '.[bench]'"
        )


def need_project() -> None:
    """Stop with one line when the project's own dependencies cannot be imported (a Python
    other than the project's virtualenv)."""
    try:
        import archive.core  # noqa: F401
    except ImportError as exc:
        raise SystemExit(
            f"{Path(sys.argv[0]).name}: needs the project and its dependencies ({exc}): "
            "run make install, then .venv/bin/python bench/..."
        ) from None
