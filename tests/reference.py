"""A reference evaluator of the query tree: what a query means, in plain Python.

It knows nothing of either engine's compiler or evaluator: it turns each article into
words and positions with the project's analysers and then applies the README's rules
directly, article by article:

* a word matches its stem in the headline or the text (or in the field named); a word
  that analyses to nothing (a stop word) drops out of AND and OR, and so does a NOT of it;
* a phrase's words follow each other, with at most ``slop`` other words between the first
  and the last (stop words leave no gap);
* a prefix matches the words as written (lower case, accents folded) starting with it;
* a fuzzy word matches what the word matches, and every word as written within its
  distance (insertions, deletions, substitutions, swaps of neighbours);
* an exact value, a date range (publication days in UTC; undated articles never match),
  AND, OR and NOT (everything but) as in set algebra.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC
from typing import Any

from archive.engines.whoosh.schema import (
    name_analyzer,
    spelling_analyzer,
    tags_analyzer,
    text_analyzer,
)
from archive.models import Article
from archive.querytree import (
    DEFAULT_FIELDS,
    FUZZY_PREFIX,
    And,
    DateRange,
    Exact,
    Fuzzy,
    MatchAll,
    Node,
    Not,
    Or,
    Phrase,
    Prefix,
    Term,
)

STEMMED = ("title", "body")
NAMES = ("byline", "source", "tags")


@dataclass
class _Doc:
    article: Article
    #: field -> the runs of words, each a list of words by position (tags: one run a tag)
    runs: dict[str, list[list[str]]] = field(default_factory=dict)
    #: field -> the words as written (surface forms)
    surface: dict[str, set[str]] = field(default_factory=dict)


class Reference:
    """Answers query trees over ``articles`` by brute force."""

    def __init__(self, articles: list[Article]) -> None:
        self.text = text_analyzer()
        self.names = name_analyzer()
        self.tags = tags_analyzer()
        self.plain = spelling_analyzer()
        self.docs = [self._doc(article) for article in articles]
        self.ids = {doc.article.id for doc in self.docs}

    def matches(self, tree: Node) -> set[str]:
        """Ids of the articles ``tree`` matches."""
        found = self._eval(tree)
        return set() if found is None else found

    # analysis ---------------------------------------------------------------------------

    def _doc(self, article: Article) -> _Doc:
        doc = _Doc(article)
        for name, value in (("title", article.title), ("body", article.body)):
            doc.runs[name] = [_by_position(self.text(value, positions=True))]
            doc.surface[name] = {token.text for token in self.plain(value)}
        for name, value in (("byline", article.byline), ("source", article.source)):
            doc.runs[name] = [_by_position(self.names(value or "", positions=True))]
        doc.runs["tags"] = [[token.text for token in self.tags(tag)] for tag in article.tags]
        for name in NAMES:
            doc.surface[name] = {word for run in doc.runs[name] for word in run}
        return doc

    def _words(self, field: str, text: str) -> list[str]:
        analyzer = self.text if field in STEMMED else self.names
        return [token.text for token in analyzer(text, mode="query")]

    def _folded(self, field: str, text: str) -> str:
        analyzer = self.plain if field in STEMMED else self.names
        found = [token.text for token in analyzer(text, mode="index", removestops=False)]
        return found[0] if found else ""

    # evaluation -------------------------------------------------------------------------

    def _eval(self, node: Node) -> set[str] | None:
        if isinstance(node, MatchAll):
            return set(self.ids)
        if isinstance(node, And | Or):
            parts = [found for child in node.children if (found := self._eval(child)) is not None]
            if not parts:
                return None
            if isinstance(node, And):
                return set.intersection(*parts)
            return set.union(*parts)
        if isinstance(node, Not):
            inner = self._eval(node.child)
            return None if inner is None else self.ids - inner
        if isinstance(node, Exact):
            return {doc.article.id for doc in self.docs if _exact(doc.article, node)}
        if isinstance(node, DateRange):
            return {doc.article.id for doc in self.docs if _dated(doc.article, node)}
        fields = DEFAULT_FIELDS if node.field is None else (node.field,)
        results = [self._leaf(node, name) for name in fields]
        found = [result for result in results if result is not None]
        if isinstance(node, Fuzzy) and any(name in STEMMED for name in fields):
            itself = self._eval(Term(node.text, node.field))
            if itself is not None:
                found.append(itself)
        return set.union(*found) if found else None

    def _leaf(self, node: Term | Phrase | Prefix | Fuzzy, name: str) -> set[str] | None:
        if isinstance(node, Term | Phrase):
            texts = (node.text,) if isinstance(node, Term) else node.words
            words = [word for text in texts for word in self._words(name, text)]
            if not words:
                return None
            slop = node.slop if isinstance(node, Phrase) else 0
            return {
                doc.article.id
                for doc in self.docs
                if any(_in_order(run, words, slop) for run in doc.runs[name])
            }
        text = self._folded(name, node.text)
        if not text:
            return None
        if isinstance(node, Prefix):
            return {
                doc.article.id
                for doc in self.docs
                if any(word.startswith(text) for word in doc.surface[name])
            }
        return {
            doc.article.id
            for doc in self.docs
            if any(_near(word, text, node.distance) for word in doc.surface[name])
        }


def _by_position(tokens: Any) -> list[str]:
    """Words placed at their positions (a gap left by the analyser stays a gap)."""
    placed: dict[int, str] = {token.pos: token.text for token in tokens}
    if not placed:
        return []
    return [placed.get(position, "") for position in range(max(placed) + 1)]


def _in_order(run: list[str], words: list[str], slop: int) -> bool:
    """Whether ``words`` occur in ``run`` in order, with at most ``slop`` other positions
    between the first and the last."""
    for start, word in enumerate(run):
        if word != words[0]:
            continue
        at, ok = start, True
        for following in words[1:]:
            try:
                at = run.index(following, at + 1)
            except ValueError:
                ok = False
                break
        if ok and at - start - (len(words) - 1) <= slop:
            return True
    return False


def _near(word: str, text: str, distance: int) -> bool:
    """Restricted Damerau-Levenshtein distance at most ``distance``, the first
    ``FUZZY_PREFIX`` characters equal."""
    if word[:FUZZY_PREFIX] != text[:FUZZY_PREFIX] or abs(len(word) - len(text)) > distance:
        return False
    rows = [list(range(len(text) + 1))]
    for i, a in enumerate(word, start=1):
        row = [i]
        for j, b in enumerate(text, start=1):
            cost = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + (a != b))
            if i > 1 and j > 1 and a == text[j - 2] and word[i - 2] == b:
                cost = min(cost, rows[-2][j - 2] + 1)
            row.append(cost)
        rows.append(row)
    return rows[-1][-1] <= distance


def _exact(article: Article, node: Exact) -> bool:
    if node.field == "tags":
        return node.value in article.tags
    if node.field == "year":
        published = article.published
        return published is not None and f"{published.value.astimezone(UTC):%Y}" == node.value
    return getattr(article, node.field) == node.value


def _dated(article: Article, node: DateRange) -> bool:
    if article.published is None:
        return False
    day = article.published.value.astimezone(UTC).date()
    return (node.start is None or node.start <= day) and (node.end is None or day <= node.end)
