"""The OpenSearch index: analysis, mapping, and articles to and from documents.

The analysis mirrors the embedded engine's (``whoosh.schema``): words lower-cased, Chinese,
Japanese and Korean text as overlapping character pairs, the same stop words
(``archive.stopwords``) and two-letter minimum, accents folded, Snowball English (Porter2)
stems; names are not stemmed. A dotted abbreviation (``U.N.``) is one word without its dots,
never a stop word, as ``archive.words`` has it: a character filter turns the dots between
single letters into ``_`` (which keeps the standard tokenizer from splitting them and the
stop filter from knowing the word), and a token filter drops those ``_`` after the stop
filter.

A bare word is scored once over headline and text together, as the embedded engine's
BM25F does: the ``text`` field holds the headline twice (its weight) and the body once, so
one BM25 saturation and one idf cover both. Phrases, prefixes and fields named in the query
search ``title`` and ``body`` on their own, with the headline boosted.

Prefixes and fuzzy words look in ``title.surface`` and ``body.surface``: the words as
written (lower case, accents folded, stop words out, not stemmed), which articles hold them
and nothing more, as the embedded engine's ``words`` and ``body_words``.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from archive.engines.documents import published_from, stored_meta
from archive.models import Article
from archive.stopwords import ENGLISH

#: BM25's parameters, as the embedded engine's (``engines/whoosh/rank.py``)
K1 = 2.0
B = 0.75
#: the stop words both engines drop
STOP_WORDS = sorted(ENGLISH)
#: words shorter than this are not indexed in text fields (as in the embedded engine)
MIN_WORD = 2
#: the weight of each field, as in the embedded engine; ``text`` repeats the headline this
#: many times
FIELD_BOOSTS = {"title": 2.0, "body": 1.0, "byline": 1.0, "source": 1.0, "tags": 1.0}
#: fields of the query language mapped to the keyword fields that hold exact values
EXACT = {
    "source": "source.exact",
    "byline": "byline.exact",
    "tags": "tags.exact",
    "language": "language",
    "year": "year",
    "format": "format",
}

#: a dot between two single letters (Java regex: a letter not preceded by a word character,
#: a dot, a letter not followed by one), the rule of ``archive.words.ACRONYM``
ACRONYM_DOT = r"(?<=(?<![\p{L}\p{N}_])\p{L})\.(?=\p{L}(?![\p{L}\p{N}_]))"
#: the ``_`` the character filter put between single letters
ACRONYM_JOIN = r"(?<=(?:^|_)\p{L})_(?=\p{L}(?:_|$))"

ANALYSIS: dict[str, Any] = {
    "tokenizer": {
        # words as ``archive.words.WORD`` finds them after the abbreviation character filter
        # (apostrophes split words: "government's" holds "government"), for the words as
        # written
        "archive_words": {"type": "pattern", "pattern": r"(?U)\w+(?:\.?\w+)*", "group": 0}
    },
    "char_filter": {
        "archive_acronym_dots": {
            "type": "pattern_replace",
            "pattern": ACRONYM_DOT,
            "replacement": "_",
        },
    },
    "filter": {
        "archive_acronym_join": {
            "type": "pattern_replace",
            "pattern": ACRONYM_JOIN,
            "replacement": "",
            "all": True,
        },
        "archive_stop": {"type": "stop", "stopwords": STOP_WORDS},
        "archive_min_word": {"type": "length", "min": MIN_WORD},
        "archive_stem": {"type": "stemmer", "language": "porter2"},
    },
    "analyzer": {
        "archive_text": {
            "type": "custom",
            "char_filter": ["archive_acronym_dots"],
            "tokenizer": "standard",
            "filter": [
                "cjk_width",
                "lowercase",
                "cjk_bigram",
                "archive_stop",
                "archive_min_word",
                "archive_acronym_join",
                "asciifolding",
                "archive_stem",
            ],
        },
        "archive_names": {
            "type": "custom",
            "tokenizer": "standard",
            "filter": ["cjk_width", "lowercase", "cjk_bigram", "asciifolding"],
        },
        "archive_surface": {
            "type": "custom",
            "char_filter": ["archive_acronym_dots"],
            "tokenizer": "archive_words",
            "filter": [
                "cjk_width",
                "lowercase",
                "archive_stop",
                "archive_min_word",
                "archive_acronym_join",
                "asciifolding",
            ],
        },
        "archive_surface_query": {
            "type": "custom",
            "char_filter": ["archive_acronym_dots"],
            "tokenizer": "archive_words",
            "filter": ["cjk_width", "lowercase", "archive_acronym_join", "asciifolding"],
        },
    },
}
#: the words of a text field as written; a prefix or fuzzy word is folded as a name is (stop
#: words kept: ``the*`` looks for words starting with "the")
SURFACE = {
    "type": "text",
    "analyzer": "archive_surface",
    "search_analyzer": "archive_surface_query",
    "index_options": "docs",
    "norms": False,
}


def _names() -> dict[str, Any]:
    """A name (byline, source, tag): searchable words plus the exact value for facets."""
    return {
        "type": "text",
        "analyzer": "archive_names",
        "fields": {"exact": {"type": "keyword", "ignore_above": 1024}},
    }


MAPPING: dict[str, Any] = {
    "dynamic": "strict",
    "_source": {"excludes": ["text"]},
    "properties": {
        "id": {"type": "keyword"},
        "title": {
            "type": "text",
            "analyzer": "archive_text",
            "copy_to": "text",
            # the headline words completions offer are counted by a terms aggregation,
            # which reads a text field's words through fielddata (headlines are short)
            "fields": {"surface": {**SURFACE, "fielddata": True}},
        },
        "body": {
            "type": "text",
            "analyzer": "archive_text",
            "index_options": "offsets",
            "copy_to": "text",
            "fields": {"surface": SURFACE},
        },
        "text": {"type": "text", "analyzer": "archive_text"},
        "byline": _names(),
        "source": _names(),
        "tags": _names(),
        "language": {"type": "keyword"},
        "format": {"type": "keyword"},
        "year": {"type": "keyword"},
        "published": {"type": "date"},
        # the story an article is a copy of (its own id when it heads one); see
        # ``copies``
        "group": {"type": "keyword"},
        "copy": {"type": "boolean"},
        "meta": {"type": "object", "enabled": False},
    },
}


def index_body(shards: int, replicas: int, max_window: int) -> dict[str, Any]:
    """The settings and mapping of a new generation."""
    return {
        "settings": {
            "index": {
                "number_of_shards": shards,
                "number_of_replicas": replicas,
                "max_result_window": max_window,
                # BM25 with the embedded engine's parameters (``whoosh.rank``)
                "similarity": {"default": {"type": "BM25", "k1": K1, "b": B}},
            },
            "analysis": ANALYSIS,
        },
        "mappings": MAPPING,
    }


def to_document(article: Article) -> dict[str, Any]:
    """The OpenSearch document (``_source``) for an article."""
    doc: dict[str, Any] = {
        "id": article.id,
        "title": article.title,
        "body": article.body,
        # with the copies of title and body, the headline counts twice in ``text``
        "text": [article.title] * (int(FIELD_BOOSTS["title"]) - 1),
        "byline": article.byline,
        "source": article.source,
        "tags": list(article.tags),
        "language": article.language,
        "format": article.format,
        "group": article.group or article.id,
        "copy": bool(article.group and article.group != article.id),
        "meta": stored_meta(article),
    }
    if article.published:
        value = article.published.value.astimezone(UTC)
        doc["published"] = value.isoformat()
        doc["year"] = f"{value:%Y}"
    return doc


def from_document(source: dict[str, Any]) -> Article:
    """The article a stored document holds."""
    meta = source.get("meta") or {}
    return Article(
        id=source["id"],
        title=source.get("title") or "",
        body=source.get("body") or "",
        title_derived=bool(meta.get("td")),
        byline=source.get("byline"),
        source=source.get("source"),
        published=published_from(meta),
        url=meta.get("u"),
        language=source.get("language"),
        tags=tuple(source.get("tags") or ()),
        source_path=meta.get("sp", ""),
        record=meta.get("r", ""),
        content_hash=meta.get("h", ""),
        format=source.get("format") or "",
        group=source.get("group") if source.get("group") != source["id"] else None,
    )
