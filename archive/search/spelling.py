"""Did you mean: a better-spelled query when one finds little, from the archive's own words.

The engine knows which words the archive holds and proposes, for each query word it does
not hold, the nearest one it does (``Engine.suggest``: first among the headlines' words as
written, then the text's), chosen here by one rule for every engine (``closest``); this
module also picks the words worth checking and writes the suggested query as the user
wrote theirs, with only the misspelt words replaced.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping

from archive.querytree import And, Node, Not, Or, Phrase, Term

#: a query answered by fewer articles than this gets a suggestion
SUGGEST_BELOW = 3
#: fields whose words are checked: the suggestions come from headlines and text
CHECKED_FIELDS = (None, "title", "body")


def checked_words(tree: Node) -> list[str]:
    """The plain words and phrase words of the query's positive part that search headlines
    and text (where the words suggestions come from), once each."""
    found: list[str] = []
    if isinstance(tree, Term) and tree.field in CHECKED_FIELDS:
        found.append(tree.text)
    elif isinstance(tree, Phrase) and tree.field in CHECKED_FIELDS:
        found.extend(tree.words)
    elif isinstance(tree, And | Or):
        for child in tree.children:
            found.extend(checked_words(child))
    elif isinstance(tree, Not):
        return []
    return list(dict.fromkeys(found))


def max_edits(word: str) -> int:
    """How far a suggestion may be from ``word``: two edits for a word longer than four
    letters, else one."""
    return 2 if len(word) > 4 else 1


def edits(first: str, second: str) -> int:
    """The Levenshtein distance: letters inserted, deleted or replaced."""
    previous = list(range(len(second) + 1))
    for row, letter in enumerate(first, start=1):
        current = [row]
        for column, other in enumerate(second, start=1):
            current.append(
                min(previous[column] + 1, current[-1] + 1, previous[column - 1] + (letter != other))
            )
        previous = current
    return previous[-1]


def closest(word: str, candidates: Iterable[tuple[str, int]]) -> str | None:
    """Of ``candidates`` (words the archive holds, with how many articles hold each), the
    one nearest ``word``: fewest edits (at most ``max_edits``, the first letter as typed),
    then the most frequent, then the first alphabetically; ``None`` when none is near."""
    best: tuple[int, int, str] | None = None
    for candidate, frequency in candidates:
        if candidate == word or candidate[:1] != word[:1]:
            continue
        distance = edits(word, candidate)
        if distance <= max_edits(word):
            key = (distance, -frequency, candidate)
            best = key if best is None or key < best else best
    return best[2] if best else None


def respell(text: str, corrections: Mapping[str, str]) -> str | None:
    """``text`` with each corrected word replaced (as a whole word, any case); None when
    nothing changed."""
    result = text
    for word, better in corrections.items():
        pattern = re.compile(rf"(?<!\w){re.escape(word)}(?!\w)", re.IGNORECASE)
        result = pattern.sub(_replacer(better), result)
    return result if result != text else None


def _replacer(better: str) -> Callable[[re.Match[str]], str]:
    return lambda found: _same_case(found[0], better)


def _same_case(original: str, better: str) -> str:
    """``better`` capitalised as ``original`` was (Koizmi -> Koizumi, KOIZMI -> KOIZUMI)."""
    if original.isupper() and len(original) > 1:
        return better.upper()
    if original[:1].isupper():
        return better[:1].upper() + better[1:]
    return better
