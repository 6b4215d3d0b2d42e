"""A parser's library that cannot be imported costs only the sources of that format."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from archive.ingest import formats
from tests.conftest import ROOT

PAGE = (
    b"<!DOCTYPE html><html><head><title>Harbour works begin</title></head><body>"
    b"<article><h1>Harbour works begin</h1><p>The harbour works began on Monday.</p>"
    b"</article></body></html>"
)
STORY = b"Title: Harbour works begin\n\nThe harbour works began on Monday in the town.\n"

#: index a folder in a fresh interpreter in which ``import trafilatura`` fails
SCRIPT = textwrap.dedent(
    """
    import json, sys
    sys.modules["trafilatura"] = None  # import trafilatura now raises ImportError
    from archive.config import Settings
    from archive.core import Archive

    with Archive(Settings(data_dir=sys.argv[1])) as archive:
        report = archive.index([sys.argv[2]])
        errors = {r.path.rsplit("/", 1)[-1]: (r.format, r.error) for r in archive.errors()}
        print(json.dumps({"new": report.new, "failed": report.failed, "errors": errors}))
    """
)


def test_without_trafilatura_text_still_indexes_and_html_fails_with_the_reason(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "story.txt").write_bytes(STORY)
    (folder / "page.html").write_bytes(PAGE)
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path / "data"), str(folder)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    outcome = json.loads(done.stdout)
    assert (outcome["new"], outcome["failed"]) == (1, 1), outcome
    fmt, error = outcome["errors"]["page.html"]
    assert fmt == "html"
    assert error.startswith("HTML support is unavailable: "), error
    assert "trafilatura" in error


def test_a_format_module_that_does_not_import_leaves_the_others_working(monkeypatch, caplog):
    monkeypatch.setattr(formats, "MODULES", ("no_such_format", *formats.MODULES))
    formats._module.cache_clear()
    try:
        assert "no_such_format" in formats.unavailable()
        assert formats.detect(STORY, "story.txt") == "text"
        assert formats.detect(PAGE, "page.html") == "html"
    finally:
        formats._module.cache_clear()
    assert "the no_such_format format is unavailable" in caplog.text
