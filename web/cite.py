"""Citations: the citation of a search's count, and checking a citation made before.

``/cite?q=...`` cites a search as it stands now (and records the ids behind the figure);
``/cite?check=CITATION`` re-runs a citation (its compact line or its JSON) and says
whether the figure still holds, and if not, what was added and removed since.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, render_template, request

from archive.errors import QueryError
from web.context import current_archive, current_search
from web.research_links import at, links, results

bp = Blueprint("cite", __name__)

#: longest citation text accepted (a compact citation is a few hundred characters)
MAX_CITATION = 20_000


def _check_text() -> str | None:
    text = (request.args.get("check") or "").strip()
    if len(text) > MAX_CITATION:
        raise QueryError(f"a citation is at most {MAX_CITATION:,} characters")
    return text or None


@bp.get("/cite")
def page() -> str:
    """A search's citation, or the check of a citation."""
    research = current_archive().research
    text = _check_text()
    if text is not None:
        check = research.check(text)
        return render_template(
            "cite.html",
            check=check,
            citation=None,
            research=links(check.now.request),
            twin=at("cite.api", check.now.request, check=text),
        )
    search = current_search()
    return render_template(
        "cite.html",
        check=None,
        citation=research.cite(search),
        research=links(search),
        twin=at("cite.api", search),
    )


@bp.get("/api/cite")
def api() -> Response:
    """The citation as JSON, or the result of checking one."""
    research = current_archive().research
    text = _check_text()
    if text is not None:
        check = research.check(text)
        data = check.to_dict()
        data["links"] = {"results": results(check.now.request)}
        return jsonify(data)
    search = current_search()
    data = research.cite(search).to_dict()
    data["links"] = {"results": results(search), "html": at("cite.page", search)}
    return jsonify(data)
