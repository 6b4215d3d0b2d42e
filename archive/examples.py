"""Example searches drawn from what an archive holds, each one known to find something.

The front page and the search tips show one example of each kind of query (two words, a
phrase, ``OR``, a left-out word, a field, a prefix, a misspelling, a month, a source, a
tag). They are built from what one search of every article already computes, on any
engine: its facets (the most frequent sources and tags), its timeline (the month with most
articles) and a sample of headlines from the newest, the middle and the oldest articles
(their most frequent words). Each
candidate is then run once, and only the ones that find something are kept. ``Examples``
keeps them until the index changes, so a page view costs nothing once they are built.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass
from itertools import pairwise

from archive.errors import ArchiveError
from archive.models import Hit, SearchPage, SearchRequest
from archive.stopwords import ENGLISH

log = logging.getLogger(__name__)

#: example words are drawn from this many headlines at each end and in the middle
SAMPLE = 30
#: the deepest result the archive serves (``Archive.validate``)
MAX_OFFSET = 100_000
#: a word worth showing: letters only, at least this long
MIN_WORD = 4
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")

Search = Callable[[SearchRequest], SearchPage]


@dataclass(frozen=True)
class Example:
    """A query and what it shows, in words."""

    query: str
    meaning: str


def examples(search: Search) -> tuple[Example, ...]:
    """Examples of each kind of query that find something in the archive ``search`` reads;
    none when it is empty."""
    overview = search(SearchRequest(per_page=SAMPLE, sort="newest", snippets=False))
    if not overview.total:
        return ()
    found = []
    for choices in _candidates(overview, _sample(search, overview)):
        chosen = next((example for example in choices if _finds(search, example)), None)
        if chosen is not None:
            found.append(chosen)
    return tuple(found)


def _sample(search: Search, overview: SearchPage) -> list[Hit]:
    """Headlines from the newest, the middle and the oldest articles."""
    hits = list(overview.hits)
    pages = -(-overview.total // SAMPLE)
    for page in sorted({(pages + 1) // 2, pages} - {1}):
        page = min(page, MAX_OFFSET // SAMPLE)
        request = SearchRequest(
            page=page, per_page=SAMPLE, sort="newest", snippets=False, facets=False, timeline=False
        )
        hits.extend(search(request).hits)
    return hits


def _finds(search: Search, example: Example) -> bool:
    probe = SearchRequest(q=example.query, snippets=False, facets=False, timeline=False)
    try:
        return search(probe).total > 0
    except ArchiveError as exc:  # a candidate the query language refuses is left out
        log.debug("example %r left out: %s", example.query, exc)
        return False


def _candidates(overview: SearchPage, sample: list[Hit]) -> Iterator[list[Example]]:
    """For each kind of query, the examples to try in turn (the first that finds is kept)."""
    titles = [_words(hit.title) for hit in sample]
    ranked = _ranked(sample)
    yield from _word_examples(titles, ranked)
    yield list(_date_example(overview))
    for facet, field, noun in (("source", "source", "from"), ("tags", "tags", "tagged")):
        values = next((f.values for f in overview.facets if f.name == facet), ())
        if values:
            value = values[0].value
            quoted = f'"{value}"' if re.search(r"\W", value) else value
            yield [Example(f"{field}:{quoted}", f"{noun} {value}")]


def _word_examples(titles: list[list[str]], ranked: list[str]) -> Iterator[list[Example]]:
    """Two words, a phrase, OR, NOT, a field, a prefix and a misspelling from headlines."""
    pair = _pair(titles, ranked)
    if pair:
        yield [Example(f"{pair[0]} {pair[1]}", "articles with both words")]
    phrase = _phrase(titles, ranked, avoid=pair)
    if phrase:
        yield [Example(f'"{phrase}"', "the exact phrase")]
    if len(ranked) >= 2:
        yield [Example(f"{ranked[0]} OR {ranked[1]}", "either word")]
        first = ranked[0]
        yield [Example(f"{first} -{other}", f"{first}, but not {other}") for other in ranked[1:6]]
    if ranked:
        yield [Example(f"title:{ranked[0]}", f"{ranked[0]} in the headline")]
    long = [word for word in ranked if len(word) >= 6]
    if long:
        yield [Example(f"{long[0][:4]}*", f"words starting with {long[0][:4]}")]
        typos = [_misspelt(word) for word in [*long[1:5], long[0]]]
        yield [Example(f"{typo}~", f"words within one letter of {typo}") for typo in typos]


def _date_example(overview: SearchPage) -> Iterator[Example]:
    """The month (or year) with most articles."""
    if not overview.timeline:
        return
    busiest = max(overview.timeline, key=lambda bucket: bucket.count)
    if not busiest.count:
        return
    if overview.timeline_unit == "year":
        yield Example(f"date:{busiest.start.year}", f"published in {busiest.start.year}")
    else:
        when = busiest.start
        yield Example(f"date:{when:%Y-%m}", f"published in {when:%B %Y}")


def _words(title: str) -> list[str]:
    """A headline's words, lower-cased, in order."""
    return [word.lower() for word in _WORD.findall(title)]


def _useful(word: str) -> bool:
    return len(word) >= MIN_WORD and word not in ENGLISH and word.isalpha()


def _ranked(hits: Iterable[Hit]) -> list[str]:
    """Headline words worth showing: those in most headlines first, then names (written
    with a capital inside a headline that is not all capitals), then longer words."""
    counts: Counter[str] = Counter()
    names: Counter[str] = Counter()
    for hit in hits:
        found = _WORD.findall(hit.title)
        counts.update({word.lower() for word in found if _useful(word.lower())})
        if not hit.title.isupper():
            names.update({word.lower() for word in found[1:] if word[0].isupper()})
    return sorted(counts, key=lambda word: (-counts[word], -names[word], -len(word), word))


def _pair(titles: list[list[str]], ranked: list[str]) -> tuple[str, str] | None:
    """The two most frequent words that share a headline."""
    rank = {word: n for n, word in enumerate(ranked)}
    best: tuple[int, str, str] | None = None
    for words in titles:
        useful = sorted({word for word in words if word in rank}, key=rank.__getitem__)
        if len(useful) >= 2:
            score = rank[useful[0]] + rank[useful[1]]
            if best is None or score < best[0]:
                best = (score, useful[0], useful[1])
    return (best[1], best[2]) if best else None


def _phrase(
    titles: list[list[str]], ranked: list[str], avoid: tuple[str, str] | None = None
) -> str | None:
    """Two words that follow each other in a headline, the most frequent pair first (and
    not ``avoid`` while there is another)."""
    rank = {word: n for n, word in enumerate(ranked)}
    pairs = Counter(
        (left, right)
        for words in titles
        for left, right in pairwise(words)
        if left in rank and right in rank
    )
    if len(pairs) > 1 and avoid in pairs:
        del pairs[avoid]
    if not pairs:
        return None
    (left, right), _ = min(pairs.items(), key=lambda item: (-item[1], rank[item[0][0]]))
    return f"{left} {right}"


def _misspelt(word: str) -> str:
    """``word`` with its middle letter dropped (``recession`` -> ``recesion``)."""
    middle = len(word) // 2
    return word[:middle] + word[middle + 1 :]


class Examples:
    """The examples of one archive, built again only when its index has changed."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: Hashable = None
        self._examples: tuple[Example, ...] = ()

    def get(self, key: Hashable, search: Search) -> tuple[Example, ...]:
        """The examples for the index state ``key`` (e.g. generation, count, last indexed)."""
        with self._lock:
            if key != self._key:
                self._examples = examples(search)
                self._key = key
            return self._examples
