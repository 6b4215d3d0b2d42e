"""What the archive changes in Whoosh (``archive/engines/whoosh/compat``) stays known and in force.

* Every patch and every private read names upstream functions by the sha256 of their
  source: when whoosh-reloaded changes one of them, the test for that patch or read fails
  and says what to read again.
* Nothing is patched by importing the archive; ``apply()`` patches everything, once, and
  opening an engine calls it; the bulk writer's worker processes apply the patches
  themselves, however they were started.
* Compound segment files are read in place (``compat.files``), exactly as ``BytesIO`` reads.
"""

from __future__ import annotations

import ast
import io
import os
import subprocess
import sys
import tracemalloc
from array import array

import pytest
from whoosh.filedb.structfile import BufferFile, StructFile

from archive.engines.whoosh import compat
from tests.conftest import ROOT

PINS = [
    (private, target, sha256)
    for private in compat.PRIVATE
    for target, sha256 in private.recheck.items()
]


@pytest.mark.parametrize("patch", compat.PATCHES, ids=lambda patch: patch.target)
def test_the_upstream_source_under_each_patch_is_the_one_hashed(patch):
    found = compat.source_hash(patch.target)
    assert found == patch.sha256, (
        f"the upstream source of the patched {patch.target} changed (sha256 {found}); "
        f"read it again and check the patch still holds: {patch.why} (pinned by {patch.test})"
    )


@pytest.mark.parametrize(
    ("private", "target", "sha256"), PINS, ids=[target for _, target, _ in PINS]
)
def test_the_upstream_source_under_each_private_read_is_the_one_hashed(private, target, sha256):
    found = compat.source_hash(target)
    assert found == sha256, (
        f"the upstream source of {target} changed (sha256 {found}); read it again and check "
        f"what {private.where} assumes of {private.what}"
    )


def test_every_patch_target_is_listed_once():
    targets = [patch.target for patch in compat.PATCHES]
    assert len(targets) == len(set(targets))


FRESH = r"""
import importlib, pkgutil, tempfile
from pathlib import Path

import archive.engines
import archive.engines.whoosh
from archive.engines.whoosh import compat

for module in pkgutil.walk_packages(archive.engines.__path__, "archive.engines."):
    importlib.import_module(module.name)
import archive.core, web, cli  # noqa: the archive and both adapters

def current(patch):
    return vars(patch.owner)[patch.name]

assert compat.patched() == [], compat.patched()
assert all(current(patch) is patch.original for patch in compat.PATCHES)
compat.apply()
assert compat.patched() == [patch.target for patch in compat.PATCHES]
assert all(current(patch) is patch.replacement for patch in compat.PATCHES)
compat.apply()
assert all(current(patch) is patch.replacement for patch in compat.PATCHES)
assert all(compat.upstream(patch.target) is patch.original for patch in compat.PATCHES)
print("ok")
"""


def run_python(script: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_nothing_is_patched_on_import_and_apply_is_idempotent():
    assert run_python(FRESH).strip() == "ok"


ENGINE = r"""
import tempfile
from pathlib import Path

from archive.config import Settings
from archive.engines import open_engine
from archive.engines.whoosh import compat

assert compat.patched() == []
open_engine(Settings(data_dir=Path(tempfile.mkdtemp())))
print(len(compat.patched()))
"""


def test_opening_an_engine_applies_every_patch():
    assert run_python(ENGINE).strip() == str(len(compat.PATCHES))


#: a fresh process started with ``spawn`` (nothing inherited): a worker task applies the
#: patches when it runs, and Whoosh's writer in its bulk mode starts such tasks and writes
#: with them
SPAWNED = r"""
import multiprocessing, os, queue, tempfile
from pathlib import Path

from whoosh import index

from archive.engines.whoosh import compat
from archive.engines.whoosh.compat.tasks import Task
from archive.engines.whoosh.schema import schema
from archive.engines.whoosh.write import WhooshWriter
from archive.models import Article


def main():
    multiprocessing.set_start_method("spawn")
    folder = Path(tempfile.mkdtemp())
    ix = index.create_in(str(folder), schema())
    jobs, results = queue.Queue(), queue.Queue()
    jobs.put(None)  # no documents: the task finishes at once
    Task(ix.storage, ix.indexname, jobs, results, {}, True).run()
    print("task", len(compat.patched()))

    # Whoosh's writer in its bulk mode (bulk runs of the engine write segments of their own)
    (folder / "bulk").mkdir()
    bulk = index.create_in(str(folder / "bulk"), schema())
    os.cpu_count = lambda: 2  # two worker processes, even on one core
    stories = [Article(f"a{n}", f"Story {n}", "The harbour reopened.") for n in range(600)]
    writer = WhooshWriter(bulk, 10, fresh=True, bulk=True)
    writer.add(stories)
    kinds = {type(child).__name__ for child in multiprocessing.active_children()}
    writer.commit()
    print("workers", sorted(kinds))
    print("found", index.open_dir(str(folder / "bulk")).doc_count())


if __name__ == "__main__":
    main()
"""


def test_bulk_writer_tasks_apply_the_patches(tmp_path):
    script = tmp_path / "spawned.py"
    script.write_text(SPAWNED)
    done = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:3] == [
        f"task {len(compat.PATCHES)}",
        "workers ['Task']",
        "found 600",
    ]


