"""Snippets on Whoosh: the engine's half of ``archive.search.highlight``.

The engine says which words of an article the query matches: a word matches when its
analysed form (``forms``) is one of the index terms the query looks for in the body;
``archive.search.highlight`` chooses the passages and makes the runs.
"""

from __future__ import annotations

from collections.abc import Iterable

from whoosh.searching import Searcher

from archive.engines.whoosh.forms import forms
from archive.models import SnippetPart
from archive.search import highlight


def snippet(text: str, words: Iterable[str], searcher: Searcher) -> tuple[SnippetPart, ...]:
    """The best passages of ``text`` with the index terms ``words`` marked; the lede when
    none match."""
    flat = highlight.flatten(text)
    matched = frozenset(words)
    if not matched:
        return highlight.lede(flat)
    return highlight.snippet(flat, forms(searcher).tokens(flat, matched))


def marked(text: str, words: Iterable[str], searcher: Searcher) -> list[highlight.Token]:
    """Every word of ``text`` (as it is, not flattened), matched when the query looks for it."""
    return forms(searcher).tokens(text, frozenset(words))
