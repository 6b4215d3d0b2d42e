"""A model of a user's source tree and of what the archive should hold, for the stateful
test in ``test_integrity.py``.

``Tree`` knows every file, folder and link the test made (never the disk): what a walk of
the indexed folders finds, what is at a path, what a file gives when read. ``Expected``
is the archive as the README promises it: every source by key, with its status and the
words of its articles, changed by each run the way the documented rules say.
"""

from __future__ import annotations

import io
import os
import tarfile
import zipfile
from dataclasses import dataclass, field

from archive.ingest import keys

# what a file holds -------------------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    """A one-article text file whose article holds one word found nowhere else."""

    word: str

    def data(self) -> bytes:
        return (
            f"Title {self.word}\n\nThe harbour of {self.word} reopened after repairs, "
            "officials said on Monday.\n"
        ).encode()


@dataclass(frozen=True)
class Empty:
    def data(self) -> bytes:
        return b""


@dataclass(frozen=True)
class Binary:
    def data(self) -> bytes:
        return b"\x00\x01\x02\x03\xff binary \x00" * 4


@dataclass(frozen=True)
class Feed:
    """An RSS feed: one article per item, each holding its own word (none: no articles)."""

    items: tuple[str, ...]

    def data(self) -> bytes:
        items = "".join(
            f"<item><title>Item {word}</title><guid>{word}</guid><description>The harbour "
            f"of {word} reopened after repairs, officials said.</description></item>"
            for word in self.items
        )
        feed = f'<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>{items}'
        return (feed + "</channel></rss>").encode()


@dataclass(frozen=True)
class Pack:
    """A zip or tar file: its members in order, as (name, what it holds)."""

    kind: str
    members: tuple[tuple[str, Spec], ...] = ()

    def data(self) -> bytes:
        buffer = io.BytesIO()
        if self.kind == "zip":
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
                for name, spec in self.members:
                    archive.writestr(zipfile.ZipInfo(name, (2020, 1, 1, 0, 0, 0)), spec.data())
        else:
            with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as archive:
                for name, spec in self.members:
                    content = spec.data()
                    info = tarfile.TarInfo(name)
                    info.size = len(content)
                    archive.addfile(info, io.BytesIO(content))
        return buffer.getvalue()


Spec = Text | Empty | Binary | Feed | Pack


@dataclass(frozen=True)
class Source:
    """What the archive should hold for one source: its status, its file's key and the
    words of its articles."""

    status: str
    file: str
    words: tuple[str, ...] = ()


def outcome(spec: Spec, key: str, file: str) -> dict[str, Source]:
    """The sources a file (or member) holding ``spec`` gives, by key."""
    if isinstance(spec, Text):
        return {key: Source("indexed", file, (spec.word,))}
    if isinstance(spec, Feed) and spec.items:
        return {key: Source("indexed", file, spec.items)}
    if not isinstance(spec, Pack):
        return {key: Source("failed", file)}
    if not spec.members:
        return {key: Source("failed", file)}
    found: dict[str, Source] = {}
    seen: dict[str, int] = {}
    for name, member in spec.members:
        seen[name] = seen.get(name, 0) + 1
        found |= outcome(member, keys.member_key(key, name, seen[name]), file)
    return found


# the tree ------------------------------------------------------------------------------------


@dataclass
class Node:
    kind: str  # "dir", "file", "link"
    spec: Spec | None = None
    target: str = ""
    #: a file's mtime (every write gives a new one)
    mtime: int = 0


@dataclass
class Tree:
    """Every folder, file and link the test made, by absolute path."""

    #: the folder everything the test makes is in (what is above it is not the test's)
    base: str = "/"
    nodes: dict[str, Node] = field(default_factory=dict)

    def children(self, folder: str) -> list[str]:
        prefix = folder.rstrip("/") + "/"
        return sorted(
            path
            for path in self.nodes
            if path.startswith(prefix) and "/" not in path[len(prefix) :]
        )

    def below(self, folder: str) -> list[str]:
        prefix = folder.rstrip("/") + "/"
        return [path for path in self.nodes if path.startswith(prefix)]

    def resolve(self, path: str, hops: int = 0) -> str | None:
        """The real path ``path`` leads to (links followed), or None if it leads nowhere."""
        if hops > 40:
            return None
        if not path.startswith(self.base + "/"):
            return path if path == self.base else None
        parts = path[len(self.base) + 1 :].split("/")
        real = self.base
        for index, part in enumerate(parts):
            real = f"{real}/{part}"
            node = self.nodes.get(real)
            if node is None:
                return None
            if node.kind == "link":
                rest = "/".join(parts[index + 1 :])
                joined = node.target + ("/" + rest if rest else "")
                return self.resolve(joined, hops + 1)
        return real

    def kind_any(self, key: str) -> bool:
        """Whether anything at all is at a root's path (a missing root stops a rebuild)."""
        return self.kind(keys.path_of(key)) != ""

    def kind(self, path: str) -> str:
        """As ``sources.kind``: "file", "link", "other" or ""."""
        parent = self.resolve(os.path.dirname(path))
        if parent is None:
            return ""
        node = self.nodes.get(f"{parent}/{os.path.basename(path)}")
        if node is None:
            return ""
        if node.kind == "file":
            return "file" if parent == os.path.dirname(path) else "link"
        return "link" if node.kind == "link" else "other"

    def walk(self, tops: list[str], follow: bool = False) -> dict[str, Node | tuple[str, str]]:
        """What ``sources.walk`` finds: file key -> the file's node, or for a link
        ("skipped", its target outside ``tops``) or ("followed", its target)."""
        found: dict[str, Node | tuple[str, str]] = {}
        seen: set[str] = set()

        def inside(path: str) -> bool:
            return any(path == top or path.startswith(top + "/") for top in tops)

        def visit(path: str) -> None:
            if path in seen:
                return
            seen.add(path)
            node = self.nodes[path]
            if node.kind == "file":
                found[keys.file_key(path)] = node
                return
            folders = []
            for child in self.children(path):
                if os.path.basename(child).startswith("."):
                    continue
                kind = self.nodes[child].kind
                if kind == "link":
                    target = self.resolve(child)
                    if target is None:
                        continue
                    if follow or inside(target):
                        found[keys.file_key(child)] = ("followed", target)
                        visit(target)
                    else:
                        found[keys.file_key(child)] = ("skipped", target)
                elif kind == "dir":
                    folders.append(child)
                elif child not in seen:
                    seen.add(child)
                    found[keys.file_key(child)] = self.nodes[child]
            for folder in folders:
                visit(folder)

        for top in tops:
            visit(top)
        return found


