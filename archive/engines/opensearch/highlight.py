"""Snippets on OpenSearch: the cluster's highlighter, its fragments turned into runs.

The highlighter marks matches with private-use characters as tags, which are then split
into ``SnippetPart`` runs, so no markup from the engine ever reaches an adapter.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from archive.engines.opensearch.compile import Query
from archive.engines.snippets import merge_runs
from archive.models import SnippetPart

SNIPPET_CHARS = 220
SNIPPET_FRAGMENTS = 2
#: highlight tags: private-use characters that never reach a page
PRE, POST = "\ue000", "\ue001"


def highlight_body(marked: Query) -> dict[str, Any]:
    """The highlight part of a search body: the best passages of the article's body, with
    the matches of ``marked`` tagged."""
    return {
        "pre_tags": [PRE],
        "post_tags": [POST],
        "fields": {
            "body": {
                "type": "unified",
                "fragment_size": SNIPPET_CHARS,
                "number_of_fragments": SNIPPET_FRAGMENTS,
                "highlight_query": marked,
            }
        },
    }


def snippet(body: str, fragments: list[str]) -> tuple[SnippetPart, ...]:
    """The highlighted passages of ``body`` in text order, with an ellipsis wherever text
    was left out; the lede when nothing was highlighted."""
    flat = " ".join(body.split())
    parts: list[SnippetPart] = []
    if fragments and PRE not in body and POST not in body:
        end = 0
        for fragment in fragments:
            runs = _runs(" ".join(fragment.split()))
            plain = "".join(run.text for run in runs)
            start = flat.find(plain, end)
            if start < 0:
                start = flat.find(plain)
            if start < 0 or start > end:
                parts.append(SnippetPart(" … " if parts else "… "))
            parts.extend(runs)
            end = start + len(plain) if start >= 0 else len(flat)
        if end < len(flat):
            parts.append(SnippetPart(" …"))
    if not any(part.match for part in parts):
        lede = flat[:SNIPPET_CHARS]
        if len(flat) > SNIPPET_CHARS:
            lede = lede.rsplit(" ", 1)[0] + " …"
        return (SnippetPart(lede),) if lede else ()
    return merge_runs(parts)


def _runs(fragment: str) -> list[SnippetPart]:
    """Split a highlighted fragment at its tags; a marked stretch is marked word by word."""
    runs: list[SnippetPart] = []
    for number, piece in enumerate(fragment.split(PRE)):
        marked, _, rest = piece.partition(POST) if number else ("", "", piece)
        runs.extend(_words(marked))
        runs.append(SnippetPart(rest))
    return [run for run in runs if run.text]


def _words(marked: str) -> Iterator[SnippetPart]:
    """A marked stretch (a whole phrase may come as one) as marked words and plain spaces."""
    for index, word in enumerate(marked.split(" ")):
        if index:
            yield SnippetPart(" ")
        yield SnippetPart(word, True)
