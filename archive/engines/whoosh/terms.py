"""Term statistics on Whoosh for characteristic terms (``Engine.term_counts``).

Words are counted as Elasticsearch's ``significant_text`` counts them: the stored text of
the best-ranked matches (all of them when there are at most ``WORD_SAMPLE``) is analysed
again, and each index word's foreground count is the number of those articles holding it;
its background count is its document frequency in the index. Reading every match's text
would cost about a millisecond per match, and an index of which words each article holds
would take Whoosh about half a millisecond per article to read from its postings, so a
sample it is. Sources and bylines are counted exactly, over every match and every live
article, from their value arrays.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np
from whoosh.searching import Searcher

from archive.engines.whoosh.arrays import View
from archive.engines.whoosh.evaluate import Matches, ranked
from archive.models.research import TermCounts
from archive.research.significance import best

#: the matches whose text is read for their words (the best-ranked ones)
WORD_SAMPLE = 200
#: the field whose words are counted, and how much of each article is read
WORD_FIELD = "body"
MAX_CHARS = 20_000
#: the value fields of the other kinds of term
VALUE_FIELDS = {"source": "source_exact", "byline": "byline_exact"}
#: a word must occur in this many matching articles to characterise them
MIN_WORDS = 2
#: written words whose index form is remembered
KNOWN_WORDS = 200_000
_WORD = re.compile(r"\w+(?:['’.]\w+)*")


class Terms:
    """Term counts for one engine, remembering the index form of each written word."""

    def __init__(self) -> None:
        self._keys: dict[str, str | None] = {}
        self._lock = threading.Lock()

    def term_counts(
        self, view: View, found: Matches, kind: str, size: int, score: str
    ) -> TermCounts:
        """The ``size`` terms of ``kind`` that best characterise ``found`` by ``score``."""
        if kind == "word":
            return self._words(view, found, size, score)
        ordinals, vocabulary = view.values(VALUE_FIELDS[kind])
        chosen = ordinals[found.docs]
        fg = np.bincount(chosen[chosen >= 0], minlength=len(vocabulary))
        bg = view.derived(f"background-{kind}", lambda v: _live_counts(v, kind))
        fg_size, bg_size = len(found), int(view.live.sum())
        top = best(score, fg, fg_size, bg, bg_size, size, terms=vocabulary)
        terms = tuple((vocabulary[at], int(fg[at]), int(bg[at])) for at in top.tolist())
        return TermCounts(kind=kind, foreground=fg_size, background=bg_size, terms=terms)

    def _words(self, view: View, found: Matches, size: int, score: str) -> TermCounts:
        searcher = view.searcher
        order = ranked(view, found, "relevance", WORD_SAMPLE)
        texts = [
            set(
                _WORD.findall(
                    searcher.stored_fields(int(found.docs[at])).get(WORD_FIELD, "")[:MAX_CHARS]
                )
            )
            for at in order.tolist()
        ]
        known = self.keys(searcher, set().union(*texts))
        counts: Counter[str] = Counter()
        for words in texts:
            counts.update({known[word] for word in words if word in known})
        candidates = [key for key, count in counts.items() if count >= MIN_WORDS]
        frequencies = view.derived("frequencies", _frequencies)
        fg = np.array([counts[key] for key in candidates], dtype=np.int64)
        bg = np.array([frequencies.get(key, 0) for key in candidates], dtype=np.int64)
        fg_size, bg_size = len(order), int(searcher.doc_count())
        top = best(score, fg, fg_size, bg, bg_size, size, MIN_WORDS, candidates)
        return TermCounts(
            kind="word",
            foreground=fg_size,
            background=bg_size,
            terms=tuple((candidates[at], int(fg[at]), int(bg[at])) for at in top.tolist()),
            sample=fg_size if len(found) > fg_size else 0,
        )

    def keys(self, searcher: Searcher, words: Sequence[str] | set[str]) -> dict[str, str]:
        """The index word each written word is searched as; words that analyse to nothing
        (stop words) or to several words are left out."""
        analyzer = searcher.schema[WORD_FIELD].analyzer
        out: dict[str, str] = {}
        missing = []
        with self._lock:
            for word in words:
                key = self._keys.get(word, "")
                if key == "":
                    missing.append(word)
                elif key is not None:
                    out[word] = key
        learned: dict[str, str | None] = {}
        for word in missing:
            tokens = [token.text for token in analyzer(word, mode="query")]
            learned[word] = tokens[0] if len(tokens) == 1 else None
            if learned[word] is not None:
                out[word] = tokens[0]
        with self._lock:
            if len(self._keys) + len(learned) <= KNOWN_WORDS:
                self._keys.update(learned)
        return out


def _live_counts(view: View, kind: str) -> np.ndarray:
    """How many live articles have each value of ``kind``'s field."""
    ordinals, vocabulary = view.values(VALUE_FIELDS[kind])
    kept = ordinals[view.live]
    return np.bincount(kept[kept >= 0], minlength=len(vocabulary))


def _frequencies(view: View) -> dict[str, int]:
    """The document frequency of every word of the text field, summed over the segments
    (each segment's read once from its term entries and kept)."""
    total: Counter[str] = Counter()
    for reader, _ in view.leaves:
        total.update(view.cache.get(reader, "frequencies", WORD_FIELD, _segment_frequencies))
    return dict(total)


def _segment_frequencies(reader: Any, field: str) -> dict[str, int]:
    if field not in reader.schema:
        return {}
    return {
        btext.decode("utf-8") if isinstance(btext, bytes) else str(btext): info.doc_frequency()
        for btext, info in reader.iter_field(field)
    }
