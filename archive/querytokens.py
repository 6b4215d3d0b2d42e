"""Query text as tokens: parentheses, phrases, operators, fields and words.

The rules a person can rely on:

* ``AND``, ``OR``, ``NOT`` are operators in upper case only (lower-case ``and`` is a word);
  ``&&`` and ``||`` are operators wherever they stand, even between words without spaces;
* ``!`` and ``-`` in front of a word, a phrase, a field or a group negate it (``!brown``,
  ``-"peace talks"``, ``-(a OR b)``, ``-title:x``); ``!`` standing alone is ``NOT``; a
  ``-`` standing alone is punctuation, and so is a leading ``+`` (words are required anyway);
* ``name:value`` names a field whenever ``name`` is a name (letters, digits, underscores,
  not starting with a digit) and is refused when the field is unknown; ``title: putin``
  with a space counts as a field only when ``title`` is one, otherwise the colon is
  punctuation (``Koizumi: Putin``); a field applies to a word, a phrase or a group;
* “typographic” quotes work as straight ones; ``"a b"~3`` gives a phrase its slop.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from archive.errors import QueryError

FIELDS = {
    "title": "title",
    "headline": "title",
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
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‟": '"', "«": '"', "»": '"', "＂": '"'})
_OPERATORS = {"AND": "AND", "OR": "OR", "NOT": "NOT", "!": "NOT"}
#: a word: anything but spaces, parentheses, quotes and the operators && and ||
_WORD = re.compile(r'(?:[^\s()"&|]|&(?!&)|\|(?!\|))+')
#: a field name in front of a colon
_NAME = re.compile(r"([^\W\d]\w*):", re.UNICODE)
_SLOP = re.compile(r"~(\d*)")


@dataclass(frozen=True)
class Token:
    #: "(", ")", "phrase", "word", "op", "field" (``text`` is the name) or "range"
    kind: str
    text: str
    pos: int
    slop: int = 0


def tokenize(text: str) -> list[Token]:
    """The tokens of ``text``; raises ``QueryError`` for a quote that is not closed."""
    text = text.translate(_QUOTES)
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        char = text[pos]
        if char.isspace():
            pos += 1
        elif char in "()":
            tokens.append(Token(char, char, pos))
            pos += 1
        elif text.startswith(("&&", "||"), pos):
            tokens.append(Token("op", "AND" if char == "&" else "OR", pos))
            pos += 2
        elif char == '"':
            pos = _phrase(text, pos, tokens)
        elif char in "-!+" and _glued(text, pos):
            if char != "+":
                tokens.append(Token("op", "NOT", pos))
            pos += 1
        else:
            pos = _word(text, pos, tokens)
    return tokens


def _glued(text: str, pos: int) -> bool:
    """Whether the character at ``pos`` starts something (a prefix operator) rather than
    standing alone."""
    following = text[pos + 1 : pos + 2]
    return bool(following) and not following.isspace() and following != ")"


def _phrase(text: str, pos: int, tokens: list[Token]) -> int:
    end = text.find('"', pos + 1)
    if end < 0:
        raise QueryError("a quote is not closed", pos)
    slop = _SLOP.match(text, end + 1)
    distance = (int(slop[1]) if slop[1] else 1) if slop else 0
    tokens.append(Token("phrase", text[pos + 1 : end], pos, distance))
    return slop.end() if slop else end + 1


def _word(text: str, pos: int, tokens: list[Token]) -> int:
    match = _WORD.match(text, pos)
    if match is None:  # a lone & or | before another: punctuation
        return pos + 1
    word = match[0]
    name = _NAME.match(word)
    if name is None:
        kind = "op" if word in _OPERATORS else "word"
        tokens.append(Token(kind, _OPERATORS.get(word, word), pos))
        return match.end()
    rest = word[name.end() :]
    after = name.end() + pos
    if not rest and name[1].lower() in FIELDS and _value_follows(text, after):
        after = len(text) - len(text[after:].lstrip())  # title: putin
    elif not rest and (after >= len(text) or text[after].isspace()):
        tokens.append(Token("word", word, pos))  # Koizumi: Putin
        return match.end()
    tokens.append(Token("field", name[1], pos))
    if rest.startswith("[") or (not rest and text.startswith("[", after)):
        close = text.find("]", after)
        if close < 0:
            raise QueryError("a range is not closed with ]", after)
        tokens.append(Token("range", text[after : close + 1], after))
        return close + 1
    if rest:
        tokens.append(Token("word", rest, after))
        return match.end()
    return after  # a word, a phrase or a group follows


def _value_follows(text: str, pos: int) -> bool:
    rest = text[pos:].lstrip()
    return bool(rest) and rest[0] not in ")" and not re.match(r"(AND|OR|NOT|&&|\|\|)(\s|$)", rest)
