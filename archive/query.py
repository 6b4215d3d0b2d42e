"""The query language: user text plus filters become one engine-neutral tree.

Lucene-style syntax (the README has examples)::

    koizumi putin              all words must match (or any, in "any" mode)
    "peace treaty"             a phrase; typographic quotes count; "a b"~3 allows 3 words between
    koizumi OR putin           either; AND, OR and NOT are upper-case; && || ! work too
    hokkaido -kunashiri        NOT kunashiri (also: NOT kunashiri)
    (russia OR japan) summit   parentheses group
    title:putin byline:kyodo   a field: title, body, byline, source, tags, language, date, year
    koiz*                      words starting with "koiz" (at least two letters before the *)
    koizmi~  koizmi~2          words within 1 (or 2) edits
    date:[2002-01-01 TO 2002-06-30]   a date range; date:2002, date:2002-06, date:>=2002-06-01

Bad syntax raises ``QueryError`` naming the problem and its position; limits on length,
terms and nesting keep a query from turning into a hang.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from archive import words
from archive.errors import QueryError
from archive.models import SearchRequest
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

FIELDS = {
    "title": "title",
    "body": "body",
    "text": "body",
    "byline": "byline",
    "author": "byline",
    "source": "source",
    "agency": "source",
    "tags": "tags",
    "tag": "tags",
    "language": "language",
    "lang": "language",
    "date": "date",
    "published": "date",
    "year": "year",
}
MAX_DEPTH = 20
MAX_FUZZY = 2
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‟": '"', "«": '"', "»": '"', "＂": '"'})
_TOKEN = re.compile(
    r'\s*(?:(?P<range>[A-Za-z]+:\[[^\]]*\])|(?P<open>\()|(?P<close>\))|(?P<quote>")'
    r'|(?P<word>[^\s()"]+))'
)
_OPERATORS = {"AND": "AND", "&&": "AND", "OR": "OR", "||": "OR", "NOT": "NOT", "!": "NOT"}


@dataclass(frozen=True)
class Limits:
    """How much a query may ask for."""

    max_length: int = 2000
    max_terms: int = 256
    min_prefix: int = 2


@dataclass(frozen=True)
class _Token:
    kind: str  # "(", ")", "phrase", "word", "op"
    text: str
    pos: int
    slop: int = 0


def parse(text: str, *, mode: str = "all", limits: Limits | None = None) -> Node:
    """Parse the user's query text into a tree; ``mode`` is "all" or "any" for bare words."""
    limits = limits or Limits()
    if len(text) > limits.max_length:
        raise QueryError(
            f"the query is {len(text):,} characters long; the limit is {limits.max_length:,}"
        )
    if "\x00" in text:
        raise QueryError("the query contains a NUL character", text.index("\x00"))
    text = text.translate(_QUOTES)
    tokens = _tokenize(text)
    if not tokens:
        return MatchAll()
    parser = _Parser(tokens, text, mode, limits)
    tree = parser.parse()
    if parser.term_count > limits.max_terms:
        raise QueryError(
            f"the query has {parser.term_count} terms; the limit is {limits.max_terms}"
        )
    return tree


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


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            break
        start = match.start(match.lastgroup or 0)
        if match["open"]:
            tokens.append(_Token("(", "(", start))
        elif match["close"]:
            tokens.append(_Token(")", ")", start))
        elif match["quote"]:
            end = text.find('"', start + 1)
            if end < 0:
                raise QueryError("a quote is not closed", start)
            slop_match = re.match(r"~(\d{1,2})", text[end + 1 :])
            slop = int(slop_match[1]) if slop_match else 0
            tokens.append(_Token("phrase", text[start + 1 : end], start, slop))
            pos = end + 1 + (slop_match.end() if slop_match else 0)
            continue
        elif match["range"]:
            tokens.append(_Token("word", match["range"], start))
        elif match["word"]:
            word = match["word"]
            kind = "op" if word in _OPERATORS else "word"
            tokens.append(_Token(kind, _OPERATORS.get(word, word), start))
        pos = match.end()
    return tokens


