"""The words, phrases, sources and bylines that characterise a search's matches.

* **Words** (other than the query's own) come from the engine (``Engine.term_counts``):
  index words (stems) counted in the text of the best-ranked matches (every match up to
  ``WORD_SAMPLE``, a sample beyond that, as Elasticsearch's ``significant_text`` does)
  against their document frequency in the whole archive. Each is shown in the form the
  matches write it most often ("prices", "Ivory", "ICCO"), not as a stem.
* **Two-word phrases** are not indexed, so both sides are read from stored text: the same
  best-ranked matches against a fixed sample of the archive (``Background``). Their counts
  are estimates, and say so.
* **Sources and bylines** are counted exactly over every match and every article.

Every list is ranked by one significance score (``significance``): G² by default, JLH on
request.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import replace
from itertools import islice

import numpy as np

from archive.engines.base import Engine
from archive.models import SearchRequest
from archive.models.research import Term, TermCounts, TermGroup, WordsReport
from archive.querytree import Node, terms
from archive.research.analysis import MAX_CHARS, Tally, phrase_forms
from archive.research.citations import Citer
from archive.research.significance import best, check_score, scores

#: best-ranked matches read for phrases and written forms (the engines read as many)
WORD_SAMPLE = 200
#: articles of the archive read once as the background of phrases
BACKGROUND_SAMPLE = 3000
#: a phrase must occur in this many of the sampled matches to characterise them
MIN_PHRASE = 3
MAX_TERMS = 100


class Background:
    """The phrase counts of a fixed sample of the archive, read once per state of the
    archive (its generation and article count) and kept."""

    def __init__(self, size: int = BACKGROUND_SAMPLE) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._kept: tuple[tuple[str, int], Tally] | None = None

    def tally(self, engine: Engine) -> Tally:
        state = (engine.generation(), engine.count())
        with self._lock:
            if self._kept is not None and self._kept[0] == state:
                return self._kept[1]
            texts = (text.body for text in engine.sample_texts(self.size))
            tally = Tally(keep_forms=False).add_all(texts)
            self._kept = (state, tally)
            return tally


def characterise(
    engine: Engine,
    citer: Citer,
    build: Callable[[SearchRequest], Node],
    background: Background,
    request: SearchRequest,
    size: int = 30,
    score: str = "g2",
) -> WordsReport:
    """What characterises ``request``'s matches: the ``size`` best terms of each kind."""
    started = time.perf_counter()
    check_score(score)
    size = max(1, min(size, MAX_TERMS))
    tree = build(request)
    citation = citer.cite(request, tree)
    groups = _groups(engine, background, tree, request, size, score)
    return WordsReport(
        request=request,
        total=citation.count,
        score=score,
        groups=groups,
        citation=citation,
        took_ms=(time.perf_counter() - started) * 1000,
    )


def _groups(
    engine: Engine,
    background: Background,
    tree: Node,
    request: SearchRequest,
    size: int,
    score: str,
) -> tuple[TermGroup, ...]:
    """The characteristic words, phrases, sources and bylines of ``tree``'s matches."""
    ranked = replace(request, sort="relevance")
    sample = engine.marked_texts(tree, ranked, marks=False)
    texts = [text.body[:MAX_CHARS] for text in islice(sample, WORD_SAMPLE)]
    close = getattr(sample, "close", None)
    if close:
        close()
    foreground = Tally().add_all(texts)
    asked = set(engine.word_keys([word.lower() for word in terms(tree)]).values())
    words = engine.term_counts(tree, request, "word", size + len(asked), score)
    words = replace(words, terms=tuple(t for t in words.terms if t[0] not in asked)[:size])
    return (
        _words(engine, words, foreground, score),
        _phrases(foreground, texts, background.tally(engine), size, score),
        _exact(engine.term_counts(tree, request, "source", size, score), score),
        _exact(engine.term_counts(tree, request, "byline", size, score), score),
    )


def _scored(counts: TermCounts, score: str) -> list[float]:
    fg = np.array([term[1] for term in counts.terms], dtype=np.int64)
    bg = np.array([term[2] for term in counts.terms], dtype=np.int64)
    return scores(score, fg, counts.foreground, bg, counts.background).tolist()


def _words(engine: Engine, counts: TermCounts, foreground: Tally, score: str) -> TermGroup:
    """Index words shown in the form the matches write them most often."""
    keys = engine.word_keys(sorted(foreground.words))
    wanted = {key for key, _, _ in counts.terms}
    words = [word for word, key in keys.items() if key in wanted]
    written = foreground.written(words)
    shown: dict[str, tuple[int, str]] = {}
    for word in words:
        key = keys[word]
        rank = (foreground.words[word], written.get(word, word))
        if key not in shown or rank > shown[key]:
            shown[key] = rank
    terms = tuple(
        Term("word", shown[key][1] if key in shown else key, key, fg, bg, value)
        for (key, fg, bg), value in zip(counts.terms, _scored(counts, score), strict=True)
    )
    return TermGroup("word", terms, counts.foreground, counts.background, bool(counts.sample))


def _phrases(
    foreground: Tally, texts: list[str], background: Tally, size: int, score: str
) -> TermGroup:
    """Two-word phrases of the sampled matches against the archive's sample. The samples
    are apart, so the background side of the comparison is the archive's sample plus the
    matches' (the superset ``significance`` expects)."""
    keys = [key for key, count in foreground.phrases.items() if count >= MIN_PHRASE]
    fg = np.array([foreground.phrases[key] for key in keys], dtype=np.int64)
    bg = np.array([background.phrases.get(key, 0) for key in keys], dtype=np.int64)
    fg_size, bg_size = foreground.articles, background.articles
    top = best(score, fg, fg_size, bg + fg, bg_size + fg_size, size, MIN_PHRASE, keys)
    values = scores(score, fg, fg_size, bg + fg, bg_size + fg_size)
    written = phrase_forms(texts, [keys[at] for at in top.tolist()])
    terms = tuple(
        Term("phrase", written.get(key, key), key, int(fg[at]), int(bg[at]), float(values[at]))
        for at in top.tolist()
        for key in (keys[at],)
    )
    return TermGroup("phrase", terms, fg_size, bg_size, sampled=True)


def _exact(counts: TermCounts, score: str) -> TermGroup:
    terms = tuple(
        Term(counts.kind, key, key, fg, bg, value)
        for (key, fg, bg), value in zip(counts.terms, _scored(counts, score), strict=True)
    )
    return TermGroup(counts.kind, terms, counts.foreground, counts.background)
