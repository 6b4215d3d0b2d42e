"""The OpenAPI 3.0 description of the JSON API, the feed and the exports.

Kept beside the routes it describes and checked against them by the Schemathesis test.
"""

from __future__ import annotations

from typing import Any

from archive.config import Settings
from web.openapi_research import RESEARCH_SCHEMAS, research_paths
from web.openapi_schemas import SCHEMAS, STRING, query_parameter
from web.params import FILTERS

FILTER_HELP = {
    "source": "only articles from this source (repeat for any of several)",
    "byline": "only articles with this byline (repeatable)",
    "tag": "only articles with this tag (repeatable)",
    "lang": "only articles in this language code (repeatable)",
}


def search_parameters(
    settings: Settings, *, paged: bool = True, switches: bool = False
) -> list[dict[str, Any]]:
    """The parameters every search route shares (``web.params`` reads them)."""
    out = [
        query_parameter(
            "q",
            {"type": "string", "maxLength": settings.max_query_length},
            'the query (see /help): words, "phrases", OR, -word, field:value, word*',
        ),
        query_parameter(
            "sort",
            {"type": "string", "enum": ["relevance", "newest", "oldest"]},
            "order of results; relevance when there is a query, else newest",
        ),
        query_parameter(
            "from",
            {"type": "string", "format": "date"},
            "published on or after this day (YYYY-MM-DD)",
        ),
        query_parameter(
            "to",
            {"type": "string", "format": "date"},
            "published on or before this day (YYYY-MM-DD)",
        ),
        query_parameter(
            "mode",
            {"type": "string", "enum": ["all", "any"]},
            "whether bare words must all match (default) or any of them",
        ),
        query_parameter(
            "strict",
            {"type": "boolean"},
            "all the words even when no article has them all (by default a query of plain "
            "words then gets the any-word ranking)",
        ),
        query_parameter(
            "include_held",
            {"type": "boolean"},
            "also articles their agency marked not for publication, embargoed or as service "
            "messages (tags not-for-publication, embargoed, service-message), which are left "
            "out unless a tag filter or tag: in the query names one of those",
        ),
    ]
    for name in FILTERS:
        parameter = query_parameter(
            name, {"type": "array", "items": STRING, "maxItems": 20}, FILTER_HELP[name]
        )
        parameter.update(style="form", explode=True)
        out.append(parameter)
    if paged:
        out += [
            query_parameter("page", {"type": "integer", "minimum": 1}, "page number, from 1"),
            query_parameter(
                "per_page",
                {"type": "integer", "minimum": 1, "maximum": settings.max_per_page},
                "results per page (larger values are clamped to the largest served)",
            ),
        ]
    if switches:
        out += [
            query_parameter(name, {"type": "boolean"}, f"include {name} (default true)")
            for name in ("snippets", "facets", "timeline")
        ]
    return out


def _error_response(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _json(schema: str, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }


def _media(media_type: str, description: str) -> dict[str, Any]:
    return {"description": description, "content": {media_type: {"schema": STRING}}}


ERRORS = {
    "400": _error_response("bad parameters or query syntax"),
    "503": _error_response(
        "the index is busy, missing or cannot be opened (nothing indexed yet, or the data "
        "directory is gone)"
    ),
}


def _get(
    summary: str, parameters: list[dict[str, Any]], ok: dict[str, Any], **more: dict[str, Any]
) -> dict[str, Any]:
    return {
        "get": {
            "summary": summary,
            "parameters": parameters,
            "responses": {"200": ok, **ERRORS, **more},
        }
    }


def spec(base_url: str, settings: Settings) -> dict[str, Any]:
    """The description, with ``base_url`` (this server) as its server."""
    article_id = {
        "name": "article_id",
        "in": "path",
        "required": True,
        "schema": {"type": "string", "maxLength": 64},
    }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "News archive API",
            "version": "1.0",
            "description": "Search the archive; the HTML pages show the same objects.",
        },
        "servers": [{"url": base_url}],
        "paths": {
            "/api/search": _get(
                "One page of results with facets and timeline",
                search_parameters(settings, switches=True),
                _json("SearchPage", "the results"),
            ),
            "/api/articles/{article_id}": _get(
                "One article",
                [article_id],
                _json("Article", "the article"),
                **{"404": _error_response("no such article")},
            ),
            "/api/complete": _get(
                "Completions for the search box",
                [
                    query_parameter(
                        "q",
                        {"type": "string", "maxLength": settings.max_query_length},
                        "what has been typed so far",
                    ),
                    query_parameter(
                        "limit", {"type": "integer", "minimum": 1, "maximum": 20}, "at most"
                    ),
                ],
                _json("Completion", "queries and headlines"),
            ),
            "/api/stats": _get("What the archive holds", [], _json("Stats", "the counts")),
            "/api/openapi.json": _get(
                "This description",
                [],
                {
                    "description": "OpenAPI 3.0",
                    "content": {"application/json": {"schema": {"type": "object"}}},
                },
            ),
            "/feed.atom": _get(
                "An Atom feed of a search, newest first",
                search_parameters(settings, paged=False),
                _media("application/atom+xml", "the feed"),
            ),
            "/export.csv": _get(
                "Every result of a search as CSV (streamed, no cap)",
                search_parameters(settings, paged=False),
                _media("text/csv", "CSV"),
            ),
            "/export.jsonl": _get(
                "Every result of a search as JSON Lines (streamed, no cap)",
                search_parameters(settings, paged=False),
                _media("application/x-ndjson", "one hit per line"),
            ),
            "/opensearch.xml": _get(
                "The OpenSearch description",
                [],
                _media("application/opensearchdescription+xml", "OpenSearch 1.1"),
            ),
            **research_paths(search_parameters(settings, paged=False), settings.max_query_length),
        },
        "components": {"schemas": {**SCHEMAS, **RESEARCH_SCHEMAS}},
    }