class _Parser:
    """Recursive descent over the tokens.

    or := and (OR and)*;  and := unary+;  unary := NOT unary | atom
    """

    def __init__(self, tokens: list[_Token], text: str, mode: str, limits: Limits) -> None:
        self.tokens = tokens
        self.text = text
        self.index = 0
        self.depth = 0
        self.mode = mode
        self.limits = limits
        self.term_count = 0

    def parse(self) -> Node:
        node = self._or()
        if self.index < len(self.tokens):
            token = self.tokens[self.index]
            raise QueryError(f"unexpected “{token.text}”", token.pos)
        return node

    def _peek(self) -> _Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def _or(self) -> Node:
        children = [self._and()]
        while (token := self._peek()) and token.kind == "op" and token.text == "OR":
            self.index += 1
            if self._peek() is None or self._peek().kind == ")":  # type: ignore[union-attr]
                raise QueryError("OR needs something after it", token.pos)
            children.append(self._and())
        return _combine(Or, children)

    def _and(self) -> Node:
        required: list[Node] = []
        optional: list[Node] = []
        while (token := self._peek()) and token.kind != ")" and token.text != "OR":
            if token.kind == "op" and token.text == "AND":
                if not required and not optional:
                    raise QueryError("AND needs something before it", token.pos)
                self.index += 1
                if self._peek() is None:
                    raise QueryError("AND needs something after it", token.pos)
                if not required and optional:
                    required.append(optional.pop())
                node = self._unary()
                required.append(node)
                continue
            node = self._unary()
            if self.mode == "any" and not isinstance(node, Not):
                optional.append(node)
            else:
                required.append(node)
        if not required and not optional:
            token = self._peek()
            raise QueryError("a part of the query is empty", token.pos if token else len(self.text))
        if optional:
            required.append(_combine(Or, optional))
        if all(isinstance(node, Not) for node in required):
            required.insert(0, MatchAll())
        return _combine(And, required)

    def _unary(self) -> Node:
        token = self._peek()
        assert token is not None
        if token.kind == "op" and token.text == "NOT":
            self.index += 1
            if self._peek() is None:
                raise QueryError("NOT needs something after it", token.pos)
            return Not(self._unary())
        if token.kind == "op" and token.text == "AND":
            raise QueryError("AND needs something before it", token.pos)
        return self._atom()

    def _atom(self) -> Node:
        token = self.tokens[self.index]
        self.index += 1
        if token.kind == "(":
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise QueryError(f"parentheses are nested more than {MAX_DEPTH} deep", token.pos)
            if (inner := self._peek()) is None or inner.kind == ")":
                raise QueryError("a parenthesis is empty or not closed", token.pos)
            node = self._or()
            closing = self._peek()
            if closing is None or closing.kind != ")":
                raise QueryError("a parenthesis is not closed", token.pos)
            self.index += 1
            self.depth -= 1
            return node
        if token.kind == ")":
            raise QueryError("a closing parenthesis has no opening one", token.pos)
        if token.kind == "phrase":
            return self._phrase(token, None, token.text)
        return self._word(token)

    def _word(self, token: _Token) -> Node:
        text = token.text
        if text[0] in "-+" and len(text) > 1:
            inner = _Token("word", text[1:], token.pos + 1)
            if text[1] == '"':
                raise QueryError('use -"phrase" without a space', token.pos)
            node = self._word(inner)
            return Not(node) if text[0] == "-" else node
        name, sep, value = text.partition(":")
        if sep and name.isalpha() and (value or self._next_is_phrase()):
            return self._field(token, name, value)
        return self._value(token, None, text)

    def _next_is_phrase(self) -> bool:
        token = self._peek()
        return (
            token is not None
            and token.kind == "phrase"
            and token.pos == self.tokens[self.index - 1].pos + len(self.tokens[self.index - 1].text)
        )

    def _field(self, token: _Token, name: str, value: str) -> Node:
        field = FIELDS.get(name.lower())
        if field is None:
            known = ", ".join(sorted(set(FIELDS.values())))
            raise QueryError(f"unknown field “{name}”; fields are: {known}", token.pos)
        if not value:
            phrase = self.tokens[self.index]
            self.index += 1
            return self._phrase(phrase, field, phrase.text)
        if field == "date":
            return _date_query(value, token.pos + len(name) + 1)
        if field in ("language", "year"):
            return Exact(field, value.lower())
        return self._value(token, field, value, offset=len(name) + 1)

    def _phrase(self, token: _Token, field: str | None, text: str) -> Node:
        words = tuple(_words(text))
        if not words:
            raise QueryError("a phrase is empty", token.pos)
        self.term_count += len(words)
        if len(words) == 1:
            return Term(words[0], field)
        return Phrase(words, field, min(token.slop, 20))

    def _value(self, token: _Token, field: str | None, text: str, offset: int = 0) -> Node:
        pos = token.pos + offset
        self.term_count += 1
        if text[0] in "*?":
            raise QueryError("a word cannot start with a wildcard (* or ?)", pos)
        fuzzy = re.fullmatch(r"(.+?)~(\d*)", text)
        if fuzzy:
            distance = int(fuzzy[2]) if fuzzy[2] else 1
            if distance > MAX_FUZZY:
                raise QueryError(f"fuzzy distance is at most {MAX_FUZZY} (word~1 or word~2)", pos)
            word = _single_word(fuzzy[1], pos)
            return Fuzzy(word, max(distance, 1), field)
        if text.endswith("*") and "*" not in text[:-1] and "?" not in text:
            stem = _single_word(text[:-1], pos)
            if len(stem) < self.limits.min_prefix:
                raise QueryError(
                    f"a prefix needs at least {self.limits.min_prefix} characters before *", pos
                )
            return Prefix(stem, field)
        if "*" in text or "?" in text:
            raise QueryError("wildcards work only at the end of a word (word*)", pos)
        words = _words(text)
        if not words:
            return Term(text, field)
        if len(words) == 1:
            return Term(words[0], field)
        return Phrase(tuple(words), field)


