"""The bulk writer (``engines.whoosh.bulk``: segments written from arrays) against Whoosh's
own writer, through the engine and through the whole pipeline.

The same generated articles go into one engine through Whoosh's writer and into another
through the bulk writer, in several commits, with copies of stories, deletions and
articles replaced by id; every search (hits, scores, snippets, facets, timeline, with and
without copies, with explanations) and every stored article must then be the same. More
commits make both writers merge segments, at the same commits, but Whoosh's writer puts
the merged articles in the batch's segment and ours beside it, so later merges differ, and
with them which deleted articles still count in the statistics: the same articles answer,
with the same snippets and facets (scores and order aside, and so which copy stands for a
story), and once Whoosh merges every
segment into one (``optimize``) the scores are the same again (the order of equal scores,
and so of copies, follows the order the segments were merged in). A folder
indexed by a bulk run passes ``check`` and answers as the same folder indexed file by file
through Whoosh's writer, after ``reindex`` too.
"""

from __future__ import annotations

import random
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from whoosh import index as windex

from archive.config import Settings
from archive.core import Archive
from archive.engines.whoosh import WhooshEngine
from archive.engines.whoosh.write import MAX_SEGMENTS
from archive.errors import ArticleNotFound
from archive.indexing import changes
from archive.models import Article, Hit, SearchRequest
from archive.query import parse
from tests.test_whoosh_segments import QUERIES, articles

TIMEOUT = 5.0


def _write(engine: WhooshEngine, bulk: bool, steps: list[tuple[list[Article], list[str]]]) -> None:
    for added, deleted in steps:
        with engine.writer(TIMEOUT, bulk=bulk) as writer:
            writer.delete(deleted)
            writer.add(added)


def _answers(engine: WhooshEngine, ids: list[str], order: bool, scores: bool) -> list[Any]:
    """Everything the engine answers; without ``order``, hits of equal scores in any order
    (and every copy of a story: folding them keeps the first in the order); without ``scores``,
    hits in any order."""
    found: list[Any] = []
    for text in QUERIES:
        for copies in (False, True) if order else (True,):
            request = SearchRequest(q=text, per_page=1000, copies=copies, explain=not copies)
            page = engine.search(parse(text), request)
            found.append((text, copies, "total", page.total))
            hits = list(page.hits)
            if not scores:
                hits = [replace(hit, score=0.0, explain=()) for hit in hits]
            if not order:
                hits = sorted((replace(hit, rank=0) for hit in hits), key=_tied)
            for hit in hits:
                found.append((text, copies, "hit", hit.rank, hit.id, round(hit.score, 9)))
                found.append((text, copies, "explain", hit.id, hit.explain))
                found.append((text, copies, "snippet", hit.id, hit.snippet))
                found.append((text, copies, "hit", hit))
            found.append((text, copies, "facets", page.facets, page.timeline))
    for article_id in ids:
        try:
            found.append(engine.get(article_id))
        except ArticleNotFound:
            found.append(None)
    return found


def _index(engine: WhooshEngine) -> Any:
    return windex.open_dir(str(engine.root / engine.generation()))


def _tied(hit: Hit) -> tuple[float, str]:
    return -round(hit.score, 9), hit.id


def _same(
    whoosh: WhooshEngine,
    ours: WhooshEngine,
    ids: list[str],
    order: bool = True,
    scores: bool = True,
) -> None:
    """The two engines answer alike (see ``_answers``)."""
    expected, found = _answers(whoosh, ids, order, scores), _answers(ours, ids, order, scores)
    assert len(found) == len(expected)
    for theirs, mine in zip(expected, found, strict=True):
        assert mine == theirs


