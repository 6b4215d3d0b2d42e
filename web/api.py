"""The JSON API: the same objects the pages render, as JSON.

``/api/search`` takes the results page's parameters; ``/api/articles/<id>`` is the article
page's twin (with related articles); ``/api/stats`` the front page's; ``/api/complete``
completes what is typed in the search box; ``/api/openapi.json`` describes them all.
Server-side details (file paths on the server) are left out of public answers.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, jsonify, url_for
from flask import request as incoming

from archive.errors import QueryError
from archive.models import SearchRequest
from web import params
from web.articles import RELATED
from web.context import current_archive, current_search
from web.openapi import spec

bp = Blueprint("api", __name__, url_prefix="/api")

#: fields of the library's objects that describe the server, not the archive
PRIVATE = ("source_path", "data_dir")


@bp.get("/search")
def search() -> Response:
    """One page of results: hits with snippets, facets, timeline and links to more."""
    request = current_search(switches=True)
    page = current_archive().search(request)
    data = page.to_dict()
    data["links"] = _links(request, page.pages)
    return jsonify(data)


@bp.get("/articles/<article_id>")
def article(article_id: str) -> Response:
    """One article, whole."""
    archive = current_archive()
    found = archive.article(article_id)
    data = public(found.to_dict())
    data["related"] = [hit.to_dict() for hit in archive.similar(found.id, RELATED)]
    data["links"] = {
        "self": url_for("api.article", article_id=found.id),
        "html": url_for("articles.show", article_id=found.id),
    }
    return jsonify(data)


@bp.get("/complete")
def complete() -> Response:
    """Completions for what is typed in the search box (``q``), for autocomplete."""
    prefix = incoming.args.get("q", "")
    limit = min(max(1, _int(incoming.args.get("limit"), 8)), 20)
    return jsonify(current_archive().complete(prefix, limit).to_dict())


def _int(raw: str | None, default: int) -> int:
    try:
        return int(raw) if raw else default
    except ValueError:
        raise QueryError(f"limit must be a number (not {raw[:20]!r})") from None


@bp.get("/stats")
def stats() -> Response:
    """How many articles and sources the archive holds, and in which formats."""
    return jsonify(public(current_archive().stats().to_dict()))


@bp.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI 3 description of this API."""
    base = url_for("search.home", _external=True).rstrip("/")
    return jsonify(spec(base, current_archive().settings))


def public(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` without what only the server should know."""
    return {key: value for key, value in data.items() if key not in PRIVATE}


def _links(request: SearchRequest, pages: int) -> dict[str, str | None]:
    def at(endpoint: str, changed: SearchRequest, page: bool = True) -> str:
        pairs = params.to_pairs(changed, page=page)
        if endpoint == "api.search":
            pairs += params.switch_pairs(changed)
        return url_for(endpoint) + (f"?{urlencode(pairs)}" if pairs else "")

    last = min(pages, params.max_page(request.per_page))
    return {
        "self": at("api.search", request),
        "html": at("search.results", request),
        "next": at("api.search", replace(request, page=request.page + 1))
        if request.page < last
        else None,
        "prev": at("api.search", replace(request, page=min(request.page - 1, last)))
        if request.page > 1
        else None,
        "atom": at("feeds.atom", request, page=False),
        "csv": at("feeds.export_csv", request, page=False),
        "jsonl": at("feeds.export_jsonl", request, page=False),
    }
