"""Did you mean: a better-spelled query when one finds little, from the archive's own words.

The engine knows which words the archive holds and proposes, for each query word it does
not hold, the nearest one it does (``Engine.suggest``); this module picks the words worth
checking and writes the suggested query as the user wrote theirs, with only the
misspelt words replaced.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

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
