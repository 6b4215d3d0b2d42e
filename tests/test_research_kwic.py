"""Keyword in context (``archive.research.kwic``): lines, their order, and memory that stays
flat however many articles match."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import tracemalloc
from collections.abc import Iterator
from itertools import islice
from pathlib import Path

import pytest

from archive.config import Settings
from archive.core import Archive
from archive.models import Article, SearchRequest
from archive.models.research import MarkedText
from archive.query import parse
from archive.research import kwic
from tests.conftest import ROOT, need

WORDS = [
    "cocoa",
    "coffee",
    "buffer",
    "stock",
    "market",
    "delegates",
    "prices",
    "rose",
    "fell",
    "council",
    "talks",
]


def marked(n: int, text: str, *words: str) -> MarkedText:
    marks = []
    for word in words:
        start = text.index(word)
        marks.append((start, start + len(word)))
    return MarkedText(id=f"a{n}", title="", body=text, body_marks=tuple(marks))


def test_lines_give_context_cut_at_words():
    text = "The cocoa buffer stock manager met delegates in London yesterday."
    [line] = kwic.lines([marked(1, text, "manager")], width=20)
    assert (line.left, line.keyword, line.right) == (
        "cocoa buffer stock ",
        "manager",
        " met delegates in",
    )


def test_neighbouring_marks_make_one_keyword():
    text = "The Bank of England, and the buffer - stock rules."
    texts = [marked(1, text, "Bank", "England", "buffer", "stock")]
    found = list(kwic.lines(texts))
    assert [line.keyword for line in found] == ["Bank", "England", "buffer - stock"]
    # for a query with phrases, across the stop words a phrase leaves unmarked
    found = list(kwic.lines(texts, keep=lambda keyword: True))
    assert [line.keyword for line in found] == ["Bank of England", "buffer - stock"]


def test_phrase_filter_keeps_phrases_and_lone_words():
    def keys(words):
        return {word: word.lower().rstrip("s") for word in words if word.lower() != "of"}

    keep = kwic.phrase_filter(parse('"buffer stock" cocoa'), keys)
    assert keep is not None
    assert keep("buffer stocks") and keep("Cocoa") and not keep("stock")
    assert kwic.phrase_filter(parse("cocoa stock"), keys) is None
    assert kwic.phrase_filter(parse('"buffer stock" coco*'), keys) is None


def test_sorting_by_the_words_either_side_is_stable():
    texts = [
        marked(1, "a cocoa prices fell", "prices"),
        marked(2, "b Cocoa prices rose", "prices"),
        marked(3, "zinc prices fell", "prices"),
        marked(4, "prices", "prices"),
    ]
    before = [line.id for line in kwic.ordered(kwic.lines(texts), "before")]
    assert before == ["a4", "a1", "a2", "a3"]  # no word first; cocoa, cocoa (as found), zinc
    after = [line.id for line in kwic.ordered(kwic.lines(texts), "after")]
    assert after == ["a4", "a1", "a3", "a2"]


def test_the_external_sort_merges_runs_in_order():
    rng = random.Random(5)
    texts = [
        marked(n, f"{rng.choice(WORDS)} prices {rng.choice(WORDS)} {rng.choice(WORDS)}", "prices")
        for n in range(1000)
    ]
    spilled = list(kwic.external_sort(kwic.lines(texts), kwic.after_key, run=37))
    assert [kwic.after_key(line) for line in spilled] == sorted(
        kwic.after_key(line) for line in kwic.lines(texts)
    )
    assert spilled == sorted(kwic.lines(texts), key=kwic.after_key)  # stable, like sorted


def _articles(count: int) -> Iterator[MarkedText]:
    rng = random.Random(count)
    for n in range(count):
        body = " ".join(rng.choice(WORDS) for _ in range(60))
        start = body.index("cocoa") if "cocoa" in body else 0
        yield MarkedText(
            id=f"{n:016x}",
            title="Cocoa report",
            body=body,
            title_marks=((0, 5),),
            body_marks=((start, start + 5),),
        )


MEASURE = r"""
import json, re
from pathlib import Path
from archive.research import kwic
from tests.test_research_kwic import _articles

def peak():  # this process's own high-water mark (getrusage's counts its parent's too)
    status = Path("/proc/self/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status)[1]) * 1024

peaks = {}
for sort in ("articles", "after"):
    for count in (10_000, 100_000):
        lines = kwic.ordered(kwic.lines(_articles(count), width=60), sort)
        assert sum(1 for _ in lines) == 2 * count
        peaks[f"{sort} {count}"] = peak()
print(json.dumps(peaks))
"""


@pytest.mark.slow
def test_memory_stays_flat_on_a_hundred_thousand_matches():
    """Every line of 100,000 matching articles, in order and sorted by the word after: the
    process's peak memory is what 10,000 needed (a sort run, not the result set)."""
    need(Path("/proc/self/status").is_file(), "the peak of memory is read from /proc")
    done = subprocess.run(
        [sys.executable, "-c", MEASURE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    peaks = json.loads(done.stdout)
    for sort in ("articles", "after"):
        grown = peaks[f"{sort} 100000"] - peaks[f"{sort} 10000"]
        assert grown < 8 * 2**20, (sort, peaks)
    assert peaks["after 100000"] < 200 * 2**20, peaks


ARTICLES = 800


def test_the_engine_reads_matches_lazily(tmp_path):
    """Reading the first page of lines reads the first articles only: the rest of the
    result set is not held in memory meanwhile."""
    archive = Archive(Settings(data_dir=tmp_path))
    with archive.engine.writer(timeout=5) as writer:
        writer.add(
            Article(id=f"k{n:05d}", title=f"Cocoa note {n}", body="Cocoa prices rose. " * 30)
            for n in range(ARTICLES)
        )
    try:
        request = SearchRequest(q="cocoa")
        first = _traced(lambda: list(islice(archive.research.kwic_lines(request), 10)))
        every = _traced(lambda: sum(1 for _ in archive.research.kwic_lines(request)))
        # all the articles' texts at once would take several times the first page's memory
        assert every < first + 64 * ARTICLES, (first, every)
        assert archive.research.kwic(request, per_page=10).has_next
    finally:
        archive.close()


def _traced(work) -> int:
    work()  # caches (postings, arrays, analysis) are not what is measured
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
