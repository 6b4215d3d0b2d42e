"""The query language: user text plus filters become one engine-neutral tree.

Lucene-style syntax (the README has examples)::

    koizumi putin              all words must match (or any, in "any" mode)
    "peace treaty"             a phrase; typographic quotes count; "a b"~3 allows 3 words between
    koizumi OR putin           either; AND, OR and NOT are upper-case; && || ! work too
    hokkaido -kunashiri        NOT kunashiri (also: NOT kunashiri, !kunashiri, -"a phrase", -(a b))
    (russia OR japan) summit   parentheses group
    title:putin byline:kyodo   a field: title, body, byline, source, tags, language, date, year
    title:(putin OR koizumi)   a field for every word of a group
    koiz*                      words starting with "koiz" (at least two letters before the *)
    koizmi~  koizmi~2          words within 1 (or 2) edits
    date:[2002-01-01 TO 2002-06-30]   a date range; date:2002, date:2002-06, date:>=2002-06-01

Bad syntax raises ``QueryError`` naming the problem and its position; limits on length,
terms and nesting keep a query from turning into a hang. ``archive.querytokens`` splits the
text into tokens; this module gives them their meaning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from archive import words
from archive.errors import QueryError
from archive.models import SearchRequest
from archive.querydates import date_query
from archive.querytokens import FIELDS, Token, tokenize
from archive.querytree import (
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

__all__ = ["FIELDS", "MAX_DEPTH", "MAX_FUZZY", "Limits", "build", "is_plain", "parse"]

MAX_DEPTH = 20
MAX_FUZZY = 2
MAX_SLOP = 20
#: fields holding exact values rather than words
_EXACT_FIELDS = ("language", "year")
_FUZZY = re.compile(r"(.+?)~(.*)", re.DOTALL)


@dataclass(frozen=True)
class Limits:
    """How much a query may ask for."""

    max_length: int = 2000
    max_terms: int = 256
    min_prefix: int = 2


def parse(text: str, *, mode: str = "all", limits: Limits | None = None) -> Node:
    """Parse the user's query text into a tree; ``mode`` is "all" or "any" for bare words."""
    limits = limits or Limits()
    if len(text) > limits.max_length:
        raise QueryError(
            f"the query is {len(text):,} characters long; the limit is {limits.max_length:,}"
        )
    if "\x00" in text:
        raise QueryError("the query contains a NUL character", text.index("\x00"))
    tokens = tokenize(text)
    if not tokens:
        return MatchAll()
    parser = _Parser(tokens, len(text), mode, limits)
    tree = parser.parse()
    if parser.term_count > limits.max_terms:
        raise QueryError(
            f"the query has {parser.term_count} terms; the limit is {limits.max_terms}"
        )
    return tree


def is_plain(text: str) -> bool:
    """Whether ``text`` is only bare words: no operator, field, phrase, group, prefix or
    fuzzy word (what a person types as a sentence). Unreadable text is not plain."""
    try:
        tokens = tokenize(text)
    except QueryError:
        return False
    return bool(tokens) and all(
        token.kind == "word" and not re.search(r"[*~]", token.text) for token in tokens
    )


def build(request: SearchRequest, limits: Limits | None = None) -> Node:
    """The whole search as one tree: the query text AND the request's filters."""
    tree = parse(request.q, mode=request.mode, limits=limits)
    filters: list[Node] = []
    for field, values in (
        ("source", request.sources),
        ("byline", request.bylines),
        ("tags", request.tags),
        ("language", request.languages),
    ):
        if values:
            exact: list[Node] = [Exact(field, value) for value in values]
            filters.append(exact[0] if len(exact) == 1 else Or(tuple(exact)))
    if request.date_from or request.date_to:
        if request.date_from and request.date_to and request.date_from > request.date_to:
            raise QueryError("the start date is after the end date")
        filters.append(DateRange(request.date_from, request.date_to))
    if not filters:
        return tree
    parts = filters if isinstance(tree, MatchAll) else [tree, *filters]
    return parts[0] if len(parts) == 1 else And(tuple(parts))


