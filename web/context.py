"""What the blueprints share about the current request: the archive and the search asked for."""

from __future__ import annotations

from flask import current_app, request

from archive.core import Archive
from archive.models import SearchRequest
from web import params


def current_archive() -> Archive:
    """The app's one ``Archive`` (and so its one long-lived searcher per thread)."""
    archive: Archive = current_app.extensions["archive"]
    return archive


def current_search(
    *, switches: bool = False, per_page: int = params.DEFAULT_PER_PAGE, cap: int | None = None
) -> SearchRequest:
    """The search the query string asks for, checked and clamped (``params``).

    ``cap`` lowers the largest page size below the archive's (the Atom feed uses it).
    """
    largest = current_archive().settings.max_per_page
    return params.search_request(
        request.args, min(largest, cap or largest), per_page=per_page, switches=switches
    )
