"""A results page in words, the same on the command line and on the web."""

from __future__ import annotations

from archive.models import SearchPage


def counted(page: SearchPage) -> str:
    """How many articles match and which of them the page shows, or that the page is past
    the last one ("105 articles match; page 999 is past the last page, 11")."""
    noun = "article matches" if page.total == 1 else "articles match"
    text = f"{page.total:,} {noun}"
    request = page.request
    if page.hits:
        first, last = request.offset + 1, request.offset + len(page.hits)
        return f"{text}; showing {first:,}-{last:,} (page {request.page:,} of {page.pages:,})"
    if page.total and request.page > page.pages:
        return f"{text}; page {request.page:,} is past the last page, {page.pages:,}"
    return text


def relaxed(page: SearchPage) -> str:
    """Why the any-word ranking answers a search for all the words (``page.all_words``)."""
    if not page.all_words:
        return "No article has all the words; showing articles with most of them"
    some = "article has" if page.all_words == 1 else "articles have"
    return f"Only {page.all_words:,} {some} all the words; showing articles with most of them"
