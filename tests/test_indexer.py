"""The bulk pipeline: batches, interruption, resuming a rebuild, failures that lose nothing."""

from __future__ import annotations

import os
import time

import pytest

from archive.config import Settings
from archive.core import Archive
from archive.errors import ArchiveError
from archive.ingest.articles import stable_id
from archive.models import SearchRequest


def write_stories(folder, count, start=0):
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(start, start + count):
        (folder / f"story-{n:04d}.txt").write_text(
            f"Story number {n}\n\nThe harbour of town{n} reopened after repairs.\n"
        )


class StopAfter:
    """A progress watcher that presses Ctrl-C after ``sources`` files."""

    def __init__(self, sources):
        self.left = sources

    def start(self, total):
        pass

    def advance(self, sources, articles):
        self.left -= sources
        if self.left < 0:
            raise KeyboardInterrupt

    def finish(self):
        pass


def settings(tmp_path):
    return Settings(data_dir=tmp_path / "data", batch_articles=10)


def total(archive, q=""):
    return archive.search(SearchRequest(q=q)).total


def test_ctrl_c_keeps_committed_batches_and_the_next_run_continues(tmp_path):
    write_stories(tmp_path / "in", 45)
    with Archive(settings(tmp_path)) as archive:
        report = archive.index([tmp_path / "in"], progress=StopAfter(25))
        assert report.interrupted
        kept = total(archive)
        assert kept in (10, 20)  # whole batches only
        assert archive.check().ok
        again = archive.index([tmp_path / "in"])
        assert not again.interrupted and again.new == 45 - kept
        assert total(archive) == 45 and archive.check().ok


def test_interrupted_reindex_keeps_the_live_index_and_resumes(tmp_path):
    write_stories(tmp_path / "in", 40)
    with Archive(settings(tmp_path)) as archive:
        archive.index([tmp_path / "in"])
        live = archive.engine.generation()
        report = archive.reindex(progress=StopAfter(25))
        assert report.interrupted
        assert archive.engine.generation() == live and total(archive) == 40
        building = (tmp_path / "data" / "index" / "BUILDING").read_text().strip()
        assert building != live
        resumed = archive.reindex()
        # only what the interrupted run had not committed is parsed again
        assert 0 < resumed.new < 40 and not resumed.interrupted
        assert archive.engine.generation() == building
        assert total(archive) == 40 and total(archive, "town7") == 1
        assert archive.check().ok
        assert not (tmp_path / "data" / "index" / "BUILDING").exists()
        leftovers = sorted(p.name for p in (tmp_path / "data" / "index").iterdir())
        assert leftovers == ["CURRENT", building]


def test_a_broken_file_loses_nothing_else(tmp_path):
    write_stories(tmp_path / "in", 3)
    (tmp_path / "in" / "broken.txt").write_bytes(b"\x00\x01binary")
    with Archive(Settings(data_dir=tmp_path / "data")) as archive:
        report = archive.index([tmp_path / "in"])
        assert (report.seen, report.new, report.failed) == (4, 3, 1)
        assert report.indexed + report.failed == report.seen
        assert [r.path.endswith("broken.txt") for r in archive.errors()] == [True]
        assert total(archive) == 3


def test_a_parser_crash_is_recorded_not_raised(tmp_path, monkeypatch):
    write_stories(tmp_path / "in", 2)

    def explode(doc):
        raise RuntimeError("parser bug")

    from archive.ingest.formats import text

    monkeypatch.setattr(text, "parse", explode)
    with Archive(Settings(data_dir=tmp_path / "data")) as archive:
        report = archive.index([tmp_path / "in"])
        assert report.failed == 2
        assert "RuntimeError: parser bug" in report.failures[0][1]


class Crash(BaseException):
    """Stands for the process dying: nothing after it runs."""


@pytest.mark.parametrize("engine_committed", [True, False])
def test_recovery_settles_a_batch_cut_between_the_two_commits(
    tmp_path, monkeypatch, engine_committed
):
    write_stories(tmp_path / "in", 5)
    archive = Archive(settings(tmp_path))
    if engine_committed:
        monkeypatch.setattr(archive.catalog, "settle", lambda apply: (_ for _ in ()).throw(Crash()))
    else:
        writer_commit = type(archive.engine).writer

        def crash_on_commit(self, timeout, bulk=False):
            context = writer_commit(self, timeout, bulk)
            writer = context.__enter__()
            writer.commit = lambda: (_ for _ in ()).throw(Crash())
            return _Wrapped(context, writer)

        monkeypatch.setattr(type(archive.engine), "writer", crash_on_commit)
    with pytest.raises(Crash):
        archive.index([tmp_path / "in"])
    monkeypatch.undo()
    assert len(archive.catalog.pending()) == 5
    report = archive.check()  # settles the journal first, as the next run would
    assert report.ok, report.problems
    assert archive.catalog.pending() == []
    assert report.catalog_articles == report.index_articles == (5 if engine_committed else 0)
    archive.close()


