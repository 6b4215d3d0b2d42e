"""Copy counts stay true while articles are added, edited and pruned, on every engine.

A random walk over a folder of articles: stories told by several files (the same text
under other headlines and times, which indexing groups as copies), stories told once,
files edited into another story or out of every story, files deleted and pruned, and now
and then a full rebuild. After every step the groups must be the stories, every hit's
"N copies" the number of live articles of its group, and the hit standing for a story its
earliest live copy.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from archive.config import Settings
from archive.core import Archive
from archive.models import Hit, SearchRequest
from tests import opensearch_support

START = datetime(2002, 6, 27, 6, 0)
ENGINES = ["whoosh", pytest.param("opensearch", marks=pytest.mark.opensearch)]
#: a vocabulary big enough that two stories never share enough word triples to be copies
WORDS = [f"{a}{b}" for a in ("tal", "mer", "kos", "vin", "dru", "pel") for b in range(400)]


@dataclass
class Walk:
    """The folder's files and the story each tells: what the archive should show."""

    folder: Path
    rng: random.Random
    #: file name -> (story, minute of publication)
    files: dict[str, tuple[int, int]] = field(default_factory=dict)
    stories: int = 0
    clock: int = 0
    names: int = 0
    log: list[str] = field(default_factory=list)

    def write(self, name: str, story: int) -> None:
        """Write ``name`` as a telling of ``story`` at the next minute."""
        self.clock += 1
        self.files[name] = (story, self.clock)
        words = random.Random(story).choices(WORDS, k=90)
        when = (START + timedelta(minutes=self.clock)).strftime("%Y-%m-%d %H:%M")
        text = f"Title: {name} tells story {story}\nDate: {when}\n\n" + " ".join(words) + ".\n"
        (self.folder / f"{name}.txt").write_text(text, encoding="utf-8")

    def new_story(self) -> int:
        self.stories += 1
        return self.stories

    def told(self) -> list[int]:
        return sorted({story for story, _ in self.files.values()})

    def step(self) -> None:
        """One random change to the folder."""
        choices = ["copy", "new"] + (["retell", "alone", "delete"] if self.files else [])
        action = self.rng.choice(choices)
        if action in ("copy", "new"):
            self.names += 1
            name = f"f{self.names:03d}"
            told = self.told()
            story = self.rng.choice(told) if action == "copy" and told else self.new_story()
            self.write(name, story)
        else:
            name = self.rng.choice(sorted(self.files))
            if action == "delete":
                del self.files[name]
                (self.folder / f"{name}.txt").unlink()
            elif action == "retell":  # into another story already told, if any
                others = [s for s in self.told() if s != self.files[name][0]]
                self.write(name, self.rng.choice(others) if others else self.new_story())
            else:  # a story of its own
                self.write(name, self.new_story())
        self.log.append(f"{action} {name}")


def every_hit(archive: Archive, copies: bool) -> list[Hit]:
    hits: list[Hit] = []
    page = 1
    while True:
        request = SearchRequest(per_page=100, page=page, copies=copies, facets=False)
        found = archive.search(request)
        hits.extend(found.hits)
        if page >= found.pages:
            return hits
        page += 1


def check(archive: Archive, walk: Walk) -> None:
    """The groups are the stories; counts and the copy shown are true."""
    every = every_hit(archive, copies=True)
    name = {hit.id: hit.title.split()[0] for hit in every}
    assert sorted(name.values()) == sorted(walk.files), "the index holds the folder's files"
    members: dict[str | None, set[str]] = defaultdict(set)
    for hit in every:
        members[hit.group].add(name[hit.id])
    stories: dict[int, set[str]] = defaultdict(set)
    for file, (story, _) in walk.files.items():
        stories[story].add(file)
    assert sorted(map(sorted, members.values())) == sorted(map(sorted, stories.values()))
    sizes = Counter(hit.group for hit in every)
    folded = every_hit(archive, copies=False)
    assert len(folded) == len(stories)
    for hit in folded:
        story = walk.files[name[hit.id]][0]
        assert hit.copies + 1 == sizes[hit.group] == len(stories[story]), name[hit.id]
        earliest = min(stories[story], key=lambda file: walk.files[file][1])
        assert name[hit.id] == earliest


@pytest.fixture(params=ENGINES)
def settings(request, tmp_path):
    if request.param == "opensearch":
        url = request.getfixturevalue("opensearch_url")
        made = opensearch_support.settings(url, tmp_path / "data")
    else:
        made = Settings(data_dir=tmp_path / "data")
    yield made
    if request.param == "opensearch":
        with Archive(made) as archive:
            archive.engine.drop()  # type: ignore[attr-defined]


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_copy_counts_stay_true_through_updates_and_prunes(settings, tmp_path, seed):
    folder = tmp_path / "in"
    folder.mkdir()
    walk = Walk(folder, random.Random(seed))
    with Archive(settings) as archive:
        for _ in range(4):
            walk.step()
        for number in range(1, 41):
            walk.step()
            archive.index([folder], prune=True)
            if number % 10 == 0:  # a full rebuild regroups every article
                archive.reindex()
                walk.log.append("reindex")
            try:
                check(archive, walk)
            except AssertionError as exc:
                raise AssertionError(f"after {walk.log}: {exc}") from exc


def test_a_story_whose_first_copy_leaves_keeps_its_other_copies_together(settings, tmp_path):
    """The cases the walk finds by chance, each once: the first copy pruned, edited into a
    story of its own, and back."""
    folder = tmp_path / "in"
    folder.mkdir()
    walk = Walk(folder, random.Random(0))
    story = walk.new_story()
    for name in ("a", "b", "c"):
        walk.write(name, story)
    with Archive(settings) as archive:
        archive.index([folder], prune=True)
        check(archive, walk)
        walk.write("a", walk.new_story())  # the first copy is no longer a copy
        archive.index([folder], prune=True)
        check(archive, walk)
        walk.write("a", story)  # and a copy again, now the latest
        archive.index([folder], prune=True)
        check(archive, walk)
        del walk.files["b"]
        (folder / "b.txt").unlink()  # the earliest copy is pruned
        archive.index([folder], prune=True)
        check(archive, walk)
