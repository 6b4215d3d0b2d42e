"""The OpenAPI description of the research tools' JSON, CSV and feeds (``web.openapi``
joins it to the rest); checked against the routes by the Schemathesis test."""

from __future__ import annotations

from typing import Any

from archive.models.research import SCORES, UNITS
from archive.research.compare import MAX_QUERIES
from archive.research.kwic import MAX_WIDTH
from archive.research.kwic import SORTS as ORDERS
from web.openapi_schemas import NULLABLE, STRING, query_parameter
from web.research_params import MAX_TERMS, MEASURES

INTEGER: dict[str, Any] = {"type": "integer"}
ARRAY_OF_STRINGS: dict[str, Any] = {"type": "array", "items": STRING}


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref("Error")}}}


def _get(summary: str, parameters: list[dict[str, Any]], ok: dict[str, Any], *more: str) -> dict:
    responses = {
        "200": ok,
        "400": _error("bad parameters or query syntax"),
        "503": _error("the index is busy or cannot be opened"),
    }
    if "404" in more:
        responses["404"] = _error("no saved search has that name")
    return {"get": {"summary": summary, "parameters": parameters, "responses": responses}}


def _json(schema: str, description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref(schema)}}}


def _media(media_type: str, description: str) -> dict[str, Any]:
    return {"description": description, "content": {media_type: {"schema": STRING}}}


def research_paths(filters: list[dict[str, Any]], max_query_length: int) -> dict[str, Any]:
    """The research routes; ``filters`` are the search parameters without paging."""
    rest = [parameter for parameter in filters if parameter["name"] != "q"]
    queries = query_parameter(
        "q",
        {
            "type": "array",
            "items": {"type": "string", "maxLength": max_query_length},
            "maxItems": MAX_QUERIES,
        },
        f"the queries to compare, one per series (up to {MAX_QUERIES}); none: every article",
    )
    queries.update(style="form", explode=True)
    chart = [
        queries,
        *rest,
        query_parameter("by", {"type": "string", "enum": ["auto", *UNITS]}, "the period"),
        query_parameter("measure", {"type": "string", "enum": list(MEASURES)}, "share or count"),
    ]
    words = [
        *filters,
        query_parameter("score", {"type": "string", "enum": list(SCORES)}, "significance score"),
        query_parameter(
            "n", {"type": "integer", "minimum": 1, "maximum": MAX_TERMS}, "terms of each kind"
        ),
    ]
    kwic = [
        *filters,
        query_parameter("order", {"type": "string", "enum": list(ORDERS)}, "order of the lines"),
        query_parameter(
            "width",
            {"type": "integer", "minimum": 10, "maximum": MAX_WIDTH},
            "characters of context either side",
        ),
    ]
    page = query_parameter("page", {"type": "integer", "minimum": 1}, "page of lines, from 1")
    check = query_parameter(
        "check",
        {"type": "string", "maxLength": 20_000},
        "a citation to check (its compact line or JSON)",
    )
    name = {
        "name": "name",
        "in": "path",
        "required": True,
        "schema": {"type": "string", "maxLength": 80},
    }
    return {
        "/api/compare": _get(
            "Queries per period, with the archive's coverage and shares",
            chart,
            _json("Comparison", "the series"),
        ),
        "/compare.csv": _get(
            "The comparison as CSV, headed by its citations", chart, _media("text/csv", "CSV")
        ),
        "/api/words": _get(
            "The words, phrases, sources and bylines that characterise a search's matches",
            words,
            _json("WordsReport", "the terms"),
        ),
        "/words.csv": _get("The characteristic terms as CSV", words, _media("text/csv", "CSV")),
        "/api/kwic": _get(
            "One page of keyword-in-context lines", [*kwic, page], _json("KwicPage", "the lines")
        ),
        "/kwic.csv": _get(
            "Every keyword-in-context line as CSV (streamed)", kwic, _media("text/csv", "CSV")
        ),
        "/api/cite": _get(
            "The citation of a search's count, or the check of a citation",
            [*filters, check],
            _json("CitationOrCheck", "citation or check"),
        ),
        "/api/saved": _get(
            "Every saved search",
            [],
            {
                "description": "the saved searches",
                "content": {
                    "application/json": {"schema": {"type": "array", "items": _ref("SavedSearch")}}
                },
            },
        ),
        "/api/saved/{name}": _get(
            "A saved search and its matches new since seen",
            [name],
            _json("SavedView", "the saved search"),
            "404",
        ),
        "/saved/{name}/feed.atom": _get(
            "A saved search's newest matches as Atom",
            [name],
            _media("application/atom+xml", "the feed"),
            "404",
        ),
    }


