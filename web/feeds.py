"""Feeds and exports: an Atom feed of any search, the OpenSearch description, CSV and JSON Lines.

Exports stream the whole result set row by row (``Archive.export`` reads lazily), so there
is no cap and memory stays flat however many articles match.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from itertools import chain
from urllib.parse import urlencode

from flask import Blueprint, Response, render_template, stream_with_context, url_for

from archive.models import Hit
from web import params
from web.api import public
from web.articles import is_web_url
from web.context import current_archive, current_search
from web.research_links import cite_as

bp = Blueprint("feeds", __name__)

FEED_ENTRIES = 20
MAX_FEED_ENTRIES = 50
CSV_COLUMNS = (
    "rank",
    "id",
    "title",
    "published",
    "byline",
    "source",
    "language",
    "tags",
    "url",
    "permalink",
)
#: characters XML 1.0 forbids even as references
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
#: a cell starting with one of these is a formula to a spreadsheet
_FORMULA = ("=", "+", "-", "@", "\t", "\r")
_ID = "ARTICLEID"


@bp.app_template_filter("xmltext")
def xml_text(value: object) -> str:
    """Text with the characters XML cannot carry removed (autoescape does the rest)."""
    return _NOT_XML.sub("", "" if value is None else str(value))


@bp.get("/feed.atom")
def atom() -> Response:
    """The newest articles matching a search, as Atom (subscribe to a search)."""
    request = replace(
        current_search(per_page=FEED_ENTRIES, cap=MAX_FEED_ENTRIES),
        sort="newest",
        page=1,
        facets=False,
        timeline=False,
    )
    page = current_archive().search(request)
    pairs = [
        (name, value)
        for name, value in params.to_pairs(request)
        if name not in ("sort", "per_page")
    ]
    if request.per_page != FEED_ENTRIES:
        pairs.append(("per_page", str(request.per_page)))
    suffix = f"?{urlencode(pairs)}" if pairs else ""
    dates = [hit.published.value for hit in page.hits if hit.published]
    updated = max(dates) if dates else datetime.now(UTC).replace(microsecond=0)
    body = render_template(
        "atom.xml",
        page=page,
        title=request.q or "every article",
        self_url=url_for("feeds.atom", _external=True) + suffix,
        html_url=url_for("search.results", _external=True) + suffix,
        link=url_for("articles.show", article_id=_ID, _external=True),
        updated=updated,
        web_url=is_web_url,
    )
    return Response(body, mimetype="application/atom+xml")


@bp.get("/opensearch.xml")
def opensearch() -> Response:
    """Lets a browser add the archive as a search engine."""
    body = render_template(
        "opensearch.xml",
        html=url_for("search.results", _external=True),
        atom=url_for("feeds.atom", _external=True),
        json=url_for("api.search", _external=True),
        self_url=url_for("feeds.opensearch", _external=True),
    )
    return Response(body, mimetype="application/opensearchdescription+xml")


@bp.get("/export.csv")
def export_csv() -> Response:
    """Every result of a search as CSV, one row per article, streamed."""
    hits, link = _export()

    def rows() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(CSV_COLUMNS)
        for hit in hits:
            writer.writerow(_csv_row(hit, link.replace(_ID, hit.id)))
            if buffer.tell() > 32_768:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    return _download(rows(), "text/csv", "csv")


@bp.get("/export.jsonl")
def export_jsonl() -> Response:
    """Every result of a search as JSON Lines (one hit per line), streamed."""
    hits, link = _export()

    def lines() -> Iterator[str]:
        for hit in hits:
            data = public(hit.to_dict())
            for key in ("snippet", "snippet_text"):
                data.pop(key, None)
            data["permalink"] = link.replace(_ID, hit.id)
            yield json.dumps(data, ensure_ascii=False) + "\n"

    return _download(lines(), "application/x-ndjson", "jsonl")


def _export() -> tuple[Iterable[Hit], str]:
    """The search's hits (the first already read, so a bad query fails before streaming)."""
    request = replace(current_search(), snippets=False, facets=False, timeline=False)
    hits = current_archive().export(request)
    first = next(hits, None)
    found: Iterable[Hit] = chain([first], hits) if first is not None else ()
    return found, url_for("articles.show", article_id=_ID, _external=True)


def _download(chunks: Iterator[str], mimetype: str, extension: str) -> Response:
    response = Response(stream_with_context(chunks), mimetype=mimetype)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="newsarchive-search.{extension}"'
    )
    return cite_as(response, current_search())


def _csv_row(hit: Hit, permalink: str) -> list[object]:
    return [
        hit.rank,
        hit.id,
        _cell(hit.title),
        hit.published.value.isoformat() if hit.published else "",
        _cell(hit.byline),
        _cell(hit.source),
        _cell(hit.language),
        _cell("; ".join(hit.tags)),
        _cell(hit.url),
        permalink,
    ]


def _cell(value: str | None) -> str:
    """Third-party text made inert for spreadsheets (a leading = + - @ is not a formula)."""
    if not value:
        return ""
    return f"'{value}" if value.startswith(_FORMULA) else value
