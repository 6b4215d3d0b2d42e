"""Saved searches: the list, a saved search's new articles since last seen, its Atom feed,
and the forms that save, mark as seen and remove (posts, no JavaScript).

Reading never changes anything: what counts as seen moves only when "Mark as seen" is
posted, so a feed reader or a link preview cannot use up what is new.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from urllib.parse import urlencode

from flask import Blueprint, Response, jsonify, redirect, render_template, request, url_for

from archive.models import SearchRequest
from web import params
from web.articles import is_web_url
from web.context import current_archive
from web.feeds import FEED_ENTRIES
from web.research_links import links, results, same_origin

bp = Blueprint("saved", __name__)


@bp.app_template_filter("stamp")
def stamp(value: str | None) -> str:
    """A stored UTC time (2025-12-02T19:30:00Z) for people: 2 December 2025, 19:30 UTC."""
    if not value:
        return ""
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    return f"{when.day} {when:%B %Y}, {when:%H:%M} UTC"


@bp.get("/saved")
def index() -> str:
    """Every saved search, with how many of its matches are new since seen."""
    found = current_archive().research.saved.all()
    return render_template(
        "saved_list.html",
        found=[(saved, url_for("saved.show", name=saved.name)) for saved in found],
        twin=url_for("saved.api_index"),
    )


@bp.post("/saved")
def create() -> Response:
    """Save the search in the form's fields under the name given; on to its page."""
    same_origin()
    search = params.search_request(request.form, current_archive().settings.max_per_page)
    saved = current_archive().research.saved.add(request.form.get("name", ""), search)
    return redirect(url_for("saved.show", name=saved.name), code=303)  # type: ignore[return-value]


@bp.get("/saved/<name>")
def show(name: str) -> str:
    """A saved search's matches that are new since it was last marked as seen."""
    view = current_archive().research.saved.view(name)
    return render_template(
        "saved.html",
        view=view,
        research=links(view.saved.request),
        article=_article_href(view.saved.request),
        atom=url_for("saved.atom", name=name),
        twin=url_for("saved.api_show", name=name),
    )


@bp.post("/saved/<name>/seen")
def seen(name: str) -> Response:
    same_origin()
    current_archive().research.saved.mark_seen(name)
    return redirect(url_for("saved.show", name=name), code=303)  # type: ignore[return-value]


@bp.post("/saved/<name>/delete")
def delete(name: str) -> Response:
    same_origin()
    current_archive().research.saved.remove(name)
    return redirect(url_for("saved.index"), code=303)  # type: ignore[return-value]


@bp.get("/saved/<name>/feed.atom")
def atom(name: str) -> Response:
    """The saved search's newest matches as Atom."""
    archive = current_archive()
    saved = archive.research.saved.get(name)
    search = replace(
        saved.request, sort="newest", per_page=FEED_ENTRIES, facets=False, timeline=False
    )
    page = archive.search(search)
    dates = [hit.published.value for hit in page.hits if hit.published]
    body = render_template(
        "atom.xml",
        page=page,
        title=f"{saved.name} ({saved.request.q or 'every article'})",
        self_url=url_for("saved.atom", name=name, _external=True),
        html_url=url_for("saved.show", name=name, _external=True),
        link=url_for("articles.show", article_id="ARTICLEID", _external=True),
        updated=max(dates) if dates else datetime.now(UTC).replace(microsecond=0),
        web_url=is_web_url,
    )
    return Response(body, mimetype="application/atom+xml")


@bp.get("/api/saved")
def api_index() -> Response:
    """Every saved search as JSON."""
    found = current_archive().research.saved.all()
    return jsonify(
        [
            {
                **saved.to_dict(),
                "links": {
                    "html": url_for("saved.show", name=saved.name),
                    "results": results(saved.request),
                },
            }
            for saved in found
        ]
    )


@bp.get("/api/saved/<name>")
def api_show(name: str) -> Response:
    """A saved search and its new matches as JSON (reading marks nothing as seen)."""
    view = current_archive().research.saved.view(name)
    data = view.to_dict()
    data["links"] = {
        "html": url_for("saved.show", name=name),
        "atom": url_for("saved.atom", name=name),
        "results": results(view.saved.request),
    }
    return jsonify(data)


def _article_href(search: SearchRequest) -> str:
    """The query string an article link carries, so the article marks the search's words."""
    pairs = params.to_pairs(search, page=False)
    return f"?{urlencode(pairs)}" if pairs else ""
