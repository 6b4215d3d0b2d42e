"""Chinese, Japanese and Korean text as overlapping character bigrams.

These scripts do not put spaces between words, so a word tokenizer returns a whole
clause as one token and a search for a two-character word inside it finds nothing.
Indexing every pair of neighbouring characters (東京都 -> 東京, 京都) lets any word of two
or more characters match: a two-character word is one bigram, a longer one a phrase of
bigrams. This is the approach of Lucene's CJK analyzer; it needs no dictionary and works
for all three languages.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from whoosh.analysis import Filter, Token

#: Han ideographs, kana (including half-width katakana) and Hangul syllables
CJK = (
    "\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
    "\uff66-\uff9f\U00020000-\U0002fa1f"
)
_RUNS = re.compile(f"([{CJK}]+)")
_HAS_CJK = re.compile(f"[{CJK}]")


def has_cjk(text: str) -> bool:
    """Whether ``text`` holds any Chinese, Japanese or Korean character."""
    return _HAS_CJK.search(text) is not None


def possibly_cjk(text: str) -> bool:
    """``has_cjk``, answered for ASCII text (nearly every token) without a regex."""
    return not text.isascii() and _HAS_CJK.search(text) is not None


def pieces(word: str) -> Iterator[tuple[int, str]]:
    """(offset, text) of the parts of one token: other scripts whole, CJK runs as bigrams
    (a lone CJK character stays a unigram)."""
    offset = 0
    for part in _RUNS.split(word):
        if not part:
            continue
        if _HAS_CJK.match(part):
            if len(part) == 1:
                yield offset, part
            for index in range(len(part) - 1):
                yield offset + index, part[index : index + 2]
        else:
            yield offset, part
        offset += len(part)


class CJKBigramFilter(Filter):
    """Splits tokens holding CJK characters into bigrams; other tokens pass unchanged.

    Positions are renumbered so the bigrams of a run follow one another (a longer word
    is then a phrase of its bigrams) and character offsets point at each bigram.
    """

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CJKBigramFilter)

    def __hash__(self) -> int:
        return hash(CJKBigramFilter)

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        shift = 0
        for token in tokens:
            if token.positions:
                token.pos += shift
            if not possibly_cjk(token.text):
                yield token
                continue
            text = token.text
            start = token.startchar if token.chars else 0
            base = token.pos if token.positions else 0
            for count, (offset, part) in enumerate(pieces(text)):
                token.text = part
                if token.positions:
                    token.pos = base + count
                if token.chars:
                    token.startchar = start + offset
                    token.endchar = start + offset + len(part)
                yield token
                if token.positions and count:
                    shift += 1