class _Parser:
    """Recursive descent over the tokens.

    or := and (OR and)*;  and := unary (AND? unary)*;  unary := NOT unary | atom;
    atom := "(" or ")" | phrase | word | field atom
    """

    def __init__(self, tokens: list[Token], length: int, mode: str, limits: Limits) -> None:
        self.tokens = tokens
        self.length = length
        self.index = 0
        self.depth = 0
        self.mode = mode
        self.limits = limits
        self.term_count = 0

    def parse(self) -> Node:
        node = self._or(None)
        if self.index < len(self.tokens):
            token = self.tokens[self.index]
            raise QueryError(f"unexpected “{token.text}”", token.pos)
        return node

    def _peek(self) -> Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def _is(self, kind: str, text: str | None = None) -> bool:
        token = self._peek()
        return token is not None and token.kind == kind and text in (None, token.text)

    def _or(self, field: str | None) -> Node:
        children = [self._and(field)]
        while self._is("op", "OR"):
            token = self.tokens[self.index]
            self.index += 1
            if self._peek() is None or self._is(")") or self._is("op", "OR"):
                raise QueryError("OR needs something after it", token.pos)
            children.append(self._and(field))
        return _combine(Or, children)

    def _and(self, field: str | None) -> Node:
        """Words side by side; an explicit AND joins its neighbours whatever the mode."""
        items: list[Node] = []
        while (token := self._peek()) and token.kind != ")" and not self._is("op", "OR"):
            if token.kind == "op" and token.text == "AND":
                self.index += 1
                if not items:
                    raise QueryError("AND needs something before it", token.pos)
                ends = self._peek() is None or self._is(")") or self._is("op")
                if ends and not self._is("op", "NOT"):
                    raise QueryError("AND needs something after it", token.pos)
                items[-1] = _combine(And, [*_parts(items[-1]), self._unary(field)])
                continue
            items.append(self._unary(field))
        if not items:
            token = self._peek()
            raise QueryError("a part of the query is empty", token.pos if token else self.length)
        if self.mode == "all":
            items = [part for item in items for part in _parts(item)]
        else:  # an AND of negations alone starts from every article, as in "all" mode
            items = [_from_all(item) for item in items]
        negated = [item for item in items if isinstance(item, Not)]
        positive = [item for item in items if not isinstance(item, Not)]
        if self.mode == "any" and len(positive) > 1:
            positive = [Or(tuple(positive))]
        return _combine(And, [*(positive or [MatchAll()]), *negated])

    def _unary(self, field: str | None) -> Node:
        token = self._peek()
        assert token is not None
        if token.kind == "op" and token.text == "NOT":
            self.index += 1
            if self._peek() is None or self._is(")") or self._is("op", "OR"):
                raise QueryError(f"{token.text} needs something after it", token.pos)
            if self._is("op", "AND"):
                raise QueryError("AND needs something before it", self.tokens[self.index].pos)
            return Not(self._unary(field))
        if token.kind == "op":
            raise QueryError(f"{token.text} needs something before it", token.pos)
        return self._atom(field)

    def _atom(self, field: str | None) -> Node:
        token = self.tokens[self.index]
        self.index += 1
        if token.kind == "(":
            return self._group(token, field)
        if token.kind == ")":
            raise QueryError("a closing parenthesis has no opening one", token.pos)
        if token.kind == "field":
            return self._field(token)
        if token.kind == "phrase":
            return self._phrase(token, field)
        return self._value(token, field)

    def _group(self, token: Token, field: str | None) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise QueryError(f"parentheses are nested more than {MAX_DEPTH} deep", token.pos)
        if self._peek() is None or self._is(")"):
            raise QueryError("a parenthesis is empty or not closed", token.pos)
        node = self._or(field)
        if not self._is(")"):
            raise QueryError("a parenthesis is not closed", token.pos)
        self.index += 1
        self.depth -= 1
        return node

    def _field(self, token: Token) -> Node:
        field = FIELDS.get(token.text.lower())
        if field is None:
            known = ", ".join(sorted(set(FIELDS.values())))
            raise QueryError(f"unknown field “{token.text}”; fields are: {known}", token.pos)
        value = self._peek()
        if value is None or value.kind not in ("word", "phrase", "(", "range"):
            raise QueryError(f"{token.text}: needs a value after it", token.pos)
        if value.kind == "range" and field != "date":
            raise QueryError("only date: takes a range, as date:[2002 TO 2003]", value.pos)
        self.index += 1
        if value.kind == "(":
            return self._group(value, field)
        if value.kind == "range":
            self.term_count += 1
            return date_query(value.text, value.pos)
        if value.kind == "phrase":
            return self._phrase(value, field)
        return self._value(value, field)

    def _phrase(self, token: Token, field: str | None) -> Node:
        if field in _EXACT_FIELDS or field == "date":
            return self._value(token, field)
        found = tuple(words.split(token.text))
        if not found:
            raise QueryError("a phrase is empty", token.pos)
        self.term_count += len(found)
        if len(found) == 1:
            return Term(found[0], field)
        return Phrase(found, field, min(token.slop, MAX_SLOP))

    def _value(self, token: Token, field: str | None) -> Node:
        pos, text = token.pos, token.text
        self.term_count += 1
        if field == "date":
            return date_query(text, pos)
        if field in _EXACT_FIELDS:
            value = text.strip().lower()
            if not value:
                raise QueryError(f"{field}: needs a value after it", pos)
            return Exact(field, value)
        if text[0] == "*" or (text[0] == "?" and text.strip("?")):
            raise QueryError("a word cannot start with a wildcard (* or ?)", pos)
        fuzzy = _FUZZY.fullmatch(text)
        if fuzzy:
            return self._fuzzy(fuzzy[1], fuzzy[2], field, pos)
        if text.endswith("*") and "*" not in text[:-1] and "?" not in text:
            stem = _single_word(text[:-1], pos)
            if len(stem) < self.limits.min_prefix:
                raise QueryError(
                    f"a prefix needs at least {self.limits.min_prefix} characters before *", pos
                )
            return Prefix(stem, field)
        if "*" in text or "?" in text.rstrip("?"):
            raise QueryError("wildcards work only at the end of a word (word*)", pos)
        found = words.split(text)
        if not found:
            return Term(text, field)
        if len(found) == 1:
            return Term(found[0], field)
        return Phrase(tuple(found), field)

    def _fuzzy(self, word: str, distance: str, field: str | None, pos: int) -> Node:
        if not distance.isdigit() and distance:
            raise QueryError("a fuzzy word ends in ~, ~1 or ~2 (koizmi~1)", pos)
        edits = int(distance) if distance else 1
        if edits > MAX_FUZZY:
            raise QueryError(f"fuzzy distance is at most {MAX_FUZZY} (word~1 or word~2)", pos)
        if "*" in word or "?" in word:
            raise QueryError("a word cannot be both a prefix (*) and fuzzy (~)", pos)
        found = _single_word(word, pos)
        return Fuzzy(found, edits, field) if edits else Term(found, field)


def _from_all(node: Node) -> Node:
    if isinstance(node, And) and all(isinstance(child, Not) for child in node.children):
        return And((MatchAll(), *node.children))
    return node


def _parts(node: Node) -> tuple[Node, ...]:
    return node.children if isinstance(node, And) else (node,)


def _combine(kind: type[And] | type[Or], children: list[Node]) -> Node:
    return children[0] if len(children) == 1 else kind(tuple(children))


def _single_word(text: str, pos: int) -> str:
    found = words.split(text)
    if len(found) != 1:
        raise QueryError("wildcards and ~ apply to a single word", pos)
    return found[0]
