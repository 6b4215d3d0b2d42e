"""A field's analyser applied to many documents at once, each distinct word analysed once.

Whoosh analyses text one token at a time through a chain of generators: a few microseconds
per word, the largest cost of indexing. Most analysers are *token-local*: a tokenizer
(a regular expression, or the whole value as one token) followed by filters that turn each
token into zero or more terms without looking at its neighbours (lower case, accent
folding, stemming, stop words, CJK bigrams). For those, what a word becomes depends only on
the word, so ``Chain`` runs the analyser's own filters on each distinct word once and
remembers the answer; a document is then its list of words looked up in a dict.

Positions follow Whoosh's rules, derived from the same filters: a token split into parts
(CJK bigrams) takes as many positions as parts, and a chain that removes stop words and
renumbers gives the first kept term its original position and each later one the next
(``StopFilter(renumber=True)``, ``EnglishFilter``). Chains of other filters are not
token-local, or not known to be, and are analysed by Whoosh itself (``Chain.of`` gives None).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
from whoosh import analysis

from archive.engines.whoosh.analysis import EnglishFilter, TextFilter, WordTokenizer
from archive.engines.whoosh.cjk import CJKBigramFilter

#: tokenizers whose tokens are the expression's matches, each made a token by the
#: class's ``shape`` (if any) from its text alone
TOKENIZERS = (analysis.RegexTokenizer, WordTokenizer)
#: filters that map each token to one token (never dropped, positions kept)
MAPPING = (analysis.LowercaseFilter, analysis.CharsetFilter, analysis.StripFilter)
#: filters that may split a token into parts (each part a position)
SPLITTING = (CJKBigramFilter,)
#: distinct words remembered per chain before the memo starts over
MEMO_WORDS = 1_000_000
#: the code of a word that yields no term (a stop word)
STOPPED = -1
#: the code of a word not looked at yet
UNSEEN = -(2**62)


@dataclass
class Outputs:
    """The terms of a list of values: for each term occurrence, its value's index, its term
    number (``Memo.texts``) and its position; and the number of terms of each value."""

    doc: np.ndarray
    term: np.ndarray
    pos: np.ndarray | None
    counts: np.ndarray


class Chain:
    """A token-local analyser taken apart: its tokenizer and its filters."""

    def __init__(
        self,
        analyzer: Any,
        pattern: Words | None,
        filters: list[Any],
        renumber: bool,
        shape: Any = None,
    ) -> None:
        self.analyzer = analyzer
        #: the tokenizer's expression, or None for the whole value as one token
        self.pattern = pattern
        #: what the tokenizer does to each match before the filters (or None)
        self.shape = shape
        self.filters = filters
        #: whether a stop filter renumbers the positions of the terms it keeps
        self.renumber = renumber

    @classmethod
    def of(cls, analyzer: Any) -> Chain | None:
        """The chain of ``analyzer``, or None when it is not (known to be) token-local."""
        items = list(analyzer.items) if isinstance(analyzer, analysis.CompositeAnalyzer) else []
        tokenizer = items.pop(0) if items else analyzer
        if type(tokenizer) is analysis.IDTokenizer:
            pattern = None
        elif type(tokenizer) in TOKENIZERS and not tokenizer.gaps:
            pattern = Words(tokenizer.expression)
        else:
            return None
        stops = 0
        for item in items:
            if isinstance(item, TextFilter):  # splits CJK runs, then stops
                if stops:
                    return None
                stops += 1
            elif isinstance(item, SPLITTING):
                if stops:  # a split after a stop filter would renumber differently
                    return None
            elif isinstance(item, analysis.StemFilter) or type(item) in MAPPING:
                continue
            elif isinstance(item, (analysis.StopFilter, EnglishFilter)):
                stops += 1
            else:
                return None
        if stops > 1:
            return None
        renumber = any(
            (isinstance(item, EnglishFilter) and item.renumbers)
            or (isinstance(item, analysis.StopFilter) and item.renumber)
            for item in items
        )
        return cls(analyzer, pattern, items, renumber, getattr(tokenizer, "shape", None))

    def words(self, value: str) -> list[str]:
        """The tokenizer's tokens of ``value``."""
        if self.pattern is None:
            return [value]
        return self.pattern(value)

    def parts(self, word: str) -> list[tuple[str, bool]]:
        """What the filters make of one token: each part's text and whether it is kept."""
        token = analysis.Token(positions=True, chars=False, removestops=False, mode="index")
        token.text, token.pos, token.boost, token.stopped = word, 0, 1.0, False
        if self.shape is not None:
            token = self.shape(token)
        stream: Any = iter((token,))
        for item in self.filters:
            stream = item(stream)
        return [(part.text, not part.stopped) for part in stream]


class Words:
    """A tokenizer's expression made quicker to apply: ``findall`` with its groups made
    non-capturing (a match's text, not its groups), and for ASCII text the expression
    with ASCII classes (which mean the same on ASCII text and are checked faster)."""

    def __init__(self, expression: re.Pattern[str]) -> None:
        self.expression = expression
        self.plain = _without_groups(expression)
        self.ascii = None
        plain_ascii = expression.pattern.isascii() and not expression.flags & re.IGNORECASE
        if self.plain is not None and plain_ascii:
            flags = (expression.flags & ~re.UNICODE) | re.ASCII
            self.ascii = re.compile(self.plain.pattern, flags)

    def __call__(self, value: str) -> list[str]:
        if self.plain is None:
            return [match.group(0) for match in self.expression.finditer(value)]
        if self.ascii is not None and value.isascii():
            return self.ascii.findall(value)
        return self.plain.findall(value)


