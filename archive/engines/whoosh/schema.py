"""The Whoosh schema: analysis, fields, and the conversion of articles to and from documents."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC
from typing import Any

from whoosh import analysis, fields
from whoosh.support.charset import accent_map

from archive.engines.documents import published_from, stored_meta
from archive.engines.whoosh.analysis import SurfaceFilter, TextFilter, WordTokenizer
from archive.engines.whoosh.cjk import CJKBigramFilter
from archive.models import Article
from archive.stopwords import ENGLISH

#: the weight of a word's occurrences in each field: BM25F adds a headline occurrence as two
#: body occurrences before saturating (``rank``); phrases and prefixes are boosted so
FIELD_BOOSTS = {"title": 2.0, "body": 1.0, "byline": 1.0, "source": 1.0, "tags": 1.0}
#: the stemmed text fields and the fields holding their words as written (lower case,
#: accents folded, stop words out, not stemmed), where prefixes and fuzzy words look
SURFACE = {"title": "words", "body": "body_words"}
#: fields of the query language mapped to the keyword fields that hold exact values
EXACT = {
    "source": "source_exact",
    "byline": "byline_exact",
    "tags": "tags_exact",
    "language": "language",
    "year": "year",
    "format": "format",
}


def text_analyzer() -> analysis.Analyzer:
    """Words (``archive.words``), Chinese/Japanese/Korean as character bigrams, lower case,
    the Snowball English stop words out, accents folded, English (Porter2) stems."""
    return WordTokenizer() | TextFilter(stoplist=ENGLISH)


def name_analyzer() -> analysis.Analyzer:
    """Names (bylines, sources, tags) as words: lower case, accents folded, no stems."""
    return (
        analysis.RegexTokenizer() | analysis.LowercaseFilter() | analysis.CharsetFilter(accent_map)
    )


#: positions left between two tags, so that no phrase (slop at most 20) spans two of them,
#: as OpenSearch leaves between the values of a field
TAG_GAP = 100


class ValuesTokenizer(analysis.Tokenizer):
    """Words of newline-separated values (tags), the positions of each value ``TAG_GAP``
    after the last one of the value before."""

    def __init__(self) -> None:
        self.words = analysis.RegexTokenizer()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ValuesTokenizer)

    def __hash__(self) -> int:
        return hash(ValuesTokenizer)

    def __call__(self, value: str, **options: Any) -> Iterator[analysis.Token]:
        position = options.pop("start_pos", 0)
        start = options.pop("start_char", 0)
        for line in value.split("\n"):
            last = position - 1
            for token in self.words(line, start_pos=position, start_char=start, **options):
                last = token.pos if token.positions else last
                yield token
            position = last + 1 + TAG_GAP
            start += len(line) + 1


def tags_analyzer() -> analysis.Analyzer:
    """Tags as names (lower case, accents folded, no stems), each a phrase of its own."""
    return ValuesTokenizer() | analysis.LowercaseFilter() | analysis.CharsetFilter(accent_map)


def spelling_analyzer() -> analysis.Analyzer:
    """Words as written (lower case, accents folded, no stems): the same words the text
    analyser keeps, before stemming. Spelling suggestions and autocomplete offer them
    (real words, not stems); prefixes and fuzzy words are matched against them."""
    return WordTokenizer() | CJKBigramFilter() | SurfaceFilter(stoplist=ENGLISH)


def schema() -> fields.Schema:
    text = text_analyzer()
    names = name_analyzer()
    return fields.Schema(
        id=fields.ID(unique=True, stored=True),
        title=fields.TEXT(analyzer=text, stored=True),
        body=fields.TEXT(analyzer=text, stored=True),
        words=fields.TEXT(analyzer=spelling_analyzer(), phrase=False),
        # which articles hold a word as written, nothing more (no frequencies or positions)
        body_words=fields.ID(analyzer=spelling_analyzer()),
        byline=fields.TEXT(analyzer=names, stored=True, phrase=True),
        source=fields.TEXT(analyzer=names, stored=True, phrase=True),
        tags=fields.TEXT(analyzer=tags_analyzer(), phrase=True),
        source_exact=fields.ID(sortable=True),
        byline_exact=fields.ID(sortable=True),
        tags_exact=fields.KEYWORD(commas=True, stored=True),
        language=fields.ID(stored=True, sortable=True),
        year=fields.ID(sortable=True),
        day=fields.ID(sortable=True),
        format=fields.ID(stored=True),
        group=fields.ID(stored=True, sortable=True),
        copy=fields.ID(),
        ts=fields.NUMERIC(numtype=int, bits=64, signed=True, sortable=True),
        dated=fields.NUMERIC(numtype=int, bits=8, sortable=True),
        meta=fields.STORED,
    )


def to_document(article: Article) -> dict[str, Any]:
    """The Whoosh document for an article."""
    doc: dict[str, Any] = {
        "id": article.id,
        "title": article.title,
        "words": article.title,
        "body": article.body,
        "body_words": article.body,
        "format": article.format,
        "group": article.group or article.id,
        "copy": "1" if article.group and article.group != article.id else "0",
        "tags_exact": ",".join(tag.replace(",", " ") for tag in article.tags),
        "dated": 0,
        "meta": json.dumps(stored_meta(article), separators=(",", ":")),
    }
    if article.tags:
        doc["tags"] = "\n".join(article.tags)
    if article.byline:
        doc["byline"] = article.byline
        doc["byline_exact"] = article.byline
    if article.source:
        doc["source"] = article.source
        doc["source_exact"] = article.source
    if article.language:
        doc["language"] = article.language
    if article.published:
        value = article.published.value.astimezone(UTC)  # days and years as OpenSearch's
        doc["ts"] = int(value.timestamp())
        doc["dated"] = 1
        doc["year"] = f"{value:%Y}"
        doc["day"] = f"{value:%Y-%m-%d}"
    return doc


def tags_from(stored: dict[str, Any]) -> tuple[str, ...]:
    raw = stored.get("tags_exact") or ""
    return tuple(tag for tag in raw.split(",") if tag)


def from_document(stored: dict[str, Any]) -> Article:
    """The article a stored Whoosh document holds."""
    meta = json.loads(stored.get("meta") or "{}")
    return Article(
        id=stored["id"],
        title=stored.get("title", ""),
        body=stored.get("body", ""),
        title_derived=bool(meta.get("td")),
        byline=stored.get("byline"),
        source=stored.get("source"),
        published=published_from(meta),
        url=meta.get("u"),
        language=stored.get("language"),
        tags=tags_from(stored),
        source_path=meta.get("sp", ""),
        record=meta.get("r", ""),
        content_hash=meta.get("h", ""),
        format=stored.get("format", ""),
        group=stored.get("group") if stored.get("group") != stored["id"] else None,
    )
