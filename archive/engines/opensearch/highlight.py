"""Snippets on OpenSearch: the engine's half of ``archive.search.highlight``.

The cluster's highlighter says which words of the body the query matches: it returns the
whole body (``number_of_fragments`` 0) with each match between private-use characters,
once for the words and phrases (``body``, stems) and once for the prefixes and fuzzy words
(``body.surface``, the words as written they found). The words tagged in either become
``archive.search.highlight.Token``s, one per word of the text as the archive splits words
(``archive.words``), and ``archive.search.highlight`` chooses the passages exactly as for
the embedded engine, so no markup from the engine ever reaches an adapter.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from opensearchpy import OpenSearch

from archive.engines.opensearch.compile import Query
from archive.engines.opensearch.mapping import MIN_WORD
from archive.models import SnippetPart
from archive.search import highlight
from archive.words import WORD

#: highlight tags: private-use characters that never reach a page
PRE, POST = "\ue000", "\ue001"
#: positions the cluster leaves between the values of a field (its default)
POSITION_GAP = 100


def highlight_body(
    marked: Mapping[str, Query], fields: tuple[str, ...] = ("body",)
) -> dict[str, Any]:
    """The highlight part of a search body: each of ``fields`` whole, with the matches of
    ``marked`` (``compile.highlight_tree``: queries on ``body`` and ``body.surface``)
    tagged, each in the same sub-field of the field."""
    return {
        "pre_tags": [PRE],
        "post_tags": [POST],
        "fields": {
            _renamed(source, name): whole(in_field(query, name, source))
            for name in fields
            for source, query in marked.items()
        },
    }


def tagged_texts(highlighted: Mapping[str, list[str]], field: str) -> list[str]:
    """The tagged texts of ``field`` in a hit's ``highlight``: the words' and the words as
    written (``surface``), as many as were highlighted."""
    return [texts[0] for name in (field, f"{field}.surface") if (texts := highlighted.get(name))]


def _renamed(source: str, field: str) -> str:
    """``source`` (``body`` or ``body.surface``) for ``field``."""
    return field + source.removeprefix("body")


def whole(marked: Query) -> dict[str, Any]:
    """One field highlighted whole for ``marked``."""
    return {"type": "unified", "number_of_fragments": 0, "highlight_query": marked}


def in_field(marked: Query, field: str, source: str = "body") -> Any:
    """``marked`` (a query on ``source``: ``body`` or ``body.surface``) asking the same of
    ``field`` (or of its ``surface``)."""
    target = _renamed(source, field)
    if isinstance(marked, dict):
        return {
            (target if key == source else key): in_field(value, field, source)
            for key, value in marked.items()
        }
    if isinstance(marked, list):
        return [in_field(value, field, source) for value in marked]
    if marked == source:  # a field named in a list (``query_string``'s fields)
        return target
    return marked


def snippet(
    body: str, tagged: Sequence[str], forms: Mapping[str, str] | None = None
) -> tuple[SnippetPart, ...]:
    """The best passages of ``body`` with the words highlighted in any of ``tagged`` (the
    whole body, tagged; from ``tagged_texts``) marked; the lede when nothing was
    highlighted. ``forms`` gives the analysed form of matched words (the highlighter counts
    the different words a passage matches: ``film`` and ``films`` are one), from
    ``forms_from``."""
    flat = highlight.flatten(body)
    if not tagged or PRE in body or POST in body:
        return highlight.lede(flat)
    return highlight.snippet(flat, tokens([highlight.flatten(t) for t in tagged], flat, forms))


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
    tagged: Sequence[str], plain: str, forms: Mapping[str, str] | None = None
) -> list[highlight.Token]:
    """The words of ``plain`` (which each of ``tagged`` is, without its tags), as the
    archive splits words, matched where the highlighter tagged them in any of ``tagged``;
    a tagged text that disagrees with ``plain`` marks nothing."""
    spans = sorted(span for text in tagged for span in _tagged_spans(text, plain))
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


def _tagged_spans(tagged: str, plain: str) -> list[tuple[int, int]]:
    """Where in ``plain`` the highlighter tagged ``tagged``; none if the two disagree."""
    spans = []
    text: list[str] = []
    length = 0
    for number, piece in enumerate(tagged.split(PRE)):
        inside, _, rest = piece.partition(POST) if number else ("", "", piece)
        if inside:
            spans.append((length, length + len(inside)))
        text.extend((inside, rest))
        length += len(inside) + len(rest)
    return spans if "".join(text) == plain else []


def marked_forms(client: OpenSearch, index: str, response: dict[str, Any]) -> dict[str, str]:
    """The analysed forms of the words marked in a search answer's snippets (one
    ``_analyze`` request; none when nothing is marked)."""
    words = sorted(
        {
            word
            for raw in response["hits"]["hits"]
            for tagged in tagged_texts(raw.get("highlight") or {}, "body")
            for word in marked_words(tagged)
        }
    )
    if not words:
        return {}
    return forms_from(client.indices.analyze(index=index, body=analyze_body(words)), words)
