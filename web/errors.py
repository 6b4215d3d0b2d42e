"""The one error handler: every failure becomes one status and one shape, HTML or JSON.

``ArchiveError`` children carry their HTTP status (a bad query is 400, an unknown article
404, a busy or missing index 503); Werkzeug's HTTP errors keep theirs; anything else is a
500 whose details go to the log, never to the page. API, feed and export routes answer
``{"error": {"status": ..., "message": ...}}``; pages answer an HTML page with the same
message and, for a query error, the search box with the problem marked.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from flask.globals import request_ctx
from werkzeug.exceptions import HTTPException

from archive.errors import ArchiveError, QueryError

log = logging.getLogger(__name__)

#: path prefixes answered in JSON
JSON_PREFIXES = ("/api/", "/export.", "/feed.", "/opensearch.")
#: path endings answered in JSON (the research tools' downloads and feeds)
JSON_SUFFIXES = (".csv", ".atom")
TITLES = {
    400: "This search cannot be run",
    404: "Not found",
    405: "Method not allowed",
    503: "The archive is not ready",
}


@dataclass(frozen=True)
class Problem:
    """What went wrong, in the words shown to the user."""

    status: int
    message: str
    position: int | None = None

    def to_dict(self) -> dict[str, Any]:
        error: dict[str, Any] = {"status": self.status, "message": self.message}
        if self.position is not None:
            error["position"] = self.position
        return {"error": error}


def register(app: Flask) -> None:
    """Route every exception of ``app`` through ``handle``."""
    app.register_error_handler(Exception, handle)


def problem(exc: Exception) -> Problem:
    """The status and message for ``exc``."""
    if isinstance(exc, ArchiveError):
        position = exc.position if isinstance(exc, QueryError) else None
        return Problem(exc.http_status, exc.public or str(exc), position)
    if isinstance(exc, HTTPException):
        return Problem(exc.code or 500, exc.description or exc.name)
    log.exception("unexpected error answering %s", request.path)
    return Problem(500, "Something went wrong on our side; the details are in the server log.")


def handle(exc: Exception) -> Response:
    """The response for any exception raised while answering a request."""
    found = problem(exc)
    if found.status >= 500 and isinstance(exc, ArchiveError):
        log.warning("%s: %s", request.path, exc)
    if wants_json() or request_ctx.url_adapter is None:
        response = jsonify(found.to_dict())
    else:
        response = Response(render_template("error.html", problem=found, **_context(found)))
    response.status_code = found.status
    if isinstance(exc, HTTPException):
        response.headers.update((k, v) for k, v in exc.get_headers() if k == "Allow")
    if found.status == 503:
        response.headers["Retry-After"] = "30"
    return response


def wants_json() -> bool:
    """API, feeds and exports answer errors in JSON; pages in HTML."""
    return request.path.startswith(JSON_PREFIXES) or request.path.endswith(JSON_SUFFIXES)


def _context(found: Problem) -> dict[str, Any]:
    """The search box contents for the error page, with a query error's place marked."""
    q = request.args.get("q", "") if request.args else ""
    q = q if isinstance(q, str) else ""
    context: dict[str, Any] = {"q": q, "title": TITLES.get(found.status, "Something went wrong")}
    position = found.position
    if position is not None and 0 <= position <= len(q.strip()):
        text = q.strip()
        context["marked"] = (
            text[:position],
            text[position : position + 1] or " ",
            text[position + 1 :],
        )
    return context
