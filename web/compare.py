"""Comparing queries over time: the chart page, its JSON twin and its CSV.

``/compare?q=cocoa&q=coffee&by=month`` charts up to five queries (sharing the usual
filters) per period, as a share of everything the archive holds for each period or as raw
counts (``measure=count``), with a table of the numbers and a citation per series.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, render_template, request, url_for

from archive.models.research import UNITS
from archive.research import exports
from archive.research.compare import MAX_QUERIES
from web import research_params
from web.chart import DASHES, chart_view
from web.context import current_archive
from web.research_links import download, links, results

bp = Blueprint("compare", __name__)


def _asked() -> tuple[research_params.ChartAsk, Any]:
    archive = current_archive()
    ask = research_params.chart(request.args, archive.settings.max_per_page)
    return ask, archive.research.compare(ask.requests, ask.unit)


@bp.get("/compare")
def page() -> str:
    """The chart, its legend and its table, with a form for the queries and filters."""
    ask, comparison = _asked()
    here = url_for("compare.page")
    units = [("auto", "Automatic")] + [(unit, unit.capitalize()) for unit in UNITS]
    return render_template(
        "compare.html",
        ask=ask,
        comparison=comparison,
        chart=chart_view(comparison, ask.measure, results),
        dashes=DASHES,
        slots=max(MAX_QUERIES, len(ask.requests)),
        base=ask.requests[0],
        units=[
            (
                label,
                here + ask.query_string(by=None if unit == "auto" else unit),
                (ask.unit or "auto") == unit,
            )
            for unit, label in units
        ],
        measures=[
            ("Share of the archive", here + ask.query_string(measure=None), ask.measure == "share"),
            ("Articles", here + ask.query_string(measure="count"), ask.measure == "count"),
        ],
        research=[links(series.request) for series in comparison.series],
        csv=url_for("compare.csv") + ask.query_string(),
        twin=url_for("compare.api") + ask.query_string(),
    )


@bp.get("/compare.csv")
def csv() -> Response:
    """Every series per period as tidy CSV, headed by the citations."""
    _, comparison = _asked()
    citations = [series.citation for series in comparison.series]
    chunks = exports.csv_chunks(
        exports.citation_comments(citations), exports.comparison_rows(comparison)
    )
    return download(chunks, "compare")


@bp.get("/api/compare")
def api() -> Response:
    """The chart's data: every series' counts, coverage and shares per period."""
    ask, comparison = _asked()
    data = comparison.to_dict()
    data["links"] = {
        "html": url_for("compare.page") + ask.query_string(),
        "csv": url_for("compare.csv") + ask.query_string(),
    }
    for series, item in zip(comparison.series, data["series"], strict=True):
        item["links"] = {"results": results(series.request)}
    return jsonify(data)