def _combine(kind: type[And] | type[Or], children: list[Node]) -> Node:
    return children[0] if len(children) == 1 else kind(tuple(children))


def _words(text: str) -> list[str]:
    """Split text into words the way the index does (``archive.words``)."""
    return words.split(text)


def _single_word(text: str, pos: int) -> str:
    words = _words(text)
    if len(words) != 1:
        raise QueryError("wildcards and ~ apply to a single word", pos)
    return words[0]


def _date_query(value: str, pos: int) -> DateRange:
    """``2002``, ``2002-06``, ``2002-06-27``, ``>=2002-06-01``, ``<2003``, ``[a TO b]``."""
    if value.startswith("["):
        bounds = re.fullmatch(r"\[\s*(\S+)\s+TO\s+(\S+)\s*\]", value)
        if bounds is None:
            raise QueryError("a date range looks like date:[2002-01-01 TO 2002-12-31]", pos)
        low = None if bounds[1] == "*" else _date_span(bounds[1], pos)[0]
        high = None if bounds[2] == "*" else _date_span(bounds[2], pos)[1]
        if low and high and low > high:
            raise QueryError("the range starts after it ends", pos)
        return DateRange(low, high)
    match = re.fullmatch(r"(>=|<=|>|<)?(.+)", value)
    assert match is not None
    op, rest = match[1], match[2]
    start, end = _date_span(rest, pos)
    if op == ">=":
        return DateRange(start, None)
    if op == ">":
        return DateRange(end + timedelta(days=1), None)
    if op == "<=":
        return DateRange(None, end)
    if op == "<":
        return DateRange(None, start - timedelta(days=1))
    return DateRange(start, end)


def _date_span(text: str, pos: int) -> tuple[date, date]:
    """The first and last day a (possibly partial) ISO date covers."""
    try:
        if re.fullmatch(r"\d{4}", text):
            year = int(text)
            return date(year, 1, 1), date(year, 12, 31)
        if re.fullmatch(r"\d{4}-\d{1,2}", text):
            year, month = (int(part) for part in text.split("-"))
            first = date(year, month, 1)
            following = date(year + (month == 12), month % 12 + 1, 1)
            return first, following - timedelta(days=1)
        day = date.fromisoformat(text)
        return day, day
    except ValueError:
        raise QueryError(f"“{text}” is not a date; use YYYY, YYYY-MM or YYYY-MM-DD", pos) from None