def structured() -> bytes:
    """Bytes written through Whoosh's own file methods, as segment files hold them."""
    out = StructFile(io.BytesIO())
    out.write_int(-7)
    out.write_pickle({"title": "Koizumi", "terms": [b"treati", b"talk"]})
    out.write_varint(300)
    out.write(b"a line\nanother line\n")
    out.write_array(array("I", range(40)))
    out.write_string(b"tail")
    return out.file.getvalue()


def read_back(handle: StructFile) -> list[object]:
    found: list[object] = [handle.read_int(), handle.read_pickle(), handle.read_varint()]
    found += [handle.readline(), handle.tell(), handle.read(3)]
    handle.seek(-3, 1)
    found += [handle.readline(), list(handle.read_array("I", 40)), handle.read_string()]
    found += [handle.read(10), handle.get_int(0), handle.get(4, 6)]
    handle.seek(0)
    found.append(handle.read(4))
    handle.seek(-4, 2)
    found.append(handle.read())
    return found


def test_buffer_files_read_in_place_like_bytesio():
    compat.apply()  # as opening any engine does (the patches stay for the whole session)
    data = structured()
    assert read_back(BufferFile(memoryview(data))) == read_back(StructFile(io.BytesIO(data)))

    big = bytes(8 * 2**20)
    tracemalloc.start()
    try:
        handle = BufferFile(memoryview(big))
        grown, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert grown < 2**20, f"opening an 8 MiB buffer allocated {grown} bytes"
    assert handle.read(4) == bytes(4)


def private_reads(tree: ast.AST) -> list[str]:
    """Attributes with a leading underscore read from anything but ``self``/``cls``, and
    keyword arguments with one: how code reaches into another library's insides."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
            owner = node.value
            mine = isinstance(owner, ast.Name) and owner.id in ("self", "cls")
            if not mine and not node.attr.startswith("__"):
                found.append(f"line {node.lineno}: .{node.attr}")
        if isinstance(node, ast.keyword) and (node.arg or "").startswith("_"):
            found.append(f"line {node.lineno}: {node.arg}=")
    return found


def test_only_compat_reads_private_attributes():
    engines = ROOT / "archive" / "engines" / "whoosh"
    offenders = []
    for path in sorted(engines.rglob("*.py")):
        if "compat" in path.relative_to(engines).parts:
            continue
        reads = private_reads(ast.parse(path.read_text()))
        offenders += [f"{path.relative_to(ROOT)} {read}" for read in reads]
    assert not offenders, offenders


def test_and_not_excludes_the_first_document_too():
    """Whoosh's ``AndNotMatcher`` kept ``a``'s first document when ``b`` started earlier and
    held it too (``compat.matching.and_not_first``)."""
    from whoosh import fields
    from whoosh import query as wq
    from whoosh.filedb.filestore import RamStorage

    index = RamStorage().create_index(fields.Schema(id=fields.ID(stored=True), body=fields.TEXT))
    with index.writer() as writer:
        for number, body in enumerate(["peace", "talks peace", "talks", "peace talks"]):
            writer.add_document(id=str(number), body=body)
    query = wq.AndNot(wq.Term("body", "talks"), wq.Term("body", "peace"))
    compat.apply()
    with index.searcher() as searcher:
        assert [hit["id"] for hit in searcher.search(query)] == ["2"]
    upstream = compat.upstream("whoosh.matching.binary.AndNotMatcher._find_first")
    patch = next(p for p in compat.PATCHES if p.replacement is compat.matching.and_not_first)
    setattr(patch.owner, patch.name, upstream)
    try:
        with index.searcher() as searcher:  # the upstream matcher keeps document 1
            assert sorted(hit["id"] for hit in searcher.search(query)) == ["1", "2"]
    finally:
        compat.apply()
