"""The archive stays true to its sources through every change: a stateful property test.

Hypothesis drives a user's source tree and the archive at once: it makes, edits, deletes,
renames and moves files and folders (names with bytes that are not UTF-8, newlines, ``!``,
``#``, spaces and backslashes), empty and binary files, zip and tar files whose members it
adds, changes, renames and removes, and symbolic links inside and out of the indexed
folder; files that cannot be read for a while. Between those it runs ``index`` (of the
folder or a folder in it), ``index --prune``, ``reindex``, ``reindex --prune``, runs
interrupted by Ctrl-C, and runs that hit a disk refusing a write (the index's or the
catalog's). After every run the archive must hold exactly what the model
(``integrity_model``) says the README promises: search, ``show``, ``stats``, ``errors``
and ``check`` agree with it and with each other, nothing from outside the folder, nothing
stale, nothing lost that was not pruned, and each summary's counts are the model's. Now
and then the run goes through the CLI, whose output must keep one line per item whatever
the names hold.

In the normal suite it runs a dozen short sequences (CI: the same ones every time);
``--long`` (``make test-long``) runs 200 sequences of up to 60 steps, and the variables
``NEWSARCHIVE_TEST_INTEGRITY_EXAMPLES`` and ``NEWSARCHIVE_TEST_INTEGRITY_STEPS`` set any::

    NEWSARCHIVE_TEST_INTEGRITY_EXAMPLES=1000 NEWSARCHIVE_TEST_INTEGRITY_STEPS=80 \\
        .venv/bin/python -m pytest tests/test_integrity.py
"""

from __future__ import annotations

import copy
import errno
import multiprocessing
import os
import re
import shutil
import tempfile

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    precondition,
    rule,
    run_state_machine_as_test,
)

import cli
from archive.config import Settings
from archive.core import Archive
from archive.engines.whoosh import write as whoosh_write
from archive.errors import ArchiveError, StorageError
from archive.indexing.catalog import Catalog
from archive.ingest import keys, sources
from archive.ingest.articles import stable_id
from archive.models import IngestReport, SearchRequest
from tests.integrity_model import (
    Binary,
    Counts,
    Empty,
    Expected,
    Feed,
    Node,
    Pack,
    Spec,
    Text,
    Tree,
)

#: sequences and most steps in each: in the normal suite, and with --long
NORMAL = (12, 25)
LONG = (200, 60)
SECRET = "zzsecretword"
#: characters names are made of: bytes that are not UTF-8, controls, the key's own marks
NAME_CHARS = ["a", "b", "é", "!", "#", " ", "\\", "\n", "\t", "\udcff", "x", "7", "."]
MEMBER_CHARS = ["m", "n", "é", "!", "#", " ", "\\", "\n", "/", "q", "\udcfe"]
#: what may follow the summary line of ``index`` on stderr
_LISTED = re.compile(r"^  (failed|skipped|kept): |^  \.\.\. and |^  kept |^  \d+ (sources|files) ")
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u2028\u2029\ud800-\udfff]")

names = st.lists(st.sampled_from(NAME_CHARS), min_size=1, max_size=4).map("".join)
member_names = (
    st.lists(st.sampled_from(MEMBER_CHARS), min_size=1, max_size=4)
    .map("".join)
    .filter(lambda name: not name.startswith("/") and not name.endswith("/") and "//" not in name)
)


class Interrupt:
    """A progress watcher that presses Ctrl-C at its ``after``-th report."""

    def __init__(self, after: int) -> None:
        self.left = after

    def start(self, total: int) -> None:
        pass

    def advance(self, sources: int, articles: int) -> None:
        self.left -= 1
        if self.left < 0:
            raise KeyboardInterrupt

    def finish(self) -> None:
        pass


