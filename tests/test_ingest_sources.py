"""Walking the paths a user gives: the boundary they draw, links, every name, reading."""

from __future__ import annotations

import os

import pytest

from archive.errors import ArchiveError
from archive.ingest import keys, sources


def tree(tmp_path):
    """root/ with a story, a link out to a secret, a link in, and a folder linked from in."""
    root, outside = tmp_path / "root", tmp_path / "outside"
    (root / "sub").mkdir(parents=True)
    outside.mkdir()
    (root / "story.txt").write_text("Story\n\nText.\n")
    (root / "sub" / "deep.txt").write_text("Deep\n\nText.\n")
    (outside / "secret.txt").write_text("Secret\n\nText.\n")
    os.symlink(outside / "secret.txt", root / "out-file")
    os.symlink(outside, root / "out-folder")
    os.symlink(root / "story.txt", root / "in-file")
    os.symlink(root / "sub", root / "in-folder")
    return root, outside


def test_links_out_of_the_roots_are_skipped_with_their_reason(tmp_path):
    root, outside = tree(tmp_path)
    walked = list(sources.walk([root]))
    assert {f.path for f in walked if f.followed} == {
        str(root / "in-file"),
        str(root / "in-folder"),
    }
    found = {f.path: f for f in walked if not f.followed}
    assert sorted(found) == sorted(
        str(p)
        for p in (
            root / "story.txt",
            root / "sub" / "deep.txt",
            root / "out-file",
            root / "out-folder",
        )
    )
    for link, target in (("out-file", outside / "secret.txt"), ("out-folder", outside)):
        skipped = found[str(root / link)].skipped
        assert "not followed" in skipped and str(target) in skipped
    assert not found[str(root / "story.txt")].skipped
    # links inside were followed: their targets are read once, under their own paths


def test_following_links_is_asked_for(tmp_path):
    root, outside = tree(tmp_path)
    found = {f.path for f in sources.walk([root], follow_links=True) if not f.followed}
    assert str(outside / "secret.txt") in found
    assert len(found) == 3  # story, deep, secret: each once


def test_a_root_that_is_a_link_is_followed_and_a_missing_root_is_an_error(tmp_path):
    root, _outside = tree(tmp_path)
    os.symlink(root, tmp_path / "alias")
    assert {f.path for f in sources.walk([tmp_path / "alias"])} == {
        f.path for f in sources.walk([root])
    }
    with pytest.raises(ArchiveError, match="no such file or folder"):
        list(sources.walk([root, tmp_path / "gone"]))


def test_every_name_is_walked_and_keyed(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    odd = os.fsdecode(b"bad\xff\nname!.txt")
    (root / odd).write_text("Odd\n\nText.\n")
    (file,) = sources.walk([root])
    assert not file.followed and not file.skipped
    assert file.path == str(root / odd)
    assert file.key == keys.escape(str(root)) + "/bad\\xff\\nname\\!.txt"
    assert sources.read(file, 1000) == b"Odd\n\nText.\n"


def test_a_file_swapped_for_a_link_after_the_walk_is_not_read(tmp_path):
    root, outside = tree(tmp_path)
    (file,) = [f for f in sources.walk([root]) if f.path.endswith("story.txt")]
    os.unlink(file.path)
    os.symlink(outside / "secret.txt", file.path)
    with pytest.raises(sources.Unreadable):
        sources.read(file, 1000)
    os.unlink(file.path)
    os.mkdir(file.path)
    with pytest.raises(sources.Unreadable):
        sources.read(file, 1000)
    assert sources.kind(file.path) == "other"
    assert sources.kind(str(root / "in-folder" / "deep.txt")) == "link"
