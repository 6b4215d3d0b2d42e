"""The search pages: the front page, the results page and the search tips.

Their JSON twins are ``/api/stats`` (front page) and ``/api/search`` (results), which
render the same ``Stats`` and ``SearchPage`` objects.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, render_template, url_for

from archive.core import Archive
from archive.errors import IndexMissing, NothingIndexed
from archive.examples import Example, Examples
from archive.models import SearchPage, SearchRequest, Stats
from web import params, research_links
from web.context import current_archive, current_search
from web.views import href_for, results_view

bp = Blueprint("search", __name__)


@bp.get("/")
def home() -> str | Response:
    """The search box, what the archive holds and its coverage over time."""
    archive = current_archive()
    try:
        stats = archive.stats()
    except NothingIndexed as exc:
        return _empty(archive, exc)
    overview = archive.search(SearchRequest(per_page=1, sort="newest", snippets=False))
    view = results_view(overview, href_for(url_for("search.results")), _article_href(""))
    return render_template(
        "home.html",
        stats=stats,
        view=view,
        examples=_examples(archive, stats),
        index_command=_index_command(archive),
        twin=url_for("api.stats"),
    )


@bp.get("/search")
def results() -> str:
    """One page of results, with facets, chips, the timeline and pagination."""
    request = current_search()
    page = current_archive().search(request)
    query_string = urlencode(params.to_pairs(request))
    view = results_view(page, href_for(url_for("search.results")), _article_href(query_string))
    suffix = f"?{query_string}" if query_string else ""
    export_suffix = urlencode(params.to_pairs(request, page=False))
    export_suffix = f"?{export_suffix}" if export_suffix else ""
    return render_template(
        "results.html",
        view=view,
        request=request,
        hidden=_hidden(request),
        twin=url_for("api.search") + suffix,
        atom=url_for("feeds.atom") + export_suffix,
        csv=url_for("feeds.export_csv") + export_suffix,
        jsonl=url_for("feeds.export_jsonl") + export_suffix,
        research=research_links.links(request),
    )


@bp.get("/help")
def help_page() -> str:
    """How to write a query."""
    archive = current_archive()
    try:
        examples = _examples(archive, archive.stats())
    except IndexMissing:
        examples = ()  # the tips stand without examples while nothing can be searched
    return render_template("help.html", examples=examples, twin=url_for("api.openapi"))


def _empty(archive: Archive, exc: NothingIndexed) -> Response:
    """The front page of an archive with nothing indexed (yet, or any more: its data
    directory is gone): how to add articles. 503, as its JSON twin answers."""
    request = SearchRequest(per_page=1, sort="newest", snippets=False)
    empty = SearchPage(request=request, total=0, hits=())
    view = results_view(empty, href_for(url_for("search.results")), _article_href(""))
    stats = Stats(0, 0, 0, {}, archive.engine.name, "", str(archive.settings.data_dir), None)
    page = render_template(
        "home.html",
        stats=stats,
        view=view,
        examples=(),
        index_command=_index_command(archive),
        absent=exc.absent,
        twin=url_for("api.stats"),
    )
    return Response(page, status=503, headers={"Retry-After": "30"})


def _examples(archive: Archive, stats: Stats) -> tuple[Example, ...]:
    """Example searches from what the archive holds, built again when its index changes."""
    cache: Examples = current_app.extensions.setdefault("examples", Examples())
    key = (stats.engine, stats.generation, stats.articles, stats.last_indexed)
    return cache.get(key, archive.search)


def _index_command(archive: Archive) -> str:
    """The command that adds articles to this archive (its data dir and engine spelled out)."""
    settings = archive.settings
    words = ["newsarchive", "--data-dir", str(settings.data_dir)]
    if settings.engine != "whoosh":
        words += ["--engine", settings.engine]
    return shlex.join([*words, "index"]) + " PATH"


def _article_href(query_string: str) -> Callable[[str], str]:
    """Article links that carry the search, so the article can mark its words and lead back."""
    suffix = f"?{query_string}" if query_string else ""

    def href(article_id: str) -> str:
        return url_for("articles.show", article_id=article_id) + suffix

    return href


def _hidden(request: SearchRequest) -> list[tuple[str, str]]:
    """What a new query from the box keeps besides the dates (the chips show and remove it)."""
    keep = ("source", "byline", "tag", "lang", "sort", "mode", "per_page")
    pairs = params.to_pairs(request, page=False)
    return [(name, value) for name, value in pairs if name in keep]