class Integrity(RuleBasedStateMachine):
    """The user's tree and the archive, against the model."""

    def __init__(self) -> None:
        super().__init__()
        self.base = os.path.realpath(tempfile.mkdtemp(prefix="integrity-"))
        self.root = f"{self.base}/root"
        self.outside = f"{self.base}/outside"
        self.data = f"{self.base}/data"
        self.tree = Tree(base=self.base)
        self.expected = Expected()
        self.words: set[str] = {SECRET}
        self.counter = 0
        #: an interrupted rebuild waits to be continued
        self.resuming = False
        self.clock = 1_700_000_000 * 10**9
        self.archive = Archive(Settings(data_dir=self.data, batch_articles=3, workers=1))
        self.patches = pytest.MonkeyPatch()
        self.patches.setattr(sources, "read", self._read)
        self._real_read = _REAL_READ

    def teardown(self) -> None:
        self.patches.undo()
        self.archive.close()
        shutil.rmtree(self.base, ignore_errors=True)

    # the tree --------------------------------------------------------------------------

    @initialize()
    def make_folders(self) -> None:
        for folder in (self.base, self.root, self.outside, f"{self.outside}/sub"):
            os.makedirs(folder, exist_ok=True)
            if folder != self.base:
                self.tree.nodes[folder] = Node("dir")
        self._write(f"{self.outside}/secret.txt", Text(SECRET))
        self._write(f"{self.outside}/sub/also-secret.txt", Text(SECRET))

    def _word(self) -> str:
        self.counter += 1
        word = f"zq{self.counter:04d}"
        self.words.add(word)
        return word

    def _write(self, path: str, spec: Spec) -> None:
        with open(path, "wb") as handle:
            handle.write(spec.data())
        self.clock += 10**9  # every write a new mtime, as a clock would give
        os.utime(path, ns=(self.clock, self.clock))
        self.tree.nodes[path] = Node("file", spec, mtime=self.clock)

    def _spec(self, data: st.DataObject, depth: int = 0) -> Spec:
        kind = data.draw(st.sampled_from(["text", "text", "zip", "tar", "other"]))
        if kind == "text":
            return Text(self._word())
        if kind == "other":
            return self._member_spec(data)
        count = data.draw(st.integers(0, 3))
        members = []
        for name in data.draw(st.lists(member_names, min_size=count, max_size=count)):
            # zip files hold one member of a name, in UTF-8 (tar files repeat names and
            # keep the bytes of any)
            if kind == "zip" and (name in dict(members) or "\udcfe" in name):
                continue
            nested = depth == 0 and data.draw(st.integers(0, 9)) == 0
            spec = self._spec(data, depth + 1) if nested else self._member_spec(data)
            members.append((name + (".tar" if isinstance(spec, Pack) else ""), spec))
        return Pack(kind, tuple(members))

    def _member_spec(self, data: st.DataObject) -> Spec:
        kind = data.draw(st.sampled_from(["text", "text", "text", "feed", "empty", "binary"]))
        if kind == "feed":
            return Feed(tuple(self._word() for _ in range(data.draw(st.integers(0, 3)))))
        return Text(self._word()) if kind == "text" else Empty() if kind == "empty" else Binary()

    def _folders(self, under: str | None = None) -> list[str]:
        under = under or self.root
        return sorted(
            p
            for p, node in self.tree.nodes.items()
            if node.kind == "dir" and (p == under or p.startswith(under + "/"))
        )

    def _entries(self) -> list[str]:
        return sorted(p for p in self.tree.nodes if p.startswith(self.root + "/"))

    def _free(self, data: st.DataObject, under: str | None = None) -> str | None:
        folder = data.draw(st.sampled_from(self._folders(under)))
        path = f"{folder}/{data.draw(names)}"
        return None if os.path.lexists(path) or path in self.tree.nodes else path

    @rule(data=st.data())
    def write_file(self, data: st.DataObject) -> None:
        choices = [p for p in self._entries() if self.tree.nodes[p].kind == "file"]
        if choices and data.draw(st.booleans()):
            path: str | None = data.draw(st.sampled_from(choices))  # overwrite
        else:
            path = self._free(data)
        if path is not None:
            self._write(path, self._spec(data))

    @rule(data=st.data())
    def make_folder(self, data: st.DataObject) -> None:
        if (path := self._free(data)) is not None:
            os.mkdir(path)
            self.tree.nodes[path] = Node("dir")

    @precondition(lambda self: self._entries())
    @rule(data=st.data())
    def remove(self, data: st.DataObject) -> None:
        path = data.draw(st.sampled_from(self._entries()))
        if self.tree.nodes[path].kind == "dir":
            shutil.rmtree(path)
        else:
            os.unlink(path)
        for gone in [path, *self.tree.below(path)]:
            self.tree.nodes.pop(gone, None)

    @precondition(lambda self: self._entries())
    @rule(data=st.data(), out=st.integers(0, 7))
    def move(self, data: st.DataObject, out: int) -> None:
        """Rename or move a file, link or folder (now and then out of the indexed folder)."""
        path = data.draw(st.sampled_from(self._entries()))
        folders = [f for f in self._folders() if f != path and not f.startswith(path + "/")]
        if out == 0:
            folders = self._folders(self.outside)
        folder = data.draw(st.sampled_from(folders))
        target = f"{folder}/{data.draw(names)}"
        if os.path.lexists(target) or target in self.tree.nodes:
            return
        os.rename(path, target)
        for old in [path, *self.tree.below(path)]:
            self.tree.nodes[target + old[len(path) :]] = self.tree.nodes.pop(old)

    @precondition(lambda self: self._packs())
    @rule(data=st.data(), change=st.sampled_from(["add", "change", "remove", "rename"]))
    def change_member(self, data: st.DataObject, change: str) -> None:
        path = data.draw(st.sampled_from(self._packs()))
        pack = self.tree.nodes[path].spec
        assert isinstance(pack, Pack)
        members = list(pack.members)
        if change == "add" or not members:
            name = data.draw(member_names)
            if pack.kind == "zip" and (name in dict(members) or "\udcfe" in name):
                return
            members.append((name, self._member_spec(data)))
        else:
            at = data.draw(st.integers(0, len(members) - 1))
            name, spec = members[at]
            if change == "change":
                members[at] = (name, self._member_spec(data))
            elif change == "remove":
                del members[at]
            else:
                new = data.draw(member_names)
                if pack.kind == "zip" and (new in dict(members) or "\udcfe" in new):
                    return
                members[at] = (new, spec)
        self._write(path, Pack(pack.kind, tuple(members)))

    @precondition(lambda self: self._files())
    @rule(data=st.data())
    def touch(self, data: st.DataObject) -> None:
        """A new mtime, the same content (a container's members are unchanged)."""
        path = data.draw(st.sampled_from(self._files()))
        spec = self.tree.nodes[path].spec
        assert spec is not None
        self._write(path, spec)

    @precondition(lambda self: self._files())
    @rule(data=st.data())
    def copy_file(self, data: st.DataObject) -> None:
        """The same content in a second place: the same words from two sources."""
        path = data.draw(st.sampled_from(self._files()))
        if (target := self._free(data)) is not None:
            spec = self.tree.nodes[path].spec
            assert spec is not None
            self._write(target, spec)

    @precondition(lambda self: self._feeds())
    @rule(data=st.data(), add=st.booleans())
    def change_feed(self, data: st.DataObject, add: bool) -> None:
        """An item added to a feed, or one gone from it (its article must go too)."""
        path = data.draw(st.sampled_from(self._feeds()))
        feed = self.tree.nodes[path].spec
        assert isinstance(feed, Feed)
        items = list(feed.items)
        if add or not items:
            items.insert(data.draw(st.integers(0, len(items))), self._word())
        else:
            del items[data.draw(st.integers(0, len(items) - 1))]
        self._write(path, Feed(tuple(items)))

    def _files(self) -> list[str]:
        return [p for p in self._entries() if self.tree.nodes[p].kind == "file"]

    def _feeds(self) -> list[str]:
        return [p for p in self._files() if isinstance(self.tree.nodes[p].spec, Feed)]

    def _packs(self) -> list[str]:
        return [
            p
            for p in self._entries()
            if self.tree.nodes[p].kind == "file" and isinstance(self.tree.nodes[p].spec, Pack)
        ]

    @rule(data=st.data(), inside=st.booleans())
    def make_link(self, data: st.DataObject, inside: bool) -> None:
        """A symbolic link to something in the indexed folder, or to the secrets outside."""
        if (path := self._free(data)) is None:
            return
        if inside and self._entries():
            target = data.draw(st.sampled_from([self.root, *self._entries()]))
        else:
            target = data.draw(st.sampled_from(sorted(self.tree.below(self.outside))))
        os.symlink(target, path)
        self.tree.nodes[path] = Node("link", target=target)

    @precondition(lambda self: self._entries())
    @rule(data=st.data())
    def make_unreadable(self, data: st.DataObject) -> None:
        """A file that cannot be read for a while (no permission, a failing disk)."""
        self.expected.unreadable.add(data.draw(st.sampled_from(self._entries())))

    @precondition(lambda self: self.expected.unreadable)
    @rule(data=st.data())
    def make_readable(self, data: st.DataObject) -> None:
        self.expected.unreadable.discard(
            data.draw(st.sampled_from(sorted(self.expected.unreadable)))
        )

    def _read(self, file: sources.SourceFile, max_bytes: int) -> bytes:
        if file.path in self.expected.unreadable:
            raise sources.Unreadable("cannot read the file: Input/output error")
        return self._real_read(file, max_bytes)

    # runs ------------------------------------------------------------------------------

    @rule(data=st.data(), prune=st.booleans(), whole=st.integers(0, 4), how=st.integers(0, 9))
    def index(self, data: st.DataObject, prune: bool, whole: int, how: int) -> None:
        """``index`` of the folder or of one in it (now and then given by a link to it),
        now and then through the CLI or following links out of it."""
        if how == 0 and not prune:
            self._through_the_cli()
            return
        top = self.root if whole else data.draw(st.sampled_from(self._folders()))
        links = [
            p
            for p in self._entries()
            if self.tree.kind(p) == "link"
            and (target := self.tree.resolve(p))
            and self.tree.nodes[target].kind == "dir"
        ]
        if how == 1 and links:
            top = data.draw(st.sampled_from(links))
        follow = how == 2
        report = self.archive.index([top], prune=prune, follow_links=follow)
        counts = self.expected.index(self.tree, top, prune, follow)
        self._agree(report, counts)

    @rule(prune=st.booleans())
    def reindex(self, prune: bool) -> None:
        lost = self.expected.lost_roots(self.tree)
        if lost and not prune:
            with pytest.raises(ArchiveError, match="cannot rebuild"):
                self.archive.reindex(prune=prune)
            self._verify()
            return
        report = self.archive.reindex(prune=prune)
        counts = self.expected.reindex(self.tree, prune)
        # a rebuild that continues an interrupted one reads only what that one had not
        self._agree(report, counts, exact=not self.resuming)
        self.resuming = False

    @rule(after=st.integers(0, 12), prune=st.booleans())
    def interrupted_index(self, after: int, prune: bool) -> None:
        """Ctrl-C during ``index``: what was committed is consistent, and the next run
        completes it."""
        report = self.archive.index([self.root], prune=prune, progress=Interrupt(after))
        if not report.interrupted:
            self._agree(report, self.expected.index(self.tree, self.root, prune))
            return
        self._consistent(self.root, prune)
        report = self.archive.index([self.root], prune=prune)
        self._agree(report, self.expected.index(self.tree, self.root, prune), exact=False)

    @rule(after=st.integers(0, 12), prune=st.booleans())
    def interrupted_reindex(self, after: int, prune: bool) -> None:
        """Ctrl-C during ``reindex``: the live index is as it was (the next one continues)."""
        if self.expected.lost_roots(self.tree) and not prune:
            return
        report = self.archive.reindex(prune=prune, progress=Interrupt(after))
        if report.interrupted:
            self.resuming = True
            self._verify()
        else:
            self._agree(report, self.expected.reindex(self.tree, prune), exact=not self.resuming)
            self.resuming = False

    @rule(nth=st.integers(1, 4), where=st.sampled_from(["index", "catalog"]), rebuild=st.booleans())
    def disk_refuses(self, nth: int, where: str, rebuild: bool) -> None:
        """The disk refuses the nth commit of the index, or the catalog's record of one."""
        if rebuild and self.expected.lost_roots(self.tree):
            return
        calls = {"n": 0}

        def refuse(*args: object, **kwargs: object) -> object:
            calls["n"] += 1
            if calls["n"] == nth:
                raise OSError(errno.ENOSPC, "No space left on device (injected)")
            return original(*args, **kwargs)

        with pytest.MonkeyPatch.context() as patch:
            if where == "index":
                original = whoosh_write.merge_policy
                patch.setattr(whoosh_write, "merge_policy", refuse)
            else:
                original = Catalog.settle
                patch.setattr(Catalog, "settle", lambda db, apply: _storage(refuse, db, apply))
            try:
                report = self.archive.reindex() if rebuild else self.archive.index([self.root])
            except StorageError:
                report = None
                for child in multiprocessing.active_children():
                    child.terminate()  # a cancelled bulk writer's workers wait for work
        if report is not None:
            if rebuild:
                counts = self.expected.reindex(self.tree, False)
                self._agree(report, counts, exact=not self.resuming)
                self.resuming = False
            else:
                self._agree(report, self.expected.index(self.tree, self.root, False))
        elif rebuild:
            self.resuming = True
            self._verify()  # the live index is as it was
        else:
            self._consistent(self.root, False)
            report = self.archive.index([self.root])
            self._agree(report, self.expected.index(self.tree, self.root, False), exact=False)

    def _through_the_cli(self) -> None:
        """``index`` and ``errors`` as a user runs them: one line per item, whatever the names."""
        runner = CliRunner()
        result = runner.invoke(cli.main, ["--data-dir", self.data, "index", self.root])
        counts = self.expected.index(self.tree, self.root, False)
        assert result.exit_code == (3 if counts.failed else 0), result.output
        lines = result.stdout.splitlines() + result.stderr.splitlines()
        assert lines and lines[0].startswith(f"{counts.seen} sources: "), lines
        for line in lines[1:]:
            assert _LISTED.match(line), line
        for line in lines:
            assert not _UNPRINTABLE.search(line), line
        self._verify()
        listed = runner.invoke(cli.main, ["--data-dir", self.data, "errors"]).stdout.splitlines()
        failing = {k for k, s in self.expected.sources.items() if s.status != "indexed"}
        if failing:
            assert {line.split(": ", 1)[0] for line in listed} == failing, listed
            assert len(listed) == len(failing), listed
        odd = sorted(k for k, s in self.expected.sources.items() if s.words and "\\" in k)
        if odd:  # ``show`` of an article from a source with an odd name: its lines intact
            word = self.expected.sources[odd[0]].words[0]
            hits = self.archive.search(SearchRequest(q=word, copies=True, per_page=100)).hits
            (shown,) = [h.id for h in hits if self.archive.article(h.id).source_path == odd[0]]
            lines = runner.invoke(cli.main, ["--data-dir", self.data, "show", shown]).stdout
            head = lines.splitlines()
            assert head[2].startswith(f"id {shown} · ") and head[2].endswith(f" · {odd[0]}")
            assert not any(_UNPRINTABLE.search(line) for line in head)

    # what must hold --------------------------------------------------------------------

    def _agree(self, report: IngestReport, counts: Counts, exact: bool = True) -> None:
        """The run's report says what the model says (``exact``: every count; after an
        interrupted run the counts are split between two runs), and the archive is it."""
        assert not report.interrupted
        told = (report.seen, report.failed, report.unfollowed, report.kept, report.removed)
        if exact:
            want = (counts.seen, counts.failed, counts.skipped, counts.kept, counts.removed)
            assert told == want, (report, counts)
            assert report.missing == counts.missing, (report, counts)
        done = report.new + report.updated + report.unchanged
        assert done + report.failed + report.unfollowed + report.kept == report.seen, report
        self._verify()
        stats = self.archive.stats()
        assert (report.sources_total, report.articles_total) == (stats.sources, stats.articles)

    def _verify(self) -> None:
        """Catalog, errors, stats, check, search and show all hold exactly the model."""
        expected = self.expected.sources
        rows = dict(self.archive.catalog.db.execute("SELECT path, status FROM sources"))
        assert rows == {key: source.status for key, source in expected.items()}
        for key in rows:
            assert not _UNPRINTABLE.search(key), key
        failing = {(k, s.status) for k, s in expected.items() if s.status != "indexed"}
        assert {(record.path, record.status) for record in self.archive.errors()} == failing
        words = self.expected.words()
        stats = self.archive.stats()
        assert stats.sources == len(expected)
        assert stats.failed_sources == sum(s.status == "failed" for s in expected.values())
        assert stats.articles == sum(words.values())
        check = self.archive.check()
        assert check.ok, check
        for word in sorted(self.words):
            page = self.archive.search(SearchRequest(q=word, copies=True, per_page=100))
            assert page.total == words.get(word, 0), (word, page.total, words.get(word, 0))
            holders = {key for key, source in expected.items() if word in source.words}
            for hit in page.hits:
                article = self.archive.article(hit.id)
                assert article.source_path in holders, (word, article.source_path)
                assert word in article.title
                if not keys.is_member(article.source_path):  # a file's ids never change
                    assert hit.id == stable_id(keys.path_of(article.source_path), article.record)

    def _consistent(self, top: str, prune: bool) -> None:
        """After a run that stopped half-way: the index and the catalog agree, nothing from
        outside is in, and every source is as before the run or as after it."""
        before = self.expected.sources
        after = copy.deepcopy(self.expected)
        after.index(self.tree, top, prune)
        rows = dict(self.archive.catalog.db.execute("SELECT path, status FROM sources"))
        assert rows.keys() <= before.keys() | after.sources.keys()
        assert self.archive.check().ok
        for word in sorted(self.words):
            # each source holds what it held before the run or what it holds after it
            holders = {k for k, v in [*before.items(), *after.sources.items()] if word in v.words}
            total = self.archive.search(SearchRequest(q=word, copies=True, per_page=1)).total
            assert total <= len(holders), word


def _storage(refuse, catalog, apply):
    """``Catalog.settle`` as a full disk makes it fail: our ``StorageError``."""
    try:
        return refuse(catalog, apply)
    except OSError as exc:
        raise StorageError(f"cannot write the catalog: {exc.strerror}") from exc


_REAL_READ = sources.read


@pytest.mark.long
def test_the_archive_stays_true_to_its_sources(long_run):
    """The state machine: a few dozen short sequences, or with ``--long`` (``make
    test-long``) some thousands of steps; the variables set both."""
    examples, steps = LONG if long_run else NORMAL
    run_state_machine_as_test(
        Integrity,
        settings=settings(
            max_examples=int(os.environ.get("NEWSARCHIVE_TEST_INTEGRITY_EXAMPLES", examples)),
            stateful_step_count=int(os.environ.get("NEWSARCHIVE_TEST_INTEGRITY_STEPS", steps)),
            deadline=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
