"""The bulk pipeline: batches, interruption, resuming a rebuild, failures that lose nothing."""

from __future__ import annotations

import pytest

from archive.config import Settings
from archive.core import Archive
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
