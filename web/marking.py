"""Marking a search's words in an article's text, as runs of ``SnippetPart``.

The article page shows the whole body with the query's words marked when the reader comes
from a search. The text stays plain: templates render each run escaped and wrap the matched
ones in ``<mark>``, exactly as they render snippets, so article text is never trusted as HTML.

Matching is deliberately forgiving and engine-neutral: case and accents are ignored and
common English endings are tolerated ("harvest" marks "harvests" and "harvesting"); a
prefix query (``harv*``) marks words that start with it; ``word~`` marks words within its
edit distance.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from archive import query
from archive.errors import QueryError
from archive.models import SnippetPart
from archive.querytree import And, Fuzzy, Node, Or, Phrase, Prefix, Term

_WORD = re.compile(r"\w+(?:['’]\w+)*")
_ENDINGS = ("'s", "’s", "ing", "ed", "es", "s", "ly", "er", "ers")
_MIN_STEM = 3
#: longer articles are shown unmarked rather than slowly
MAX_MARKED_CHARS = 400_000


@dataclass(frozen=True)
class Matcher:
    """The positive words of a query, ready to test words of text against."""

    stems: frozenset[str]
    prefixes: tuple[str, ...]
    fuzzy: tuple[tuple[str, int], ...]

    def __bool__(self) -> bool:
        return bool(self.stems or self.prefixes or self.fuzzy)

    def matches(self, word: str) -> bool:
        folded = fold(word)
        if self.stems and not self.stems.isdisjoint(stems(folded)):
            return True
        if any(folded.startswith(prefix) for prefix in self.prefixes):
            return True
        return any(within(folded, text, distance) for text, distance in self.fuzzy)


def matcher(q: str, limits: query.Limits) -> Matcher:
    """The words to mark for query text ``q``; an unreadable query marks nothing."""
    try:
        tree = query.parse(q, limits=limits)
    except QueryError:
        return Matcher(frozenset(), (), ())
    words: set[str] = set()
    prefixes: list[str] = []
    fuzzy: list[tuple[str, int]] = []
    for node in _positive(tree):
        if isinstance(node, Term):
            words.update(stems(fold(node.text)))
        elif isinstance(node, Phrase):
            for word in node.words:
                words.update(stems(fold(word)))
        elif isinstance(node, Prefix):
            prefixes.append(fold(node.text))
        elif isinstance(node, Fuzzy):
            fuzzy.append((fold(node.text), node.distance))
    return Matcher(frozenset(words), tuple(prefixes), tuple(fuzzy))


def mark(text: str, match: Matcher) -> tuple[SnippetPart, ...]:
    """``text`` as runs, the words ``match`` accepts marked."""
    if not match or len(text) > MAX_MARKED_CHARS:
        return (SnippetPart(text),) if text else ()
    parts: list[SnippetPart] = []
    index = 0
    for found in _WORD.finditer(text):
        if match.matches(found[0]):
            if found.start() > index:
                parts.append(SnippetPart(text[index : found.start()]))
            parts.append(SnippetPart(found[0], True))
            index = found.end()
    if index < len(text):
        parts.append(SnippetPart(text[index:]))
    return tuple(parts)


def fold(word: str) -> str:
    """Lower case without accents: "Café" -> "cafe"."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def stems(word: str) -> set[str]:
    """``word`` and what is left of it without one common English ending."""
    out = {word}
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= _MIN_STEM:
            out.add(word[: -len(ending)])
    if word.endswith("ies") and len(word) > _MIN_STEM + 2:
        out.add(word[:-3] + "y")
    return out


def within(word: str, target: str, distance: int) -> bool:
    """Whether ``word`` is at most ``distance`` edits (Levenshtein) from ``target``."""
    if abs(len(word) - len(target)) > distance:
        return False
    previous = list(range(len(target) + 1))
    for i, left in enumerate(word, start=1):
        current = [i]
        for j, right in enumerate(target, start=1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (left != right))
            )
        if min(current) > distance:
            return False
        previous = current
    return previous[-1] <= distance


def _positive(node: Node) -> list[Node]:
    """The leaves of the query that must or may match (what NOT excludes is left out)."""
    if isinstance(node, And | Or):
        return [leaf for child in node.children for leaf in _positive(child)]
    if isinstance(node, Term | Phrase | Prefix | Fuzzy):
        return [node]
    return []
