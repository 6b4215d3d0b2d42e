"""The archive's value objects: what flows between ingest, engines, the facade and the adapters.

All are frozen dataclasses so they can be shared between threads and cached freely.
``to_dict`` gives the JSON shape the CLI and the API print. ``articles`` holds an article
and its date, ``search`` a search's request and answer, ``reports`` what the archive says
about itself; every name is importable from ``archive.models``.
"""

from archive.models.articles import (
    HELD_STATUSES,
    HELD_TAGS,
    Article,
    Precision,
    PubDate,
    RecordFailure,
    held_statuses,
)
from archive.models.reports import CheckReport, IngestReport, SourceRecord, Stats
from archive.models.search import (
    SORTS,
    Bucket,
    Completion,
    Facet,
    FacetValue,
    Hit,
    Match,
    Mode,
    SearchPage,
    SearchRequest,
    SnippetPart,
    Sort,
)

__all__ = [
    "HELD_STATUSES",
    "HELD_TAGS",
    "SORTS",
    "Article",
    "Bucket",
    "CheckReport",
    "Completion",
    "Facet",
    "FacetValue",
    "Hit",
    "IngestReport",
    "Match",
    "Mode",
    "Precision",
    "PubDate",
    "RecordFailure",
    "SearchPage",
    "SearchRequest",
    "SnippetPart",
    "Sort",
    "SourceRecord",
    "Stats",
    "held_statuses",
]