class _Wrapped:
    def __init__(self, context, writer):
        self.context, self.writer = context, writer

    def __enter__(self):
        return self.writer

    def __exit__(self, *exc):
        return self.context.__exit__(*exc)


# true to its sources -----------------------------------------------------------------------


def story(word):
    return f"Story {word}\n\nThe harbour of {word} reopened after repairs.\n"


def zip_with(path, members):
    import zipfile

    with zipfile.ZipFile(path, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    os.utime(path, ns=(path.stat().st_mtime_ns + 10**9,) * 2)


def test_a_vanished_folder_never_empties_the_archive(tmp_path):
    write_stories(tmp_path / "in", 3)
    with Archive(settings(tmp_path)) as archive:
        archive.index([tmp_path / "in"])
        (tmp_path / "in").rename(tmp_path / "moved")
        with pytest.raises(ArchiveError, match=r"missing \(moved or unmounted"):
            archive.reindex()
        assert total(archive) == 3 and archive.check().ok
        with pytest.raises(ArchiveError, match="no such file or folder"):
            archive.index([tmp_path / "in"], prune=True)
        (tmp_path / "moved").rename(tmp_path / "in")
        (tmp_path / "in" / "story-0001.txt").unlink()
        kept = archive.reindex()
        assert (kept.new, kept.kept, kept.removed) == (2, 1, 0)
        assert kept.kept_sources == (str(tmp_path / "in" / "story-0001.txt"),)
        assert total(archive) == 3 and total(archive, "town1") == 1 and archive.check().ok
        pruned = archive.reindex(prune=True)
        assert (pruned.new, pruned.kept, pruned.removed) == (2, 0, 1)
        assert total(archive) == 2 and archive.stats().sources == 2 and archive.check().ok


def test_a_missing_root_is_dropped_only_by_reindex_prune(tmp_path):
    write_stories(tmp_path / "a", 2)
    write_stories(tmp_path / "b", 2, start=10)
    with Archive(settings(tmp_path)) as archive:
        archive.index([tmp_path / "a"])
        archive.index([tmp_path / "b"])
        for name in ("story-0010.txt", "story-0011.txt"):
            (tmp_path / "b" / name).unlink()
        (tmp_path / "b").rmdir()
        # pruning another folder never touches this one
        assert archive.index([tmp_path / "a"], prune=True).removed == 0
        assert total(archive) == 4
        report = archive.reindex(prune=True)
        assert report.removed == 2 and total(archive) == 2
        assert archive.reindex().new == 2  # the missing folder is forgotten


def test_container_members_are_tracked_one_by_one(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    pack = folder / "pack.zip"
    zip_with(pack, {"a.txt": story("alpha"), "b.txt": story("bravo")})
    with Archive(settings(tmp_path)) as archive:
        assert archive.index([folder]).new == 2
        zip_with(pack, {"a.txt": story("alpha"), "c.txt": story("charlie")})
        report = archive.index([folder])
        assert (report.seen, report.new, report.unchanged, report.removed) == (2, 1, 1, 1)
        assert total(archive, "bravo") == 0 and total(archive, "charlie") == 1
        assert (report.sources_total, report.articles_total) == (2, 2)
        stats = archive.stats()
        assert (stats.sources, stats.articles) == (2, 2) and archive.check().ok
        zip_with(pack, {})
        report = archive.index([folder])
        assert report.failed == 1 and report.removed == 2 and total(archive) == 0
        assert [r.error for r in archive.errors()] == ["the archive holds no files"]


def test_a_file_named_like_a_member_is_a_source_of_its_own(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    zip_with(folder / "a.zip", {"m1.txt": story("member")})
    (folder / "a.zip!m1.txt").write_text(story("plain"))
    with Archive(settings(tmp_path)) as archive:
        first = archive.index([folder])
        assert (first.new, first.articles_total, archive.stats().articles) == (2, 2, 2)
        assert archive.check().ok
        again = archive.index([folder])
        assert (again.unchanged, again.articles_written) == (2, 0)
        paths = {
            archive.article(h.id).source_path
            for h in archive.search(SearchRequest(q="harbour")).hits
        }
        assert paths == {f"{folder}/a.zip!m1.txt", f"{folder}/a.zip\\!m1.txt"}


def test_links_out_of_the_folder_are_skipped_and_listed(tmp_path):
    folder, outside = tmp_path / "in", tmp_path / "outside"
    folder.mkdir()
    outside.mkdir()
    (outside / "secret.txt").write_text(story("secret"))
    (folder / "own.txt").write_text(story("homeward"))
    os.symlink(outside / "secret.txt", folder / "leak.txt")
    os.symlink(folder / "own.txt", folder / "alias.txt")
    with Archive(settings(tmp_path)) as archive:
        report = archive.index([folder])
        assert (report.new, report.unfollowed, report.failed) == (1, 1, 0)
        assert total(archive, "secret") == 0 and total(archive, "homeward") == 1
        (skipped,) = archive.errors()
        assert skipped.status == "skipped" and str(outside / "secret.txt") in (skipped.error or "")
        followed = archive.index([folder], follow_links=True)
        assert followed.new == 1 and total(archive, "secret") == 1
        assert archive.errors() == [] and archive.check().ok


def test_any_file_name_is_indexed(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    name = os.fsdecode(b"caf\xe9\nline.txt")
    (folder / name).write_text(story("odd"))
    with Archive(settings(tmp_path)) as archive:
        assert archive.index([folder]).new == 1
        (hit,) = archive.search(SearchRequest(q="odd")).hits
        assert archive.article(hit.id).source_path == f"{folder}/caf\\xe9\\nline.txt"
        assert hit.id == stable_id(str(folder / name))


def test_an_older_catalog_is_renamed_to_keys_once(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    zip_with(folder / "a.zip", {"m.txt": story("member")})
    (folder / "wow!.txt").write_text(story("wow"))
    with Archive(settings(tmp_path)) as archive:
        archive.index([folder])
        db = archive.catalog.db
        # as an earlier version wrote them: paths unescaped, members as file!member
        old, new = f"{folder}/wow!.txt", f"{folder}/wow\\!.txt"
        db.execute("UPDATE sources SET path = ?, file = ? WHERE file = ?", (old, old, new))
        db.execute("UPDATE articles SET path = ? WHERE path = ?", (old, new))
        db.execute("PRAGMA user_version = 0")
        report = archive.index([folder])
        assert (report.unchanged, report.articles_written) == (2, 0)
        assert {r[0] for r in db.execute("SELECT path FROM sources")} == {
            f"{folder}/a.zip!m.txt",
            f"{folder}/wow\\!.txt",
        }
        assert archive.check().ok


def test_a_parse_out_of_time_keeps_what_the_source_gave_and_is_not_retried(tmp_path, monkeypatch):
    from archive.indexing.parsing import parse_source
    from archive.ingest.formats import text

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "slow.txt").write_text(story("patient"))
    parse_source("warm-up.txt", story("warm").encode())  # the language model, loaded once
    with Archive(Settings(data_dir=tmp_path / "data", max_parse_seconds=0.5)) as archive:
        archive.index([folder])
        original = text.parse

        def dwell(doc):
            time.sleep(5)
            return original(doc)

        monkeypatch.setattr(text, "parse", dwell)
        (folder / "slow.txt").write_text(story("patient") + "More.\n")
        report = archive.index([folder])
        assert report.failed == 1 and "longer than 0.5 s" in report.failures[0][1]
        assert total(archive, "patient") == 1 and archive.check().ok  # kept
        again = archive.index([folder])  # not parsed again at that cost
        assert (again.failed, again.articles_written) == (1, 0) and again.seconds < 2
        kept = archive.reindex()  # a rebuild that cannot parse it carries it over
        assert kept.kept == 1 and total(archive, "patient") == 1


class StopAfterArticles(StopAfter):
    """A progress watcher that presses Ctrl-C once more than ``articles`` are parsed."""

    def advance(self, sources, articles):
        self.left -= articles
        if self.left < 0:
            raise KeyboardInterrupt


def test_a_container_cut_by_an_interruption_is_read_again(tmp_path):
    """Ctrl-C after the first batch has committed some of a zip's members: the next run
    must read the zip again for the rest, though its size and mtime have not changed."""
    folder = tmp_path / "in"
    folder.mkdir()
    zip_with(folder / "many.zip", {f"m{n:02}.txt": story(f"port{n}") for n in range(25)})
    with Archive(settings(tmp_path)) as archive:
        report = archive.index([folder], progress=StopAfterArticles(11))
        assert report.interrupted
        first = total(archive)
        assert first == 10 and archive.check().ok  # one whole batch of ten
        again = archive.index([folder])
        assert not again.interrupted and again.new == 25 - first
        assert total(archive) == 25 and total(archive, "port24") == 1 and archive.check().ok
        assert archive.index([folder]).unchanged == 25  # settled: not read a third time
