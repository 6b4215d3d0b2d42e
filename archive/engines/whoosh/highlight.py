"""Snippets on Whoosh: the engine's half of ``archive.search.highlight``.

The engine says which words of an article the query matches: a word matches when its
analysed form (``forms``) is one of the index terms the query looks for in the field
(words and phrases: every word with that stem), or when its form as written is one of the
words as written a prefix or fuzzy word found (``schema.SURFACE``: only those words);
``archive.search.highlight`` chooses the passages and makes the runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from whoosh import query as wq
from whoosh.searching import Searcher

from archive.engines.whoosh.expand import Stems
from archive.engines.whoosh.forms import forms
from archive.engines.whoosh.schema import SURFACE
from archive.models import SnippetPart
from archive.search import highlight


@dataclass(frozen=True)
class Marks:
    """What the query looks for in one text field: its stems (``terms``) and the words
    as written its prefixes and fuzzy words found (``written``)."""

    terms: frozenset[str] = frozenset()
    written: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.terms or self.written)


def marks(query: wq.Query, field: str, also: tuple[str, ...] = ()) -> Marks:
    """The ``Marks`` of ``field`` (and of the fields ``also``, analysed alike) in
    ``query``, an expanded query (``expand.bound_expansions``)."""
    names = (field, *also)
    return Marks(
        frozenset(term for name in names for term in positive_terms(query, name)),
        frozenset(
            term
            for name in names
            if name in SURFACE
            for term in positive_terms(query, SURFACE[name])
        ),
    )


def snippet(text: str, marked: Marks, searcher: Searcher) -> tuple[SnippetPart, ...]:
    """The best passages of the body ``text`` with the words of ``marked`` marked; the
    lede when none match."""
    flat = highlight.flatten(text)
    if not marked:
        return highlight.lede(flat)
    return highlight.snippet(flat, tokens(flat, marked, searcher))


def tokens(
    text: str, marked: Marks, searcher: Searcher, field: str = "body"
) -> list[highlight.Token]:
    """Every word of ``text`` (a text of ``field``, as it is), matched when the query
    looks for it (``Marks``)."""
    found = forms(searcher, field).tokens(text, marked.terms)
    if not marked.written or SURFACE[field] not in searcher.schema:
        return found
    written = forms(searcher, SURFACE[field]).tokens(text, marked.written)
    also = {(token.start, token.end) for token in written if token.matched}
    if not also:
        return found
    return [
        token
        if token.matched or (token.start, token.end) not in also
        else highlight.Token(token.start, token.end, token.form, True)
        for token in found
    ]


def positive_terms(query: wq.Query, field: str) -> Iterator[str]:
    """The index terms of ``field`` the query looks for, leaving out negated parts and
    the stems that only score what a prefix or fuzzy word found (``expand.Stems``)."""
    if isinstance(query, wq.Not | Stems):
        return
    if isinstance(query, wq.AndNot):
        yield from positive_terms(query.a, field)
        return
    if isinstance(query, wq.Term) and query.fieldname == field:
        yield _text(query.text)
    elif isinstance(query, wq.Phrase) and query.fieldname == field:
        yield from (_text(word) for word in query.words)
    if query.is_leaf():
        return
    for child in query.children():
        yield from positive_terms(child, field)


def _text(word: str | bytes) -> str:
    """A term as text (expanded prefixes and fuzzy words come as index bytes)."""
    return word.decode("utf-8") if isinstance(word, bytes) else str(word)
