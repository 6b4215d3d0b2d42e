"""One highlighter for both engines and the web: passages with the query's words marked.

An engine knows which words of a text a query matches (it alone knows its analysis); it
says so as ``Token``s, one per word of the text: where the word is, its analysed form and
whether the query matches it. Everything else is here, the same for every engine:

* ``snippet``: the best passages of an article for a results page. Passages are chosen as
  Whoosh's highlighter chooses them (``ContextFragmenter`` with ``SNIPPET_CHARS`` and
  ``SURROUND``, ``BasicFragmentScorer``, the best ``PASSAGES`` in text order);
  tests/test_highlight.py holds the two equal. Without a match, the lede.
* ``mark`` and ``paragraphs``: a whole text with the matched words marked, for the
  article page (``Archive.mark``).

Output is ``SnippetPart`` runs: adapters escape the text and mark the matched runs, so
article text is never trusted as markup.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from archive.models import SnippetPart

SNIPPET_CHARS = 220
#: characters of context around the marked words
SURROUND = 70
#: passages shown per hit
PASSAGES = 2
#: longer texts are shown unmarked rather than slowly
MAX_MARKED_CHARS = 400_000

Runs = tuple[SnippetPart, ...]
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


@dataclass(frozen=True, slots=True)
class Token:
    """A word of a text: its characters ``[start, end)``, its analysed form, and whether
    the query matches it."""

    start: int
    end: int
    form: str
    matched: bool


@dataclass(frozen=True)
class Marked:
    """An article's headline and paragraphs as runs, a search's words marked."""

    title: Runs
    paragraphs: tuple[Runs, ...]


def marked(
    title: str, body: str, title_tokens: Sequence[Token], body_tokens: Sequence[Token]
) -> Marked:
    """``Marked`` from the engine's tokens of the headline and the body."""
    return Marked(mark(title, title_tokens), paragraphs(body, body_tokens))


@dataclass(frozen=True)
class _Passage:
    start: int
    end: int
    matches: tuple[Token, ...]

    @property
    def score(self) -> int:
        return len(self.matches) * (len({token.form for token in self.matches}) * 100 or 1)


def flatten(text: str) -> str:
    """The text with every run of white space one space: what snippets are cut from."""
    return " ".join(text.split())


def snippet(flat: str, tokens: Iterable[Token]) -> Runs:
    """The best passages of ``flat`` (a ``flatten``-ed text) with the matched words marked,
    an ellipsis wherever text was left out; the lede when nothing matches."""
    chosen = _best(_passages(flat, tokens))
    return _format(flat, chosen) if chosen else lede(flat)


def lede(flat: str) -> Runs:
    """The opening of ``flat``, cut at a word, as one plain run."""
    opening = flat[:SNIPPET_CHARS]
    if len(flat) > SNIPPET_CHARS:
        opening = opening.rsplit(" ", 1)[0] + " …"
    return (SnippetPart(opening),) if opening else ()


def mark(text: str, tokens: Iterable[Token]) -> Runs:
    """``text`` as runs, the matched words marked."""
    if len(text) > MAX_MARKED_CHARS:
        return (SnippetPart(text),) if text else ()
    parts: list[SnippetPart] = []
    index = 0
    for token in tokens:
        if not token.matched or token.start < index:
            continue
        parts.append(SnippetPart(text[index : token.start]))
        parts.append(SnippetPart(text[token.start : token.end], True))
        index = token.end
    parts.append(SnippetPart(text[index:]))
    return merge_runs(parts)


def paragraphs(text: str, tokens: Sequence[Token]) -> tuple[Runs, ...]:
    """The paragraphs of ``text`` (split at blank lines, trimmed), each marked as ``mark``."""
    out = []
    start = 0
    for stop, after in [(m.start(), m.end()) for m in _PARAGRAPH_BREAK.finditer(text)] + [
        (len(text), len(text))
    ]:
        raw = text[start:stop]
        inner = raw.strip()
        if inner:
            offset = start + (len(raw) - len(raw.lstrip()))
            end = offset + len(inner)
            mine = [
                Token(t.start - offset, t.end - offset, t.form, t.matched)
                for t in tokens
                if offset <= t.start and t.end <= end
            ]
            out.append(mark(inner, mine))
        start = after
    return tuple(out)


def merge_runs(parts: Iterable[SnippetPart]) -> Runs:
    """Join neighbouring runs of the same kind (marked or plain), dropping empty ones."""
    merged: list[SnippetPart] = []
    for part in parts:
        if not part.text:
            continue
        if merged and merged[-1].match == part.match:
            merged[-1] = SnippetPart(merged[-1].text + part.text, part.match)
        else:
            merged.append(part)
    return tuple(merged)


def _passages(text: str, tokens: Iterable[Token]) -> Iterable[_Passage]:
    """Windows around the matched words (Whoosh's ``ContextFragmenter``): a passage opens
    up to ``SURROUND`` characters before a match, runs ``SURROUND`` characters past the
    last match and never grows past ``SNIPPET_CHARS``."""
    first: int | None = None
    firsts: deque[int] = deque()
    countdown = -1
    found: list[Token] = []
    end = 0
    length = 0
    for token in tokens:
        start, end = token.start, token.end
        size = end - start
        if countdown < 0 and not token.matched:
            firsts.append(start)
            while firsts and end - firsts[0] > SURROUND:
                firsts.popleft()
        elif length + size > SNIPPET_CHARS:
            countdown = 0
        elif token.matched:
            countdown = SURROUND
            if first is None:
                if firsts:
                    first = firsts[0]
                else:
                    first = start
                    countdown += SURROUND
            found.append(token)
        if countdown >= 0:
            length += size
            countdown -= size
            if countdown <= 0:
                yield _Passage(first or 0, end, tuple(found))
                found, firsts, first, length = [], deque(), None, 0
    if found:
        yield _Passage(first or 0, end, tuple(found))


def _best(passages: Iterable[_Passage]) -> list[_Passage]:
    """The ``PASSAGES`` best scoring passages in text order (of equal scores, the later)."""
    ranked = sorted(passages, key=lambda p: (p.score, p.start), reverse=True)[:PASSAGES]
    return sorted((p for p in ranked if p.score >= 1), key=lambda p: p.start)


def _format(text: str, passages: list[_Passage]) -> Runs:
    parts: list[SnippetPart] = []
    end = 0
    for passage in passages:
        if passage.start > end:
            parts.append(SnippetPart(" … " if parts else "… "))
        index = passage.start
        for token in passage.matches:
            if token.start < index:
                continue
            parts.append(SnippetPart(text[index : token.start]))
            parts.append(SnippetPart(text[token.start : token.end], True))
            index = token.end
        parts.append(SnippetPart(text[index : passage.end]))
        end = passage.end
    if passages and end < len(text):
        parts.append(SnippetPart(" …"))
    return merge_runs(parts)
