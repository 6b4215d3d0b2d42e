"""What the research pages share: links between them and the results, downloads, the
check on form posts.

Every link is the canonical URL of a request (``params.to_pairs``), so pages never build a
query string by hand.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from urllib.parse import urlencode, urlsplit

from flask import Response, abort, request, stream_with_context, url_for

from archive.models import SearchRequest
from web import params
from web.context import current_archive

_PLAIN_WORD = re.compile(r"\w+(?:['’]\w+)*")


@dataclass(frozen=True)
class ResearchLinks:
    """Where a search leads in the research tools (the results page shows these)."""

    results: str
    compare: str
    words: str
    kwic: str
    cite: str
    #: the search's fields for the "Save this search" form
    save_fields: tuple[tuple[str, str], ...]


def at(endpoint: str, search: SearchRequest, **extra: str) -> str:
    """``endpoint``'s URL with ``search``'s canonical query string and ``extra`` pairs."""
    pairs = params.to_pairs(replace(search, page=1), page=False)
    pairs += [(name, value) for name, value in extra.items() if value]
    return url_for(endpoint) + (f"?{urlencode(pairs)}" if pairs else "")


def results(search: SearchRequest) -> str:
    """The results of ``search`` as the research tools count them: articles with all its
    words (``strict``), never the any-word ranking a search with (almost) no such
    articles falls back to, so a chart's point or a word's link shows what it counts."""
    return at("search.results", replace(search, strict=True))


def links(search: SearchRequest) -> ResearchLinks:
    """The research tools' links for a search."""
    plain = replace(search, sort=params.default_sort(search.q), per_page=params.DEFAULT_PER_PAGE)
    return ResearchLinks(
        results=results(plain),
        compare=at("compare.page", plain),
        words=at("words.page", plain),
        kwic=at("kwic.page", plain),
        cite=at("cite.page", plain),
        save_fields=tuple(params.to_pairs(plain, page=False)),
    )


def with_term(q: str, text: str, phrase: bool = False) -> str:
    """``q`` with ``text`` added as one more required word (or phrase)."""
    term = f'"{text}"' if phrase or not _PLAIN_WORD.fullmatch(text) else text
    if not q.strip():
        return term
    needs_group = " OR " in f" {q} " or "||" in q
    return f"({q}) {term}" if needs_group else f"{q} {term}"


def download(chunks: Iterator[str], name: str) -> Response:
    response = Response(stream_with_context(chunks), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="newsarchive-{name}.csv"'
    return response


def cite_as(response: Response, search: SearchRequest) -> Response:
    """Give a download the citation of what it holds: the compact citation in a header, and
    the page that checks it as the download's ``cite-as`` link (RFC 8574)."""
    citation = current_archive().research.cite(search).compact()
    response.headers["Newsarchive-Citation"] = citation
    check = url_for("cite.page", check=citation)
    response.headers["Link"] = f'<{check}>; rel="cite-as"'
    return response


def same_origin() -> None:
    """Refuse a form post sent from another site (403): the forms change saved searches."""
    origin = request.headers.get("Origin")
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
        abort(403)
    if origin and origin != "null" and urlsplit(origin).netloc != request.host:
        abort(403)
