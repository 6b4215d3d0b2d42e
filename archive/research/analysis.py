"""Words and two-word phrases as people write them, read from stored text.

Engines index stems; people read words. This analysis keeps each word as written (a word
is letters and digits with inner apostrophes, as the query language reads it) and counts,
per article, which words and which two-word phrases it holds. A phrase is two neighbouring
words, neither a stop word nor a number, with nothing but spaces or a hyphen between them
(a comma or a full stop ends a phrase). Keys are lower case; the written form shown is the
commonest one.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from archive.stopwords import ENGLISH

_WORD = re.compile(r"\w+(?:['’]\w+)*")
#: what ends a phrase: anything but letters, digits, spaces, apostrophes and hyphens
_BREAK = re.compile(r"[^\w\s'’-]+")
#: characters of each article read (the lede and what follows carry the topic)
MAX_CHARS = 20_000
#: occurrences of a phrase read to tell its commonest written form
FORMS_SEEN = 20


@dataclass
class Tally:
    """Document frequencies of words and phrases over the articles added, and the written
    forms seen of each."""

    articles: int = 0
    words: Counter[str] = field(default_factory=Counter)
    phrases: Counter[str] = field(default_factory=Counter)
    forms: Counter[str] = field(default_factory=Counter)
    #: whether to count written forms (only the foreground's are shown)
    keep_forms: bool = True

    def add(self, text: str) -> None:
        """Count one article's text."""
        words, phrases = read(text[:MAX_CHARS], self.forms if self.keep_forms else None)
        self.articles += 1
        self.words.update(words)
        self.phrases.update(phrases)

    def add_all(self, texts: Iterable[str]) -> Tally:
        for text in texts:
            self.add(text)
        return self

    def written(self, keys: Iterable[str]) -> dict[str, str]:
        """The commonest written form of each word key in ``keys`` (lower case wins a tie)."""
        wanted = set(keys)
        best: dict[str, tuple[int, bool, str]] = {}
        for form, count in self.forms.items():
            key = form.lower()
            if key in wanted:
                rank = (count, form == key, form)
                if key not in best or rank > best[key]:
                    best[key] = rank
        return {key: rank[2] for key, rank in best.items()}


def phrase_forms(texts: Iterable[str], keys: Iterable[str]) -> dict[str, str]:
    """The commonest written form of each phrase key among ``texts``."""
    lowered = [(text.lower(), text) for text in texts]
    lowered = [(low, text) for low, text in lowered if len(low) == len(text)]
    found: dict[str, str] = {}
    for key in keys:
        first, second = key.split(" ", 1)
        pattern = re.compile(rf"\b{re.escape(first)}[ \t\u00a0-]+{re.escape(second)}\b")
        seen: Counter[str] = Counter()
        for low, text in lowered:
            if first in low and second in low:
                seen.update(
                    " ".join(text[m.start() : m.end()].replace("-", " ").split())
                    for m in pattern.finditer(low)
                )
                if seen.total() >= FORMS_SEEN:
                    break
        found[key] = max(seen, key=lambda form: (seen[form], form == key)) if seen else key
    return found


def read(text: str, forms: Counter[str] | None) -> tuple[set[str], set[str]]:
    """The word keys and phrase keys of ``text``; words as written are counted in ``forms``."""
    words: set[str] = set()
    phrases: set[str] = set()
    written: list[str] = []
    for chunk in _BREAK.split(text):
        previous = ""
        for word in _WORD.findall(chunk):
            key = word.lower()
            if key in ENGLISH or len(key) < 2 or key.isdigit():
                previous = ""
                continue
            words.add(key)
            written.append(word)
            if previous:
                phrases.add(f"{previous} {key}")
            previous = key
    if forms is not None:
        forms.update(written)
    return words, phrases
