"""The project's set-up: Whoosh imports cleanly, the README opens with the two commands, every
library the code imports is declared and pinned, every template ships."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import subprocess
import sys
import tomllib
from fnmatch import fnmatch

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
    assert "make test-long" in (ROOT / ".ci" / "run").read_text()


def project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def requirement_name(requirement: str) -> str:
    return canonical(re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0])


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_every_library_the_code_imports_is_a_declared_dependency():
    declared = {requirement_name(r) for r in project()["dependencies"]}
    providers = importlib.metadata.packages_distributions()
    modules = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "py-modules"
    ]
    sources = [
        *(ROOT / "archive").rglob("*.py"),
        *(ROOT / "web").rglob("*.py"),
        *(ROOT / f"{module}.py" for module in modules),
    ]
    imported = set()
    for path in sources:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.split(".")[0])
    third_party = imported - set(sys.stdlib_module_names) - {"archive", "web", *modules}
    undeclared = {
        module: providers.get(module)
        for module in third_party
        if not {canonical(d) for d in providers.get(module, [module])} & declared
    }
    assert not undeclared, f"imported but not in pyproject.toml's dependencies: {undeclared}"


def test_constraints_pin_every_declared_package():
    pinned = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            pinned[canonical(name)] = version
    wanted = [*project()["dependencies"], *project()["optional-dependencies"]["test"]]
    unpinned = [r for r in wanted if not pinned.get(requirement_name(r))]
    assert not unpinned, f"not pinned in constraints.txt (make constraints): {unpinned}"


def test_every_template_and_static_file_is_package_data():
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    for package, patterns in data["package-data"].items():
        folder = ROOT.joinpath(*package.split("."))
        files = {p.name for p in folder.iterdir() if p.is_file()}
        shipped = {name for name in files if any(fnmatch(name, glob) for glob in patterns)}
        assert shipped == files, f"{package}: not shipped in a wheel: {files - shipped}"