# the archive ---------------------------------------------------------------------------------


@dataclass
class Counts:
    """What a run's report should say."""

    seen: int = 0
    failed: int = 0
    skipped: int = 0
    kept: int = 0
    removed: int = 0
    missing: int = 0


@dataclass
class Expected:
    """The archive as it should be: sources by key, and the roots given to ``index``."""

    sources: dict[str, Source] = field(default_factory=dict)
    roots: set[str] = field(default_factory=set)
    #: the mtime the catalog holds for each file read (None: to be read again)
    recorded: dict[str, int | None] = field(default_factory=dict)
    #: paths a test made unreadable for the next run (their content cannot be known)
    unreadable: set[str] = field(default_factory=set)

    def files(self) -> dict[str, dict[str, Source]]:
        by_file: dict[str, dict[str, Source]] = {}
        for key, source in self.sources.items():
            by_file.setdefault(source.file, {})[key] = source
        return by_file

    def words(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for source in self.sources.values():
            for word in source.words:
                counts[word] = counts.get(word, 0) + 1
        return counts

    def _replace_file(self, file: str, new: dict[str, Source], counts: Counts) -> None:
        old = self.files().get(file, {})
        counts.removed += len(old.keys() - new.keys())
        for key in old:
            del self.sources[key]
        self.sources |= new

    def _drop(self, file: str, held: dict[str, Source]) -> None:
        for key in held:
            del self.sources[key]
        self.recorded.pop(file, None)

    def _read(self, file: str, node: Node, counts: Counts, carry: bool) -> None:
        """A file a run comes to: unread when the catalog has its mtime (``index``), else
        read, and its sources replace what was known of it."""
        path = keys.path_of(file)
        old = self.files().get(file, {})
        if not carry and old and self.recorded.get(file) == node.mtime:
            counts.seen += len(old)
            counts.failed += sum(1 for source in old.values() if source.status == "failed")
            return
        if path in self.unreadable:
            if carry:  # a rebuild keeps what it cannot read
                counts.seen += len(old)
                counts.kept += len(old)
                return
            counts.seen += 1
            counts.failed += 1
            words = old[file].words if file in old else ()
            self.sources[file] = Source("failed", file, words)
            self.recorded[file] = None
            return
        assert node.spec is not None
        new = outcome(node.spec, file, file)
        counts.seen += len(new)
        counts.failed += sum(1 for source in new.values() if source.status == "failed")
        self._replace_file(file, new, counts)
        self.recorded[file] = node.mtime

    def index(self, tree: Tree, given: str, prune: bool, follow: bool = False) -> Counts:
        """``index GIVEN`` (``--prune``, ``--follow-links``): what the walk finds replaces
        what was known."""
        counts = Counts()
        top = tree.resolve(given)
        assert top is not None
        found = tree.walk([top], follow)
        for file, node in found.items():
            if isinstance(node, tuple) and node[0] == "followed":
                self._replace_file(file, {}, counts)
                self.recorded.pop(file, None)
            elif isinstance(node, tuple):
                counts.seen += 1
                counts.skipped += 1
                self._replace_file(file, {file: Source("skipped", file)}, counts)
                self.recorded[file] = None
            else:
                self._read(file, node, counts, carry=False)
        root = keys.file_key(top)
        for file, held in self.files().items():
            if file in found or not keys.under(file, [root]):
                continue
            if _gone(held, tree.kind(keys.path_of(file))):
                if prune:
                    counts.removed += len(held)
                    self._drop(file, held)
                else:
                    counts.missing += len(held)
        if prune:
            self.roots -= {r for r in self.roots if keys.under(r, [root]) and not tree.kind_any(r)}
        self.roots.add(root)
        return counts

    def lost_roots(self, tree: Tree) -> set[str]:
        return {root for root in self.roots if not tree.kind_any(root)}

    def reindex(self, tree: Tree, prune: bool) -> Counts:
        """``reindex`` (``--prune``): read every known file again; keep what cannot be."""
        counts = Counts()
        self.roots -= self.lost_roots(tree)
        for file, held in self.files().items():
            path = keys.path_of(file)
            kind = tree.kind(path)
            if prune and _gone(held, kind):
                counts.removed += len(held)
                self._drop(file, held)
            elif kind == "link" and not _gone(held, kind):
                counts.seen += len(held)
                counts.skipped += len(held)
            elif kind == "file":
                self._read(file, tree.nodes[path], counts, carry=True)
            else:
                counts.seen += len(held)
                counts.kept += len(held)
        return counts


def _gone(held: dict[str, Source], kind: str) -> bool:
    links = bool(held) and all(source.status == "skipped" for source in held.values())
    return kind != ("link" if links else "file")