_FILTERS = {"type": "object"}
_CITATION = {
    "type": "object",
    "required": ["query", "count", "fingerprint", "compact"],
    "properties": {
        "query": STRING,
        "filters": _FILTERS,
        "count": INTEGER,
        "fingerprint": STRING,
        "engine": STRING,
        "generation": STRING,
        "at": STRING,
        "compact": STRING,
    },
}
_POINT = {
    "type": "object",
    "properties": {
        "label": STRING,
        "start": STRING,
        "end": STRING,
        "count": INTEGER,
        "total": INTEGER,
        "share": {"type": "number", "nullable": True},
        "covered": {"type": "boolean"},
    },
}
_TERM = {
    "type": "object",
    "properties": {
        "kind": STRING,
        "text": STRING,
        "key": STRING,
        "foreground": INTEGER,
        "background": INTEGER,
        "score": {"type": "number"},
        "links": {"type": "object"},
    },
}
_LINE = {
    "type": "object",
    "properties": {
        "id": STRING,
        "title": STRING,
        "published": {"type": "object", "nullable": True},
        "source": NULLABLE,
        "field": STRING,
        "offset": INTEGER,
        "left": STRING,
        "keyword": STRING,
        "right": STRING,
    },
}
_SAVED = {
    "name": STRING,
    "q": STRING,
    "filters": _FILTERS,
    "created": STRING,
    "seen_at": NULLABLE,
    "total": INTEGER,
    "new": INTEGER,
    "links": {"type": "object"},
}
RESEARCH_SCHEMAS: dict[str, Any] = {
    "Citation": _CITATION,
    "Comparison": {
        "type": "object",
        "required": ["unit", "series"],
        "properties": {
            "unit": STRING,
            "auto_unit": {"type": "boolean"},
            "filters": _FILTERS,
            "coverage": {"type": "array", "items": {"type": "object"}},
            "series": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "label": STRING,
                        "q": STRING,
                        "total": INTEGER,
                        "dated": INTEGER,
                        "points": {"type": "array", "items": _POINT},
                        "citation": _CITATION,
                    },
                },
            },
            "took_ms": {"type": "number"},
            "links": {"type": "object"},
        },
    },
    "WordsReport": {
        "type": "object",
        "required": ["total", "groups", "citation"],
        "properties": {
            "q": STRING,
            "filters": _FILTERS,
            "total": INTEGER,
            "score": STRING,
            "groups": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "kind": STRING,
                        "foreground": INTEGER,
                        "background": INTEGER,
                        "sampled": {"type": "boolean"},
                        "terms": {"type": "array", "items": _TERM},
                    },
                },
            },
            "citation": _CITATION,
            "took_ms": {"type": "number"},
            "links": {"type": "object"},
        },
    },
    "KwicPage": {
        "type": "object",
        "required": ["lines", "page", "has_next", "citation"],
        "properties": {
            "q": STRING,
            "filters": _FILTERS,
            "sort": STRING,
            "page": INTEGER,
            "per_page": INTEGER,
            "has_next": {"type": "boolean"},
            "total": INTEGER,
            "lines": {"type": "array", "items": _LINE},
            "citation": _CITATION,
            "took_ms": {"type": "number"},
            "links": {"type": "object"},
        },
    },
    "CitationOrCheck": {
        "type": "object",
        "description": "a Citation, or with check= the check: holds, recorded, added, "
        "removed, cited and now",
        "properties": {
            **_CITATION["properties"],
            "holds": {"type": "boolean"},
            "recorded": {"type": "boolean"},
            "added": {"type": "integer", "nullable": True},
            "removed": {"type": "integer", "nullable": True},
            "added_ids": ARRAY_OF_STRINGS,
            "removed_ids": ARRAY_OF_STRINGS,
            "cited": _CITATION,
            "now": _CITATION,
            "links": {"type": "object"},
        },
    },
    "SavedSearch": {"type": "object", "required": ["name", "total"], "properties": _SAVED},
    "SavedView": {
        "type": "object",
        "required": ["name", "new_hits"],
        "properties": {
            **_SAVED,
            "new_hits": {"type": "array", "items": _ref("Hit")},
            "citation": _CITATION,
        },
    },
}
