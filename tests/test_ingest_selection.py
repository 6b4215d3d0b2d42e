"""Choosing files: ``--include`` / ``--exclude`` patterns, their defaults and their count."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import cli
from archive.config import DEFAULT_EXCLUDE, Settings
from archive.core import Archive
from archive.errors import ArchiveError
from archive.ingest import sources
from archive.ingest.selection import Selection, compile_glob

STORY = "Title: Harbour works\n\nThe harbour works began on Monday in the town.\n"


def collection(root):
    """A folder as collections of articles come: stories with readme, manifest, checksums."""
    files = {
        "README.TXT": "About this collection.\n",
        "PROVENANCE.txt": "Where it came from.\n",
        "MANIFEST.sha256": "0123  business/001.txt\n",
        "LICENSE": "All rights reserved.\n",
        "business/001.txt": STORY,
        "business/002.txt": STORY.replace("Monday", "Tuesday"),
        "business/SHA256SUMS": "0123  001.txt\n",
        "business/manifesto-launch.txt": STORY.replace("harbour", "manifesto"),
        "drafts/003.txt": STORY.replace("Monday", "Friday"),
        "drafts/notes.md": "Title: Notes\n\nNotes on the harbour story for the desk.\n",
        ".hidden/004.txt": STORY,
        ".DS_Store": "junk",
    }
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def walked(root, include=(), exclude=DEFAULT_EXCLUDE):
    selection = Selection(include, exclude)
    found = [f.path[len(str(root)) + 1 :] for f in sources.walk([root], selection)]
    return found, selection.skipped


@pytest.mark.parametrize(
    "pattern, path, matches",
    [
        ("*.sha256", "MANIFEST.sha256", True),
        ("*.sha256", "deep/down/x.SHA256", True),  # case is ignored
        ("README.*", "sub/readme.md", True),  # no / : the name, at any depth
        ("MANIFEST.*", "manifesto-launch.txt", False),
        ("drafts/**", "drafts/a/b.txt", True),
        ("drafts/**", "old/drafts/b.txt", False),  # with / : the whole relative path
        ("**/drafts/*.txt", "old/drafts/b.txt", True),
        ("**/drafts/*.txt", "drafts/b.txt", True),
        ("business/*.txt", "business/sub/001.txt", False),  # * stays in one folder
        ("20??-*.txt", "2002-06.txt", True),
        ("[0-9]*.txt", "001.txt", True),
        ("[!0-9]*.txt", "001.txt", False),
    ],
)
def test_patterns(pattern, path, matches):
    assert Selection(include=(pattern,)).wants(path) is matches


def test_bad_patterns_are_refused_with_a_reason():
    for pattern in ("", "  ", "[abc"):
        with pytest.raises(ArchiveError):
            compile_glob(pattern)


def test_the_defaults_skip_readme_manifest_checksum_and_licence_files(tmp_path):
    found, skipped = walked(collection(tmp_path))
    assert found == [
        "business/001.txt",
        "business/002.txt",
        "business/manifesto-launch.txt",
        "drafts/003.txt",
        "drafts/notes.md",
    ]
    assert skipped == 5  # hidden files are not counted: they are never considered


def test_include_and_exclude_choose_among_the_rest(tmp_path):
    root = collection(tmp_path)
    found, skipped = walked(root, include=("*.txt",), exclude=(*DEFAULT_EXCLUDE, "drafts/**"))
    assert found == ["business/001.txt", "business/002.txt", "business/manifesto-launch.txt"]
    assert skipped == 7
    assert walked(root, exclude=())[0][:2] == ["LICENSE", "MANIFEST.sha256"]


def test_patterns_match_below_the_folder_given_and_a_file_given_is_always_read(tmp_path):
    root = collection(tmp_path)
    found, _ = walked(root / "business", include=("*.txt",), exclude=("business/*",))
    assert found == ["001.txt", "002.txt", "manifesto-launch.txt"]  # no "business/" prefix
    given = Selection(exclude=("*.TXT",))
    assert [f.path for f in sources.walk([root / "README.TXT"], given)] == [
        str(root / "README.TXT")
    ]
    assert given.skipped == 0


def test_settings_read_the_patterns_from_the_environment():
    assert Settings.load({}).exclude == DEFAULT_EXCLUDE
    settings = Settings.load({"NEWSARCHIVE_INCLUDE": "*.txt, *.html", "NEWSARCHIVE_EXCLUDE": ""})
    assert (settings.include, settings.exclude) == (("*.txt", "*.html"), ())


def test_the_run_counts_what_it_skipped_in_text_and_json(tmp_path):
    root = collection(tmp_path / "in")
    runner = CliRunner()
    base = ["--data-dir", str(tmp_path / "data"), "index"]
    text = runner.invoke(cli.main, [*base, str(root)])
    assert text.exit_code == 0, text.output
    assert "5 sources: 5 new" in text.output
    assert "5 files skipped by pattern" in text.output
    again = runner.invoke(cli.main, [*base, str(root), "--exclude", "drafts/**", "--json"])
    report = json.loads(again.output)
    assert (report["seen"], report["unchanged"], report["skipped"]) == (3, 3, 7)
    only = runner.invoke(cli.main, [*base, str(root), "--include", "*.md", "--json"])
    assert (json.loads(only.output)["seen"], json.loads(only.output)["skipped"]) == (1, 9)


def test_a_bad_pattern_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(
        cli.main, ["--data-dir", str(tmp_path), "index", ".", "--include", "[x"]
    )
    assert result.exit_code == 2
    assert "'[' that is not closed" in result.output


def test_the_environment_can_read_every_file(tmp_path, monkeypatch):
    root = collection(tmp_path / "in")
    monkeypatch.setenv("NEWSARCHIVE_EXCLUDE", "")
    with Archive(Settings.load(data_dir=tmp_path / "data")) as archive:
        report = archive.index([root])
    assert (report.seen, report.skipped) == (10, 0)
