"""Where words begin and end: one rule for the query language and both engines' analysers.

A word is a run of letters and digits, with inner dots kept (``3.5``, ``example.com``).
A dotted abbreviation (single letters joined by dots: ``U.N.``, ``U.S``, ``e.g.``) is one
word, written without its dots (``UN``, ``US``, ``eg``) and never taken for a stop word, so
``U.N.``, ``U.N`` and ``UN`` are the same word in a query and in the index, and ``U.S.``
is not the pronoun "us". Hyphens separate words (``e-mail`` is ``e`` and ``mail``, and
``well-known`` a phrase of two words), in queries as in the index.

The embedded engine's tokenizer uses ``WORD`` and ``joined`` (``engines/whoosh/analysis``);
OpenSearch's analyser does the same with a character filter and a token filter
(``engines/opensearch/mapping``); the query parser splits its words with ``split``. The
engine contract tests check that every such word finds its article on both engines.
"""

from __future__ import annotations

import re

#: single letters joined by dots, not followed by another letter or digit (the dot after
#: the last letter is not part of it)
ACRONYM = r"[^\W\d_](?:\.[^\W\d_])+(?!\w)"
#: a word of the index: an abbreviation, or letters and digits with inner dots
WORD = re.compile(rf"{ACRONYM}|\w+(?:\.?\w+)*")
#: a word of a query: as ``WORD``, with inner apostrophes kept (the engines split them)
QUERY_WORD = re.compile(rf"{ACRONYM}|\w+(?:['’.]\w+)*")
_WHOLE_ACRONYM = re.compile(rf"{ACRONYM}\.?")


def split(text: str) -> list[str]:
    """The words of query text, as the query language reads them."""
    return QUERY_WORD.findall(text)


def is_acronym(word: str) -> bool:
    """Whether ``word`` is a dotted abbreviation (``U.N.``, ``U.S``)."""
    return "." in word and _WHOLE_ACRONYM.fullmatch(word) is not None


def joined(word: str) -> str:
    """A dotted abbreviation without its dots (``U.N.`` -> ``UN``); other words unchanged."""
    return word.replace(".", "") if is_acronym(word) else word
