"""Keyword in context: every occurrence of a search's words, with the text either side.

Engines mark where the query's words occur in each match (``MarkedText``); this module
turns the marks into lines and orders them. Lines stream: in the search's own order they
are made as the articles are read, so the first page needs only the first articles. Sorted
by the word before or after, every line must be seen first; they are sorted in runs of
``RUN_LINES`` spilled to temporary files and merged, so memory stays flat however many
articles match.
"""

from __future__ import annotations

import heapq
import pickle
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import IO, Any

from archive.errors import QueryError
from archive.models.research import KWIC_MAX_WIDTH, KWIC_SORTS, KWIC_WIDTH, KwicLine, MarkedText
from archive.querytree import And, Fuzzy, Node, Or, Phrase, Prefix, Term
from archive.stopwords import ENGLISH

Keys = Callable[[list[str]], dict[str, str]]

SORTS = KWIC_SORTS
WIDTH = KWIC_WIDTH
MAX_WIDTH = KWIC_MAX_WIDTH
#: lines sorted in memory at once before a run is spilled to disk
RUN_LINES = 10_000
#: words of context that make up a sort key
KEY_WORDS = 3
_WORD = re.compile(r"\w+(?:['’]\w+)*")
#: what may stand between two marked words for them to be one keyword ("peace treaty")
_BETWEEN = re.compile(r"[\s\-–—'’\"“”]*")


def check_sort(name: str) -> str:
    if name not in SORTS:
        raise QueryError(f"sort must be one of: {', '.join(SORTS)} (not {name[:20]!r})")
    return name


def check_width(width: int) -> int:
    if not 10 <= width <= MAX_WIDTH:
        raise QueryError(f"the context width must be between 10 and {MAX_WIDTH} characters")
    return width


def lines(
    texts: Iterable[MarkedText], width: int = WIDTH, keep: Callable[[str], bool] | None = None
) -> Iterator[KwicLine]:
    """Every marked occurrence of every text, the headline's before the body's; ``keep``
    (when given) decides which keywords count (``phrase_filter``)."""
    for text in texts:
        for name, value, marks in (
            ("title", text.title, text.title_marks),
            ("body", text.body, text.body_marks),
        ):
            for start, end in _joined(value, marks, across_stops=keep is not None):
                if keep is not None and not keep(value[start:end]):
                    continue
                yield KwicLine(
                    id=text.id,
                    title=text.title,
                    published=text.published,
                    source=text.source,
                    field=name,
                    offset=start,
                    left=_left(value, start, width),
                    keyword=" ".join(value[start:end].split()),
                    right=_right(value, end, width),
                )


def ordered(found: Iterator[KwicLine], sort: str) -> Iterator[KwicLine]:
    """``found`` in the order ``sort`` names: as found, or by the words before or after
    (case-insensitive, nearest word first), ties in the order found."""
    if sort == "articles":
        return found
    key = before_key if sort == "before" else after_key
    return external_sort(found, key)


def page(found: Iterator[KwicLine], number: int, per_page: int) -> tuple[list[KwicLine], bool]:
    """Lines of page ``number`` (from 1) and whether another page follows."""
    start = (number - 1) * per_page
    chosen = list(islice(found, start, start + per_page + 1))
    return chosen[:per_page], len(chosen) > per_page


def before_key(line: KwicLine) -> tuple[str, ...]:
    """The words before the keyword, nearest first, then the keyword (no word sorts first)."""
    words = [word.casefold() for word in reversed(_WORD.findall(line.left)[-KEY_WORDS:])]
    return _padded(words, line.keyword)


def after_key(line: KwicLine) -> tuple[str, ...]:
    """The words after the keyword, nearest first, then the keyword."""
    words = [word.casefold() for word in _WORD.findall(line.right)[:KEY_WORDS]]
    return _padded(words, line.keyword)


def _padded(words: list[str], keyword: str) -> tuple[str, ...]:
    return (*words, *[""] * (KEY_WORDS - len(words)), keyword.casefold())