def _without_groups(expression: re.Pattern[str]) -> re.Pattern[str] | None:
    """``expression`` with its groups made non-capturing, or None when it cannot be
    (references to groups)."""
    source = expression.pattern
    if not isinstance(source, str) or expression.groupindex or "(?(" in source:
        return None
    out, at, klass = [], 0, -1  # klass: where a character class's first member is
    while at < len(source):
        char = source[at]
        if char == "\\":
            if klass < 0 and source[at + 1 : at + 2].isdigit():
                return None  # a reference to a group
            out.append(source[at : at + 2])
            at += 2
            continue
        if klass >= 0:
            if char == "]" and at > klass:
                klass = -1
        elif char == "[":
            klass = at + 2 if source[at + 1 : at + 2] == "^" else at + 1
            out.append(source[at:klass])
            at = klass
            continue
        elif char == "(" and source[at + 1 : at + 2] != "?":
            char = "(?:"
        out.append(char)
        at += 1
    compiled = re.compile("".join(out), expression.flags)
    return compiled if compiled.groups == 0 else None


class Memo:
    """A chain with what it made of every word seen so far; term numbers are the memo's own.

    A word's code is its term number when it is one kept part, ``STOPPED`` when it is one
    part dropped, and ``-2 - k`` for entry ``k`` of ``special`` (several parts).
    """

    def __init__(self, chain: Chain) -> None:
        self.chain = chain
        self.reset()

    def reset(self) -> None:
        self.codes: dict[str, int] = {}
        self.texts: list[bytes] = []
        self._numbers: dict[str, int] = {}
        #: (parts, offsets of the kept parts, their term numbers) of words of several parts
        self.special: list[tuple[int, np.ndarray, np.ndarray]] = []

    def _term(self, text: str) -> int:
        number = self._numbers.get(text)
        if number is None:
            number = self._numbers[text] = len(self.texts)
            self.texts.append(text.encode("utf-8"))
        return number

    def code(self, word: str) -> int:
        code = self.codes.get(word)
        if code is None:
            parts = self.chain.parts(word)
            kept = [(offset, self._term(text)) for offset, (text, keep) in enumerate(parts) if keep]
            if len(parts) == 1:
                code = kept[0][1] if kept else STOPPED
            else:
                code = -2 - len(self.special)
                offsets = np.array([offset for offset, _ in kept], dtype=np.int64)
                numbers = np.array([number for _, number in kept], dtype=np.int64)
                self.special.append((len(parts), offsets, numbers))
            self.codes[word] = code
        return code

    def outputs(self, values: list[str], positions: bool) -> Outputs:
        """The terms of ``values`` (one list of words looked up per value)."""
        if len(self.codes) + len(self.texts) > MEMO_WORDS:
            self.reset()
        if self.chain.pattern is None and not self.chain.filters:  # the value is the term
            codes = np.array([self._term(value) for value in values], dtype=np.int64)
            return self._expand(codes, np.ones(len(values), dtype=np.int64), positions)
        lists = [self.chain.words(value) for value in values]
        counts = np.fromiter(map(len, lists), np.int64, len(lists))
        words = list(itertools.chain.from_iterable(lists))
        codes = np.fromiter(
            map(self.codes.get, words, itertools.repeat(UNSEEN, len(words))), np.int64, len(words)
        )
        for index in np.flatnonzero(codes == UNSEEN):
            codes[index] = self.code(words[index])
        return self._expand(codes, counts, positions)

    def _expand(self, codes: np.ndarray, counts: np.ndarray, positions: bool) -> Outputs:
        starts = np.cumsum(counts) - counts
        value_of = np.repeat(np.arange(len(counts)), counts)
        special = np.flatnonzero(codes <= -2)
        if not len(special):
            token = np.flatnonzero(codes >= 0)
            term = codes[token]
            slot = token - starts[value_of[token]]
        else:
            token, term, slot = self._expand_special(codes, special, starts, value_of)
        doc = value_of[token]
        kept = np.bincount(doc, minlength=len(counts))
        pos = None
        if positions:
            pos = slot
            if self.chain.renumber and len(doc):
                # the first kept term of a value keeps its slot, each later one the next
                first = np.cumsum(kept) - kept
                rank = np.arange(len(doc)) - first[doc]
                pos = slot[first[doc]] + rank
        return Outputs(doc, term, pos, kept)

    def _expand_special(
        self, codes: np.ndarray, special: np.ndarray, starts: np.ndarray, value_of: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Token, term and slot of each kept part when some words have several parts."""
        parts = np.ones(len(codes), dtype=np.int64)
        kept = (codes >= 0).astype(np.int64)
        entries = [self.special[-2 - code] for code in codes[special]]
        parts[special] = [entry[0] for entry in entries]
        kept[special] = [len(entry[2]) for entry in entries]
        token = np.repeat(np.arange(len(codes)), kept)
        first = np.cumsum(kept) - kept
        term = codes[token]
        offset = np.zeros(len(token), dtype=np.int64)
        for index, (_, offsets, numbers) in zip(special, entries, strict=True):
            at = first[index]
            term[at : at + len(numbers)] = numbers
            offset[at : at + len(numbers)] = offsets
        # a token's first slot: the parts of the tokens before it in its value
        before = np.cumsum(parts) - parts
        slot = before[token] - before[starts[value_of[token]]] + offset
        return token, term, slot
