"""The project's set-up: Whoosh imports cleanly, the README opens with the two commands."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT

CHECK = """
import importlib, pathlib, sys, warnings
warnings.simplefilter("error")
import whoosh
root = pathlib.Path(whoosh.__file__).parent
import archive.engines.whoosh  # noqa: imports every whoosh module the archive uses
for name, module in sorted(sys.modules.items()):
    path = getattr(module, "__file__", None)
    if name.startswith("whoosh") and path and path.endswith(".py"):
        compile(pathlib.Path(path).read_bytes(), path, "exec")
print(whoosh.versionstring())
"""


def test_whoosh_compiles_and_imports_with_warnings_as_errors():
    result = subprocess.run(
        [sys.executable, "-W", "error", "-B", "-c", CHECK],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "2.7.5"


def test_readme_opens_with_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    first_block = readme.split("```")[1]
    assert "make run" in first_block and "make test" in first_block
    assert "make test" in (ROOT / ".ci" / "run").read_text()
