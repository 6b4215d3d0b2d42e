"""Parsing one source into articles, in a worker process of the bulk pipeline.

Everything a source's articles need that does not depend on the index happens here
(format detection, parsing, length and time limits, language detection, copy
fingerprints), so it runs in the parsing processes rather than beside the writer.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from archive.errors import ParseError
from archive.indexing import languages
from archive.indexing.fingerprints import Fingerprint, fingerprint
from archive.indexing.timelimit import Overtime, time_limit
from archive.ingest import formats
from archive.ingest.articles import SourceDoc, content_hash
from archive.models import Article, RecordFailure

log = logging.getLogger(__name__)


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
    #: what the engine writer's ``prepare`` made of the articles (None: nothing)
    prepared: Any = None


def parse_source(
    key: str,
    data: bytes,
    max_chars: int = 0,
    seconds: float = 0,
    prepare: Callable[[list[Article]], Any] | None = None,
) -> Parsed:
    """Parse one source; never raises: every problem becomes ``error`` or a record failure.

    An article whose text is longer than ``max_chars`` is refused as a record failure,
    and a parse that takes longer than ``seconds`` refuses the whole source (0: no limit).
    The per-article work that needs no index (language detection, copy fingerprints) is
    done here too, so it runs in the parsing processes rather than beside the writer,
    and so is the engine writer's ``prepare`` (analysis into arrays), if it has one.
    """
    parsed = Parsed(key=key, size=len(data), content_hash=content_hash(data))
    try:
        with time_limit(seconds):
            parsed.format = formats.detect(data, os.path.basename(key))
            doc = SourceDoc(key, data, parsed.content_hash)
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
        parsed.error = f"parsing took longer than {seconds:g} s; the source was refused"
    except ParseError as exc:
        parsed.error = str(exc)
    except Exception as exc:  # a parser bug must not stop a bulk run
        log.exception("parser for %s failed on %s", parsed.format or "detection", key)
        parsed.error = f"the {parsed.format or 'format'} parser failed: {type(exc).__name__}: {exc}"
    if parsed.error is None and not parsed.articles:
        reasons = "; ".join(f.reason for f in parsed.failures[:3])
        parsed.error = f"no articles found ({reasons})" if reasons else "no articles found"
    return parsed


def _too_long(article: Article, max_chars: int) -> RecordFailure:
    return RecordFailure(
        article.record or article.id,
        f"the article text is {len(article.body):,} characters long; the limit is {max_chars:,}",
    )
