"""What each command imports: a command pays only for the libraries it uses.

Every command starts a new interpreter, so what it imports is most of what it costs on a
small archive (``bench/cli_startup.py`` measures it). Each case runs the command in a
fresh interpreter and fails, naming them, when modules it has no use for were imported:
``--help`` and ``import archive.core`` load no heavy library at all, a search no parser
and no fingerprinting, a look at one article or at the counts no numpy, an ``index`` run
over unchanged files no parser.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from archive.config import Settings
from archive.core import Archive
from archive.ingest import formats
from archive.models import SearchRequest
from tests.conftest import ROOT, SEEDS

#: the heavy libraries: each costs tens of milliseconds or more to import
HEAVY = (
    "numpy",
    "whoosh",
    "trafilatura",
    "lxml",
    "bs4",
    "datasketch",
    "opensearchpy",
    "flask",
    "waitress",
)
#: the parsers and what they read with: only a run with something to parse needs them
PARSERS = (
    *(f"archive.ingest.formats.{name}" for name in formats.MODULES),
    "trafilatura",
    "lxml",
    "bs4",
    "charset_normalizer",
    "dateutil",
    "feedparser",
    "warcio",
    "datasketch",
    "py3langid",
)
#: the indexing pipeline, which only ``index``, ``reindex`` and ``check`` run
PIPELINE = ("archive.indexing.indexer", "archive.indexing.parsing", *PARSERS)

#: run the command in this interpreter; print the names of the modules imported
COMMAND = """
import contextlib, io, json, sys
import cli
code = 0
with contextlib.redirect_stdout(io.StringIO()):
    try:
        cli.main(sys.argv[1:], prog_name="newsarchive")
    except SystemExit as exc:
        code = exc.code
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""
#: import the facade alone
FACADE = """
import json, sys
import archive.core
print(json.dumps({"code": 0, "modules": sorted(sys.modules)}))
"""


def imported(code: str, *args: str) -> set[str]:
    """The modules (and their top-level packages) a fresh interpreter has imported after
    running ``code`` with ``args``; a command that fails fails the test."""
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    outcome = json.loads(done.stdout.splitlines()[-1])
    assert outcome["code"] in (0, None), done.stderr[-2000:]
    return set(outcome["modules"])


def none_of(names: tuple[str, ...], modules: set[str]) -> None:
    """Fail naming the ones of ``names`` (modules or packages) that were imported."""
    needless = sorted(name for name in names if name in modules)
    assert not needless, f"imported without need: {', '.join(needless)}"


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> tuple[str, str]:
    """A data directory holding the seed, and the id of its article."""
    data_dir = tmp_path_factory.mktemp("startup") / "data"
    with Archive(Settings(data_dir=data_dir)) as archive:
        archive.index([SEEDS])
        (hit,) = archive.search(SearchRequest(q="Koizumi")).hits
    return str(data_dir), hit.id


def run(data_dir: str, *args: str) -> set[str]:
    return imported(COMMAND, "--data-dir", data_dir, *args)


def test_help_imports_no_heavy_library_and_not_the_archive():
    modules = imported(COMMAND, "--help")
    none_of((*HEAVY, *PIPELINE, "archive.core"), modules)
    assert "click" in modules


def test_importing_the_facade_imports_no_heavy_library():
    modules = imported(FACADE)
    none_of((*HEAVY, *PIPELINE, "archive.engines.whoosh"), modules)
    assert "archive.core" in modules


def test_search_imports_the_engine_and_no_parser(seeded):
    data_dir, _ = seeded
    modules = run(data_dir, "search", "Koizumi")
    none_of((*PIPELINE, "opensearchpy", "flask", "waitress"), modules)
    assert {"whoosh", "numpy"} <= modules  # what a search runs on


@pytest.mark.parametrize("command", ["show", "stats"])
def test_show_and_stats_read_the_index_without_numpy(seeded, command):
    data_dir, article_id = seeded
    modules = run(data_dir, *(["show", article_id] if command == "show" else ["stats"]))
    none_of((*PIPELINE, "numpy", "opensearchpy", "flask", "waitress"), modules)
    assert "whoosh" in modules


def test_errors_reads_only_the_catalog(seeded):
    data_dir, _ = seeded
    none_of((*HEAVY, *PIPELINE), run(data_dir, "errors"))


def test_indexing_an_unchanged_file_loads_no_parser(seeded):
    data_dir, _ = seeded
    seed = next(path for path in sorted(SEEDS.iterdir()) if path.is_file())
    modules = run(data_dir, "index", "-q", str(seed))
    none_of((*PARSERS, "numpy", "opensearchpy", "flask", "waitress"), modules)
    assert "archive.indexing.indexer" in modules
