"""A results page in words, the same on the command line and on the web."""

from __future__ import annotations

from archive.models import HELD_STATUSES, SearchPage


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


def held_out(page: SearchPage) -> str:
    """The held articles the search matched and left out (``page.held``), in words
    ("3 matching articles marked by their agency were left out: 2 not for publication,
    1 service message")."""
    some = (
        "article marked by its agency was"
        if page.held == 1
        else "articles marked by their agency were"
    )
    statuses = ", ".join(
        f"{value.count:,} {HELD_STATUSES[value.value].lower()}" for value in page.held_statuses
    )
    return f"{page.held:,} matching {some} left out" + (f": {statuses}" if statuses else "")


def held_label(status: str) -> str:
    """A held status as the article's banner says it: "Not for publication (agency status)"."""
    return f"{HELD_STATUSES.get(status, status)} (agency status)"
