"""Keyword in context: every occurrence of a search's words with the text either side, in
the articles' order or sorted by the word before or after; page, JSON twin and CSV.

The page shows one page of lines (reading only as many articles as it needs, unless
sorted); the CSV streams every line of the whole result set.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from flask import Blueprint, Response, jsonify, render_template, request, url_for

from archive.models import SearchRequest
from archive.models.research import KwicLine, KwicPage
from archive.research import exports
from web import params, research_params
from web.context import current_archive, current_search
from web.research_links import at, download, links

bp = Blueprint("kwic", __name__)

ORDERS = (("articles", "The articles' order"), ("before", "Word before"), ("after", "Word after"))


@dataclass(frozen=True)
class LineView:
    line: KwicLine
    href: str


def _asked() -> tuple[SearchRequest, str, int]:
    args = request.args
    return current_search(), research_params.order(args), research_params.width(args)


def _extra(order: str, width: int, page: int = 1) -> dict[str, str]:
    return {
        "order": order if order != "articles" else "",
        "width": str(width) if width != research_params.WIDTH else "",
        "page": str(page) if page != 1 else "",
    }


def _page() -> tuple[SearchRequest, KwicPage, int]:
    search, order, width = _asked()
    number = research_params.page(request.args)
    found = current_archive().research.kwic(
        search, order, number, research_params.KWIC_PER_PAGE, width
    )
    return search, found, width


@bp.get("/kwic")
def page() -> str:
    """One page of keyword-in-context lines, with links to sort them and to each article."""
    search, found, width = _page()
    order = found.sort
    return render_template(
        "kwic.html",
        search=search,
        found=found,
        lines=[LineView(line, _article(search, line)) for line in found.lines],
        research=links(search),
        orders=[
            (label, at("kwic.page", search, **_extra(name, width)), name == order)
            for name, label in ORDERS
        ],
        previous=at("kwic.page", search, **_extra(order, width, found.page - 1))
        if found.page > 1
        else None,
        next=at("kwic.page", search, **_extra(order, width, found.page + 1))
        if found.has_next
        else None,
        csv=at("kwic.csv", search, **_extra(order, width)),
        twin=at("kwic.api", search, **_extra(order, width, found.page)),
    )


@bp.get("/kwic.csv")
def csv() -> Response:
    """Every line of every match as CSV (streamed), headed by the citation."""
    search, order, width = _asked()
    research = current_archive().research
    lines = research.kwic_lines(search, order, width)
    citation = research.cite(search)
    chunks = exports.csv_chunks(exports.citation_comments([citation]), exports.kwic_rows(lines))
    return download(chunks, "kwic")


@bp.get("/api/kwic")
def api() -> Response:
    """One page of lines as JSON, with links to the pages before and after."""
    search, found, width = _page()
    data = found.to_dict()
    order = found.sort
    data["links"] = {
        "html": at("kwic.page", search, **_extra(order, width, found.page)),
        "csv": at("kwic.csv", search, **_extra(order, width)),
        "next": at("kwic.api", search, **_extra(order, width, found.page + 1))
        if found.has_next
        else None,
        "prev": at("kwic.api", search, **_extra(order, width, found.page - 1))
        if found.page > 1
        else None,
    }
    return jsonify(data)


def _article(search: SearchRequest, line: KwicLine) -> str:
    """The article's page, marking the search's words and leading back."""
    pairs = params.to_pairs(search, page=False)
    return url_for("articles.show", article_id=line.id) + (f"?{urlencode(pairs)}" if pairs else "")
