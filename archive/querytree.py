"""The engine-neutral query tree: what a query means, whatever engine answers it.

``archive.query`` builds these nodes from user text and filters; each engine compiles them
into its own query objects. ``describe`` renders a tree for people ("how the query was
understood").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

#: fields the query language knows; ``None`` in a node means the default text fields
TEXT_FIELDS = ("title", "body", "byline", "source", "tags")
DEFAULT_FIELDS = ("title", "body")
#: fields that hold exact values, used by filters and facets
EXACT_FIELDS = ("source", "byline", "tags", "language", "year", "format")
#: most index terms one prefix or fuzzy word may expand to, on every engine
MAX_EXPANSION = 512
#: leading characters a fuzzy word's matches must share with it: the first letter is taken as
#: typed (with 0 a fuzzy word took ten times as long on the embedded engine)
FUZZY_PREFIX = 1


@dataclass(frozen=True)
class Term:
    """A word, analysed like the field's text (stemmed, lower-cased)."""

    text: str
    field: str | None = None


@dataclass(frozen=True)
class Phrase:
    """Words in this order, with at most ``slop`` other words between them."""

    words: tuple[str, ...]
    field: str | None = None
    slop: int = 0


@dataclass(frozen=True)
class Prefix:
    """Words starting with ``text`` (``word*``)."""

    text: str
    field: str | None = None


@dataclass(frozen=True)
class Fuzzy:
    """Words within ``distance`` edits of ``text`` (``word~``)."""

    text: str
    distance: int = 1
    field: str | None = None


@dataclass(frozen=True)
class Exact:
    """An exact value of a keyword field (a facet filter, ``language:en``)."""

    field: str
    value: str


@dataclass(frozen=True)
class DateRange:
    """Articles published in [start, end], both inclusive days; ``None`` is open.

    Undated articles never match a date range.
    """

    start: date | None = None
    end: date | None = None


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    child: Node


@dataclass(frozen=True)
class MatchAll:
    """Every article (an empty query)."""


Node = Term | Phrase | Prefix | Fuzzy | Exact | DateRange | And | Or | Not | MatchAll


def terms(node: Node) -> list[str]:
    """The words and phrases of the positive part of the query, for highlighting."""
    if isinstance(node, Term | Prefix | Fuzzy):
        return [node.text]
    if isinstance(node, Phrase):
        return list(node.words)
    if isinstance(node, And | Or):
        return [word for child in node.children for word in terms(child)]
    return []


def describe(node: Node) -> str:
    """How the query was understood, in words a person can check."""
    if isinstance(node, MatchAll):
        return "every article"
    if isinstance(node, Term):
        return f"the word “{node.text}”{_where(node.field)}"
    if isinstance(node, Phrase):
        slop = f" (up to {node.slop} words apart)" if node.slop else ""
        return f"the phrase “{' '.join(node.words)}”{slop}{_where(node.field)}"
    if isinstance(node, Prefix):
        return f"words starting with “{node.text}”{_where(node.field)}"
    if isinstance(node, Fuzzy):
        edits = "edit" if node.distance == 1 else "edits"
        return f"words within {node.distance} {edits} of “{node.text}”{_where(node.field)}"
    if isinstance(node, Exact):
        return f"{node.field} is “{node.value}”"
    if isinstance(node, DateRange):
        return _describe_dates(node)
    if isinstance(node, Not):
        return f"NOT {describe(node.child)}"
    joiner = " AND " if isinstance(node, And) else " OR "
    parts = [
        f"({describe(child)})" if isinstance(child, And | Or) else describe(child)
        for child in node.children
    ]
    return joiner.join(parts)


def _where(field: str | None) -> str:
    if field is None:
        return " in title or text"
    return f" in {field}"


def _describe_dates(node: DateRange) -> str:
    if node.start and node.end:
        return f"published {node.start.isoformat()} to {node.end.isoformat()}"
    if node.start:
        return f"published on or after {node.start.isoformat()}"
    if node.end:
        return f"published on or before {node.end.isoformat()}"
    return "published at any date"