def _steps(data: Any) -> tuple[list[tuple[list[Article], list[str]]], list[str]]:
    """Commits of new articles (some copies of earlier ones), then ones that delete some
    and replace others by id."""
    # at most MAX_SEGMENTS commits: neither writer merges
    sizes = data.draw(st.lists(st.integers(1, 8), min_size=1, max_size=MAX_SEGMENTS - 1))
    stories = data.draw(articles(sum(sizes)))
    for number in range(1, len(stories)):
        if data.draw(st.booleans()):
            group = stories[data.draw(st.integers(0, number - 1))].id
            stories[number] = replace(stories[number], group=group)
    steps, start = [], 0
    for size in sizes:
        steps.append((stories[start : start + size], []))
        start += size
    ids = [story.id for story in stories]
    gone = data.draw(st.lists(st.sampled_from(ids), max_size=4, unique=True))
    again = data.draw(st.lists(st.sampled_from(stories), max_size=4))
    changed = [replace(story, body=story.body + " harbour talks") for story in again]
    steps.append((changed, gone))
    return steps, ids


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_bulk_writer_answers_as_whooshs_writer(data: Any) -> None:
    steps, ids = _steps(data)
    with tempfile.TemporaryDirectory() as one, tempfile.TemporaryDirectory() as two:
        engines = [WhooshEngine(Settings(data_dir=Path(folder))) for folder in (one, two)]
        try:
            for engine, bulk in zip(engines, (False, True), strict=True):
                _write(engine, bulk, steps)
            _same(*engines, ids)
            more = [
                ([replace(story, id=f"{story.id}-{n}", group=None) for story in added], [])
                for n, (added, _) in enumerate(steps * 2)
                if added
            ]
            for engine, bulk in zip(engines, (False, True), strict=True):
                _write(engine, bulk, more)
            segments = [len(_index(engine)._segments()) for engine in engines]
            assert segments[1] <= MAX_SEGMENTS + 1, segments
            _same(*engines, ids, order=False, scores=False)
            for engine in engines:
                _index(engine).optimize()
            _same(*engines, ids, order=False)
        finally:
            for engine in engines:
                engine.close()


# the whole pipeline ----------------------------------------------------------------------

WORDS = ["harbour", "treaty", "talks", "oil", "prices", "café", "São", "Paulo"]
WORDS += ["東京都", "U.S.", "running", "runs"]


def _folder(folder: Path, files: int) -> Path:
    """Text files, together large enough for a bulk run, a few of them copies."""
    folder.mkdir()
    for n in range(files):
        rng = random.Random(n // 2)  # pairs of near-copies
        body = "\n\n".join(
            f"Paragraph {p} from town{n % 50}: "
            + " ".join(rng.choice(WORDS) + str(rng.randrange(99)) for _ in range(12))
            + " ".join(WORDS[(n * 7 + k) % len(WORDS)] for k in range(12))
            for p in range(40)
        )
        (folder / f"story-{n:04d}.txt").write_text(f"Story {n % 90}\n\n{body}\n")
    assert changes.is_bulk(list(changes_files(folder)))
    return folder


def changes_files(folder: Path) -> Any:
    from archive.ingest import sources
    from archive.ingest.selection import Selection

    return sources.walk([folder], Selection((), ()))


def _searches(archive: Archive) -> list[Any]:
    found = []
    for text in ("harbour", "town7", '"oil prices"', "café", "東京", "story 12", "us"):
        page = archive.search(SearchRequest(q=text, per_page=100))
        found.append((text, page.total, page.hits, page.facets))
    return found


@pytest.mark.slow
def test_a_bulk_run_passes_check_and_answers_as_whooshs_writer(tmp_path, monkeypatch):
    folder = _folder(tmp_path / "in", 240)
    bulk = Archive(Settings(data_dir=tmp_path / "bulk", batch_articles=100))
    with bulk:
        report = bulk.index([folder])
        assert report.articles_written == 240 and report.failed == 0
        assert bulk.check().ok
        expected_stats = bulk.stats().articles
    monkeypatch.setattr(changes, "BULK_BYTES", 10**12)  # every file through Whoosh's writer
    with Archive(Settings(data_dir=tmp_path / "whoosh", batch_articles=100)) as whoosh:
        whoosh.index([folder])
        expected = _searches(whoosh)
    monkeypatch.undo()
    with Archive(Settings(data_dir=tmp_path / "bulk", batch_articles=100)) as bulk:
        assert _searches(bulk) == expected
        assert bulk.stats().articles == expected_stats
        (folder / "story-0003.txt").write_text("Story changed\n\nNothing about ports now.\n")
        shutil.copy(folder / "story-0005.txt", folder / "story-9999.txt")
        report = bulk.index([folder])
        assert (report.new, report.updated) == (1, 1)
        assert bulk.check().ok
        assert bulk.search(SearchRequest(q="ports")).total == 1
        bulk.reindex()
        assert bulk.check().ok
        assert bulk.stats().articles == 241