def external_sort(
    items: Iterator[KwicLine], key: Callable[[KwicLine], tuple[str, ...]], run: int = RUN_LINES
) -> Iterator[KwicLine]:
    """``items`` sorted by ``key`` (stable), holding at most ``run`` of them in memory."""
    files: list[IO[bytes]] = []
    try:
        sequence = 0
        while chunk := list(islice(items, run)):
            keyed = sorted(
                ((key(item), sequence + number, item) for number, item in enumerate(chunk)),
                key=lambda entry: (entry[0], entry[1]),
            )
            sequence += len(chunk)
            spill: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 (closed in finally)
            files.append(spill)
            for entry in keyed:
                pickle.dump(entry, spill, protocol=pickle.HIGHEST_PROTOCOL)
            spill.seek(0)
            del chunk, keyed
        runs = [_read_run(spill) for spill in files]
        for _, _, item in heapq.merge(*runs, key=lambda entry: (entry[0], entry[1])):
            yield item
    finally:
        for spill in files:
            spill.close()


def _read_run(spill: IO[bytes]) -> Iterator[Any]:
    while True:
        try:
            yield pickle.load(spill)
        except EOFError:
            return


def phrase_filter(tree: Node, keys: Keys) -> Callable[[str], bool] | None:
    """For a query with phrases, a test that a keyword is an occurrence of one of them or
    of one of its lone words (engines mark a phrase's words wherever they occur); None
    when every mark counts (no phrases, or prefixes and fuzzy words, whose index words
    are many)."""
    phrases: list[tuple[str, ...]] = []
    lone: list[str] = []
    if not _leaves(tree, phrases, lone) or not phrases:
        return None
    known = keys([word for phrase in phrases for word in phrase] + lone)
    wanted = [tuple(known[w] for w in phrase if w in known) for phrase in phrases]
    singles = {known[word] for word in lone if word in known}

    def keep(keyword: str) -> bool:
        words = _WORD.findall(keyword.lower())
        found = keys(words)
        sequence = tuple(found[word] for word in words if word in found)
        if any(key in singles for key in sequence):
            return True
        return any(_contains(sequence, phrase) for phrase in wanted if phrase)

    return keep


def _leaves(node: Node, phrases: list[tuple[str, ...]], lone: list[str]) -> bool:
    """Collect the positive phrases and lone words; False if a prefix or fuzzy word is met."""
    if isinstance(node, Phrase):
        phrases.append(tuple(word.lower() for word in node.words))
    elif isinstance(node, Term):
        lone.append(node.text.lower())
    elif isinstance(node, Prefix | Fuzzy):
        return False
    elif isinstance(node, And | Or):
        return all(_leaves(child, phrases, lone) for child in node.children)
    return True


def _contains(sequence: tuple[str, ...], part: tuple[str, ...]) -> bool:
    return any(sequence[at : at + len(part)] == part for at in range(len(sequence)))


def _joined(
    text: str, marks: Iterable[tuple[int, int]], across_stops: bool = False
) -> Iterator[tuple[int, int]]:
    """Marks in order, neighbours separated only by spaces or dashes joined into one; with
    ``across_stops`` (a query with phrases) also across up to three stop words, which a
    phrase keeps unmarked ("Bank of England")."""
    current: tuple[int, int] | None = None
    for start, end in sorted(marks):
        gap = text[current[1] : max(start, current[1])] if current else ""
        if current and (_BETWEEN.fullmatch(gap) or (across_stops and _stops_only(gap))):
            current = (current[0], max(end, current[1]))
            continue
        if current:
            yield current
        current = (start, end)
    if current:
        yield current


def _stops_only(gap: str) -> bool:
    """Whether a gap holds nothing but up to three stop words and spaces or dashes."""
    words = _WORD.findall(gap)
    return (
        len(words) <= 3
        and all(word.lower() in ENGLISH for word in words)
        and _BETWEEN.fullmatch(_WORD.sub("", gap)) is not None
    )


def _left(text: str, start: int, width: int) -> str:
    """Up to ``width`` characters before ``start``, starting at a word's beginning."""
    begin = max(0, start - width)
    piece = text[begin:start]
    if begin > 0 and piece and not text[begin - 1].isspace() and not piece[0].isspace():
        piece = piece.split(None, 1)[1] if len(piece.split(None, 1)) > 1 else ""
    return " ".join(piece.split()) + (" " if piece[-1:].isspace() else "")


def _right(text: str, end: int, width: int) -> str:
    """Up to ``width`` characters after ``end``, ending at a word's end."""
    finish = min(len(text), end + width)
    piece = text[end:finish]
    if finish < len(text) and piece and not text[finish].isspace() and not piece[-1].isspace():
        piece = piece.rsplit(None, 1)[0] if len(piece.rsplit(None, 1)) > 1 else ""
    return (" " if piece[:1].isspace() else "") + " ".join(piece.split())
