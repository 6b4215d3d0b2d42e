"""The engine protocol: what the archive needs from a full-text engine.

An engine stores articles by id, answers a query tree with a ``SearchPage`` and keeps
*generations*: ``rebuild`` fills a fresh generation beside the live one and swaps it in
atomically when the build succeeds, so searches never see a half-built index. Every
capability the archive offers is here, and every engine has all of them: explanations and
feedback (through the request), the words a search matches in an article, related
articles, spelling suggestions and completions; example searches are drawn from searches
alone (``archive.examples``). The contract tests in ``tests/test_engine_contract.py`` hold
every engine to this.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import date
from typing import Any, Protocol

from archive.models import Article, Completion, Hit, SearchPage, SearchRequest
from archive.models.research import MarkedText, TermCounts
from archive.querytree import Node
from archive.search.highlight import Token


class EngineWriter(Protocol):
    """Buffered changes to one generation; nothing is visible to searches before ``commit``."""

    def add(self, articles: Iterable[Article], prepared: Any = None) -> None:
        """Add or replace articles (an article replaces any with the same id);
        ``prepared`` is what ``prepare`` made of them in a parsing process, if anything."""

    def delete(self, ids: Iterable[str]) -> None:
        """Remove the articles with these ids, if present."""

    def commit(self) -> None:
        """Make every change so far visible and durable, atomically."""

    #: for a rebuild: whether it continues one that was interrupted (what it committed stays)
    resumed: bool

    @property
    def prepare(self) -> Callable[[list[Article]], Any] | None:
        """The work on a source's articles that the writer wants done beside the parse,
        in the parsing processes (picklable; its result is passed to ``add``), or None."""


class Engine(Protocol):
    """A full-text engine holding the archive's articles."""

    name: str

    def writer(self, timeout: float, bulk: bool = False) -> AbstractContextManager[EngineWriter]:
        """A writer on the live generation; changes are committed when the block ends
        without an error and discarded otherwise. Raises ``IndexBusy`` after ``timeout``
        seconds if another writer holds the index. ``bulk`` hints that many articles follow,
        so the engine may spend more processes and memory on them."""

    def rebuild(self, timeout: float) -> AbstractContextManager[EngineWriter]:
        """A writer on a new generation that replaces the live one atomically when the block
        ends without an error; on an error the live generation is untouched and the next
        rebuild continues this one (``writer.resumed``)."""

    def search(self, tree: Node, request: SearchRequest) -> SearchPage:
        """One page of answers to ``tree``, with facets and timeline as ``request`` asks.

        With ``request.explain`` each hit says why it matched (``Hit.explain``: the words
        found in each field, or what else it matched by, and what each added; they add up
        to its score). With ``request.expand`` the answers are reranked by pseudo-relevance
        feedback when the ``feedback`` setting is "always" (RM3, ``archive.search.expansion``:
        the order changes, the matches never do)."""

    def scan(self, tree: Node, request: SearchRequest) -> Iterator[Hit]:
        """Every hit of ``tree`` in the request's sort order, without snippets or a cap
        (for exports); reads lazily, so memory stays flat however many match."""

    def words(self, tree: Node, article: Article) -> tuple[list[Token], list[Token]]:
        """The words of ``article``'s headline and of its body, each matched where ``tree``
        finds it (as snippets mark them), for showing the article with them marked."""

    def similar(self, article_id: str, limit: int) -> tuple[Hit, ...]:
        """Up to ``limit`` articles about what ``article_id`` is about, best first, without
        the article and its own copies; raises ``ArticleNotFound``."""

    def suggest(self, words: Sequence[str]) -> dict[str, str]:
        """For each of ``words`` the archive does not hold, the nearest word it does
        (``archive.search.spelling.closest``; first among the headlines' words as written,
        then the text's): word -> suggested word."""

    def complete(self, prefix: str, limit: int) -> Completion:
        """What the search box offers for ``prefix``: up to ``limit`` queries ending in a
        headline word starting with the last word typed (the most frequent first), and
        up to ``limit`` headlines matching all of it."""

    # research: attention over time, characteristic terms, keywords in context, citations;
    # matches are counted one per story unless ``request.copies``, as ``search`` counts them

    def histogram(self, tree: Node, request: SearchRequest, unit: str) -> dict[date, int]:
        """Dated matches per period (UTC day, week from Monday, month or year), keyed by
        the period's first day; periods without matches are left out."""

    def match_ids(self, tree: Node, request: SearchRequest) -> list[str]:
        """The id of every match, in no particular order (for citation fingerprints)."""

    def term_counts(
        self, tree: Node, request: SearchRequest, kind: str, size: int, score: str
    ) -> TermCounts:
        """The ``size`` terms of ``kind`` ("word": index words of the text, "source",
        "byline") that best characterise the matches against the whole archive by
        ``score`` (``archive.research.significance``), with their counts in both. Word
        counts may come from the text of the best-ranked matches only (``sample``)."""

    def word_keys(self, words: Sequence[str]) -> dict[str, str]:
        """The index word each written word is searched as (its stem), leaving out words
        that are not indexed; so index words can be shown as people write them."""

    def marked_texts(
        self, tree: Node, request: SearchRequest, marks: bool = True
    ) -> Iterator[MarkedText]:
        """Every match's stored headline and text in the request's order, with the
        query's words marked (unless ``marks`` is false); reads lazily, so memory stays
        flat however many match."""

    def sample_texts(self, size: int) -> Iterator[MarkedText]:
        """A fixed pseudo-random sample of ``size`` articles of the archive (the same one
        while the archive is unchanged), unmarked: the background of estimates."""

    def get(self, article_id: str) -> Article:
        """The stored article; raises ``ArticleNotFound``."""

    def count(self) -> int:
        """How many articles the live generation holds."""

    def ids(self) -> Iterator[str]:
        """Every article id in the live generation."""

    def generation(self) -> str:
        """The name of the live generation."""

    def health(self) -> str:
        """ "ok", or in words what is wrong with an engine that still answers (a cluster
        that lost a node); raises ``EngineUnavailable`` when it does not answer and
        ``IndexMissing`` when it has no live generation to answer from (nothing indexed
        yet, or the index is gone or unreadable)."""

    def close(self) -> None:
        """Release searchers and files."""
