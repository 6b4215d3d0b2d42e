"""JSON Schemas of the API's answers: the ``to_dict`` shapes of ``archive.models``.

Schemathesis checks every answer against them (``tests/test_web_openapi.py``).
"""

from __future__ import annotations

from typing import Any

STRING: dict[str, Any] = {"type": "string"}
NULLABLE: dict[str, Any] = {"type": "string", "nullable": True}


def query_parameter(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    """An optional query-string parameter of an operation."""
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


_PUBDATE = {
    "type": "object",
    "nullable": True,
    "properties": {"value": STRING, "precision": STRING, "original": STRING, "display": STRING},
}
_ARTICLE_FIELDS = {
    "id": STRING,
    "title": STRING,
    "byline": NULLABLE,
    "source": NULLABLE,
    "published": _PUBDATE,
    "url": NULLABLE,
    "language": NULLABLE,
    "tags": {"type": "array", "items": STRING},
    "held": {
        "type": "array",
        "items": {
            "type": "string",
            "enum": ["not-for-publication", "embargoed", "service-message"],
        },
        "description": "the agency's markings that keep the article out of default searches",
    },
}
SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["status", "message"],
                "properties": {
                    "status": {"type": "integer"},
                    "message": STRING,
                    "position": {"type": "integer"},
                },
            }
        },
    },
    "Article": {
        "type": "object",
        "required": ["id", "title", "body"],
        "properties": {
            **_ARTICLE_FIELDS,
            "body": STRING,
            "title_derived": {"type": "boolean"},
            "record": STRING,
            "content_hash": STRING,
            "format": STRING,
        },
    },
    "Hit": {
        "type": "object",
        "required": ["id", "rank", "title"],
        "properties": {
            **_ARTICLE_FIELDS,
            "rank": {"type": "integer"},
            "score": {"type": "number"},
            "snippet": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"text": STRING, "match": {"type": "boolean"}},
                },
            },
            "snippet_text": STRING,
        },
    },
    "SearchPage": {
        "type": "object",
        "required": ["total", "page", "pages", "hits"],
        "properties": {
            "request": {"type": "object"},
            "total": {"type": "integer"},
            "page": {"type": "integer"},
            "pages": {"type": "integer"},
            "mode": {
                "type": "string",
                "enum": ["all", "any"],
                "description": "the mode that answered: any when no article had all the words "
                "of a plain-word query and the any-word ranking stands in",
            },
            "all_words": {
                "type": ["integer", "null"],
                "description": "how many articles have all the words, when the any-word "
                "ranking answers instead; null otherwise",
            },
            "held": {
                "type": "object",
                "description": "articles their agency marked not for publication, embargoed "
                "or as service messages: whether the search includes them, and how many that "
                "match it left out, in all and per status",
                "properties": {
                    "included": {"type": "boolean"},
                    "left_out": {"type": "integer"},
                    "statuses": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {"value": STRING, "count": {"type": "integer"}},
                        },
                    },
                },
            },
            "took_ms": {"type": "number"},
            "explanation": STRING,
            "terms": {"type": "array", "items": STRING},
            "hits": {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}},
            "facets": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "name": STRING,
                        "values": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "value": STRING,
                                    "count": {"type": "integer"},
                                    "selected": {"type": "boolean"},
                                },
                            },
                        },
                    },
                },
            },
            "timeline": {
                "type": "object",
                "properties": {
                    "unit": STRING,
                    "buckets": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "label": STRING,
                                "start": STRING,
                                "end": STRING,
                                "count": {"type": "integer"},
                            },
                        },
                    },
                },
            },
            "links": {"type": "object"},
        },
    },
    "Stats": {
        "type": "object",
        "required": ["articles"],
        "properties": {
            "articles": {"type": "integer"},
            "sources": {"type": "integer"},
            "failed_sources": {"type": "integer"},
            "engine": STRING,
            "generation": STRING,
            "formats": {"type": "object", "additionalProperties": {"type": "integer"}},
            "last_indexed": NULLABLE,
        },
    },
    "Completion": {
        "type": "object",
        "required": ["prefix", "queries", "titles"],
        "properties": {
            "prefix": STRING,
            "queries": {"type": "array", "items": STRING},
            "titles": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"id": STRING, "title": STRING},
                },
            },
        },
    },
}
