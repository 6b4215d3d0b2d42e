"""Snippets on OpenSearch: the engine's half of ``archive.search.highlight``.

The cluster's highlighter says which words of the body the query matches: it returns the
whole body (``number_of_fragments`` 0) with each match between private-use characters.
Those become ``archive.search.highlight.Token``s, one per word of the text as the archive splits
words (``archive.words``), and ``archive.search.highlight`` chooses the passages exactly as for
the embedded engine, so no markup from the engine ever reaches an adapter.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from archive.engines.opensearch.compile import Query
from archive.engines.opensearch.mapping import MIN_WORD
from archive.models import SnippetPart
from archive.search import highlight
from archive.words import WORD

#: highlight tags: private-use characters that never reach a page
PRE, POST = "\ue000", "\ue001"
#: positions the cluster leaves between the values of a field (its default)
POSITION_GAP = 100


def highlight_body(marked: Query, fields: tuple[str, ...] = ("body",)) -> dict[str, Any]:
    """The highlight part of a search body: each of ``fields`` whole, with the matches of
    ``marked`` (a query on the body) tagged."""
    return {
        "pre_tags": [PRE],
        "post_tags": [POST],
        "fields": {name: whole(in_field(marked, name)) for name in fields},
    }


def whole(marked: Query) -> dict[str, Any]:
    """One field highlighted whole for ``marked``."""
    return {"type": "unified", "number_of_fragments": 0, "highlight_query": marked}


def in_field(marked: Query, field: str) -> Any:
    """``marked`` (a query on the body) asking the same of ``field``."""
    if isinstance(marked, dict):
        return {
            (field if key == "body" else key): in_field(value, field)
            for key, value in marked.items()
        }
    if isinstance(marked, list):
        return [in_field(value, field) for value in marked]
    return marked


def snippet(
    body: str, fragments: list[str], forms: Mapping[str, str] | None = None
) -> tuple[SnippetPart, ...]:
    """The best passages of ``body`` with the highlighted words marked; the lede when
    nothing was highlighted. ``forms`` gives the analysed form of matched words (the
    highlighter counts the different words a passage matches: ``film`` and ``films`` are
    one), from ``forms_from``."""
    flat = highlight.flatten(body)
    if not fragments or PRE in body or POST in body:
        return highlight.lede(flat)
    return highlight.snippet(flat, tokens(highlight.flatten(fragments[0]), flat, forms))


def marked_words(tagged: str) -> set[str]:
    """The words (lower case) the highlighter tagged in ``tagged``."""
    found: set[str] = set()
    for piece in tagged.split(PRE)[1:]:
        found.update(word.lower() for word in WORD.findall(piece.partition(POST)[0]))
    return found


def analyze_body(words: list[str]) -> dict[str, Any]:
    """The body of an ``_analyze`` request for the body field's forms of ``words``."""
    return {"field": "body", "text": words}


def forms_from(response: dict[str, Any], words: list[str]) -> dict[str, str]:
    """Each of ``words`` -> its analysed form, from the ``_analyze`` response; the cluster
    numbers the tokens of the n-th text from n * (POSITION_GAP + 1)."""
    found: dict[str, list[str]] = {}
    for token in response.get("tokens", []):
        number = int(token["position"]) // (POSITION_GAP + 1)
        if 0 <= number < len(words):
            found.setdefault(words[number], []).append(str(token["token"]))
    return {word: " ".join(tokens) for word, tokens in found.items()}


def tokens(
    tagged: str, plain: str, forms: Mapping[str, str] | None = None
) -> list[highlight.Token]:
    """The words of ``plain`` (which is ``tagged`` without its tags), as the archive splits
    words, matched where the highlighter tagged them; every word unmatched if the two
    disagree."""
    spans = []
    text: list[str] = []
    length = 0
    for number, piece in enumerate(tagged.split(PRE)):
        inside, _, rest = piece.partition(POST) if number else ("", "", piece)
        if inside:
            spans.append((length, length + len(inside)))
        text.extend((inside, rest))
        length += len(inside) + len(rest)
    if "".join(text) != plain:
        spans = []
    out = []
    at = 0
    for match in WORD.finditer(plain):
        start, end = match.span()
        while at < len(spans) and spans[at][1] <= start:
            at += 1
        # a word too short to be indexed (the "s" of "film's", which the cluster marks as
        # one word) is never a match, as on the embedded engine
        hit = at < len(spans) and spans[at][0] < end and end - start >= MIN_WORD
        word = match.group().lower()
        out.append(highlight.Token(start, end, (forms or {}).get(word, word), hit))
    return out
