"""Parsing one source into articles, in a worker process of the bulk pipeline.

Everything a source's articles need that does not depend on the index happens here
(format detection, parsing, length and time limits, language detection, copy
fingerprints), so it runs in the parsing processes rather than beside the writer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from archive.errors import ParseError
from archive.indexing import languages
from archive.indexing.fingerprints import Fingerprint, fingerprint
from archive.indexing.timelimit import Overtime, time_limit
from archive.ingest import formats, keys
from archive.ingest.articles import SourceDoc, content_hash
from archive.ingest.inflating import Unpacked
from archive.models import Article, RecordFailure, SourceRecord

log = logging.getLogger(__name__)

#: formats that hold one article per source, and the most bytes a character of article
#: text can take in them: a larger source cannot hold an article within the limit on
#: its length, so it is refused before it is parsed (parsing it would cost the most)
ONE_ARTICLE = {"text": 4}


@dataclass
class Parsed:
    """The outcome of parsing one source (picklable: it crosses process boundaries)."""

    key: str
    size: int
    content_hash: str
    format: str = ""
    articles: list[Article] = field(default_factory=list)
    #: the copy-detection fingerprint of each article, computed beside the parse
    prints: list[Fingerprint] = field(default_factory=list)
    failures: list[RecordFailure] = field(default_factory=list)
    error: str | None = None
    #: the error says nothing of the content (the parse ran out of time): what the source
    #: gave is kept
    transient: bool = False
    #: bytes unpacked while parsing (a gzipped web archive), for the run's budget
    unpacked: int = 0
    #: for a rebuild that could not read the source: its record, its articles taken from
    #: the live index
    carried: SourceRecord | None = None
    #: what the engine writer's ``prepare`` made of the articles (None: nothing)
    prepared: Any = None


def parse_source(
    key: str,
    data: bytes,
    max_chars: int = 0,
    seconds: float = 0,
    max_unpacked: int = 1 << 30,
    prepare: Callable[[list[Article]], Any] | None = None,
) -> Parsed:
    """Parse one source; never raises: every problem becomes ``error`` or a record failure.

    An article whose text is longer than ``max_chars`` is refused as a record failure,
    and a parse that takes longer than ``seconds`` refuses the whole source (0: no limit).
    The per-article work that needs no index (language detection, copy fingerprints) is
    done here too, so it runs in the parsing processes rather than beside the writer,
    and so is the engine writer's ``prepare`` (analysis into arrays), if it has one.
    A web archive unpacks at most ``max_unpacked`` bytes.
    """
    parsed = Parsed(key=key, size=len(data), content_hash=content_hash(data))
    unpacked = Unpacked(limit=max_unpacked)
    try:
        with time_limit(seconds):
            parsed.format = formats.detect(data, keys.name_of(key))
            _check_size(parsed.format, len(data), max_chars)
            doc = SourceDoc(key, data, parsed.content_hash, unpacked)
            for item in formats.parse(doc, parsed.format):
                if isinstance(item, RecordFailure):
                    parsed.failures.append(item)
                elif max_chars and len(item.body) > max_chars:
                    parsed.failures.append(_too_long(item, max_chars))
                else:
                    parsed.articles.append(languages.with_language(item))
        parsed.prints = [fingerprint(article) for article in parsed.articles]
        if prepare is not None and parsed.articles:
            parsed.prepared = prepare(parsed.articles)
    except Overtime:
        parsed.articles.clear()
        parsed.prints.clear()
        parsed.prepared = None
        parsed.error = f"parsing took longer than {seconds:g} s; the source was refused"
        parsed.transient = True
    except ParseError as exc:
        parsed.error = str(exc)
    except Exception as exc:  # a parser bug must not stop a bulk run
        log.exception("parser for %s failed on %s", parsed.format or "detection", key)
        parsed.error = f"the {parsed.format or 'format'} parser failed: {type(exc).__name__}: {exc}"
    if parsed.error is None and not parsed.articles:
        reasons = "; ".join(f.reason for f in parsed.failures[:3])
        parsed.error = f"no articles found ({reasons})" if reasons else "no articles found"
    parsed.unpacked = unpacked.bytes
    return parsed


def _check_size(fmt: str, size: int, max_chars: int) -> None:
    """Refuse, before parsing, a one-article source too large to hold a short enough article."""
    per_char = ONE_ARTICLE.get(fmt)
    if per_char and max_chars and size > per_char * max_chars:
        raise ParseError(
            f"the {fmt} file is {size:,} bytes; the limit is {per_char * max_chars:,} bytes "
            f"(an article of at most {max_chars:,} characters); refused unread"
        )


def _too_long(article: Article, max_chars: int) -> RecordFailure:
    return RecordFailure(
        article.record or article.id,
        f"the article text is {len(article.body):,} characters long; the limit is {max_chars:,}",
    )
