"""English analysis in one pass: lower case, stop words, accent folding and stemming.

Equivalent to Whoosh's ``LowercaseFilter | StopFilter | CharsetFilter(accent_map) |
StemFilter`` chain (the tests compare them token by token) at a fraction of the cost: one
generator instead of four, and a plain dict as the stem cache instead of an LRU wrapper.
``TextFilter`` also splits Chinese, Japanese and Korean into bigrams in the same pass
(``CJKBigramFilter | EnglishFilter``); a token of plain ASCII, nearly every token of a
Western archive, skips that step after one cheap check.
Analysis is the largest cost of bulk indexing, so this is where the time goes.

``WordTokenizer`` splits words by the archive's one rule (``archive.words``): a dotted
abbreviation (``U.N.``) is one word without its dots and is never dropped as a stop word,
in the stemmed fields and in the words as written (``SurfaceFilter``) alike.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import Any

from whoosh.analysis import Filter, RegexTokenizer, Token
from whoosh.analysis.filters import STOP_WORDS
from whoosh.lang.porter2 import stem as english_stem
from whoosh.support.charset import accent_map

from archive.engines.whoosh.cjk import has_cjk, pieces
from archive.words import WORD, is_acronym

#: distinct words whose stems are remembered; news vocabularies stay well below it
STEM_CACHE_WORDS = 500_000


class WordTokenizer(RegexTokenizer):
    """Words by ``archive.words.WORD``; an abbreviation's dots are dropped and the token is
    marked ``acronym`` (the filters below keep it even when it spells a stop word)."""

    def __init__(self) -> None:
        super().__init__(WORD)

    def __call__(self, value: Any, **kwargs: Any) -> Iterator[Token]:
        for token in super().__call__(value, **kwargs):
            yield self.shape(token)

    @staticmethod
    def shape(token: Token) -> Token:
        """A token of the expression made a word (an abbreviation without its dots):
        it depends on the token's text alone, so an analyser may apply it to each
        distinct word once (``segments.chains``)."""
        text = token.text
        token.acronym = "." in text and is_acronym(text)
        if token.acronym:
            token.text = text.replace(".", "")
        return token


class EnglishFilter(Filter):
    """Lower-case, drop stop words (renumbering positions), fold accents, stem."""

    #: whether the terms kept take consecutive positions (the stop words' are given away)
    renumbers = True

    def __init__(self, stoplist: frozenset[str] = STOP_WORDS, minsize: int = 2) -> None:
        self.stops = frozenset(stoplist)
        self.minsize = minsize
        self._cache: dict[str, str] = {}

    def __getstate__(self) -> dict[str, Any]:
        return {"stops": self.stops, "minsize": self.minsize}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._cache = {}

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, EnglishFilter)
            and self.stops == other.stops
            and self.minsize == other.minsize
        )

    def __hash__(self) -> int:
        return hash((self.stops, self.minsize))

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        stops, minsize, cache = self.stops, self.minsize, self._cache
        position = None
        for token in tokens:
            text = token.text.lower()
            if len(text) >= minsize and (text not in stops or _acronym(token)):
                if token.positions:
                    position = token.pos if position is None else position + 1
                    token.pos = position
                token.stopped = False
                stemmed = cache.get(text)
                if stemmed is None:
                    stemmed = english_stem(text.translate(accent_map))
                    if len(cache) < STEM_CACHE_WORDS:
                        cache[text] = stemmed
                token.text = stemmed
                yield token
            elif not token.removestops:
                token.stopped = True
                token.text = text.translate(accent_map)
                yield token


class SurfaceFilter(EnglishFilter):
    """The words as written: lower case, stop words out (abbreviations kept), accents
    folded, no stems (``schema.spelling_analyzer``)."""

    renumbers = False  # each word keeps its position

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SurfaceFilter) and super().__eq__(other)

    def __hash__(self) -> int:
        return hash((SurfaceFilter, self.stops, self.minsize))

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        stops, minsize = self.stops, self.minsize
        for token in tokens:
            text = token.text.lower()
            token.stopped = not (len(text) >= minsize and (text not in stops or _acronym(token)))
            if not token.stopped or not token.removestops:
                token.text = text.translate(accent_map)
                yield token


class TextFilter(EnglishFilter):
    """``CJKBigramFilter | EnglishFilter`` in one generator (the tests compare them).

    The English step is written out in the loop rather than called: a call per token
    would cost about what fusing the two filters saves.
    """

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TextFilter) and super().__eq__(other)

    def __hash__(self) -> int:
        return hash((TextFilter, self.stops, self.minsize))

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        stops, minsize, cache = self.stops, self.minsize, self._cache
        position = None
        #: positions taken so far by the extra bigrams of CJK runs
        shift = 0
        for token in tokens:
            if shift:
                token.pos += shift
            text = token.text
            if not text.isascii() and has_cjk(text):
                parts = list(pieces(text))
                if token.positions:
                    shift += len(parts) - 1
                position = yield from self._split(token, parts, position)
                continue
            text = text.lower()
            if len(text) >= minsize and (text not in stops or _acronym(token)):
                if token.positions:
                    position = token.pos if position is None else position + 1
                    token.pos = position
                token.stopped = False
                stemmed = cache.get(text)
                if stemmed is None:
                    stemmed = english_stem(text.translate(accent_map))
                    if len(cache) < STEM_CACHE_WORDS:
                        cache[text] = stemmed
                token.text = stemmed
                yield token
            elif not token.removestops:
                token.stopped = True
                token.text = text.translate(accent_map)
                yield token

    def _split(
        self, token: Token, parts: list[tuple[int, str]], position: int | None
    ) -> Generator[Token, None, int | None]:
        """The English filter over ``token`` turned into each of its ``parts`` in turn (as
        ``CJKBigramFilter`` does); returns the last position given out."""
        start = token.startchar if token.chars else 0
        base = token.pos if token.positions else 0
        for count, (offset, part) in enumerate(parts):
            token.text = part
            if token.positions:
                token.pos = base + count
            if token.chars:
                token.startchar = start + offset
                token.endchar = start + offset + len(part)
            for kept in EnglishFilter.__call__(self, iter((token,))):
                if kept.positions and not kept.stopped:
                    # the English filter numbers from the token; carry the run's numbering
                    position = kept.pos if position is None else position + 1
                    kept.pos = position
                yield kept
        return position


def _acronym(token: Token) -> bool:
    """Whether ``WordTokenizer`` made the token from a dotted abbreviation."""
    return bool(getattr(token, "acronym", False))
