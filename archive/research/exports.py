"""The research tools' CSV, one shape for the command line and the web.

Each export starts with comment lines (``#``) that carry its citations, so a figure and
the way to check it travel together; ``pandas.read_csv(..., comment="#")`` and R's
``read.csv(..., comment.char = "#")`` skip them. Rows are tidy: one observation a row.
Text from articles is made inert for spreadsheets (a cell starting ``= + - @`` is prefixed
with ``'``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence

from archive.models.citation import Citation
from archive.models.research import Comparison, KwicLine, WordsReport

COMPARISON_COLUMNS = ("query", "period", "start", "end", "count", "total", "share", "covered")
WORDS_COLUMNS = (
    "kind",
    "text",
    "key",
    "foreground",
    "of",
    "background",
    "of_background",
    "score",
    "sampled",
)
KWIC_COLUMNS = ("id", "published", "source", "title", "field", "offset", "left", "keyword", "right")
_FORMULA = ("=", "+", "-", "@", "\t", "\r")
#: characters buffered before a chunk of CSV is handed on
CHUNK = 32_768


def citation_comments(citations: Iterable[Citation]) -> list[str]:
    """The comment lines that head an export: what each figure is and how to check it."""
    lines = ["# newsarchive export; check a figure with: newsarchive cite --check 'CITATION'"]
    for citation in citations:
        what = citation.request.q or "every article"
        lines.append(
            f"# {what}: {citation.count} articles, sha256 {citation.fingerprint}, "
            f"{citation.engine} {citation.generation}, {citation.at}"
        )
        lines.append(f"# citation: {citation.compact()}")
    return lines


def comparison_rows(comparison: Comparison) -> Iterator[Sequence[object]]:
    yield COMPARISON_COLUMNS
    for series in comparison.series:
        for point in series.points:
            share = point.share
            yield (
                cell(series.request.q),
                point.label,
                point.start.isoformat(),
                point.end.isoformat(),
                point.count,
                point.total,
                "" if share is None else f"{share:.6f}",
                int(point.covered),
            )


def words_rows(report: WordsReport) -> Iterator[Sequence[object]]:
    yield WORDS_COLUMNS
    for group in report.groups:
        for term in group.terms:
            yield (
                term.kind,
                cell(term.text),
                cell(term.key),
                term.foreground,
                group.foreground,
                term.background,
                group.background,
                f"{term.score:.4f}",
                int(group.sampled),
            )


def kwic_rows(lines: Iterable[KwicLine]) -> Iterator[Sequence[object]]:
    yield KWIC_COLUMNS
    for line in lines:
        yield (
            line.id,
            line.published.value.isoformat() if line.published else "",
            cell(line.source),
            cell(line.title),
            line.field,
            line.offset,
            cell(line.left),
            cell(line.keyword),
            cell(line.right),
        )


def csv_chunks(comments: Iterable[str], rows: Iterable[Sequence[object]]) -> Iterator[str]:
    """The comment lines, then the rows as CSV, in chunks (for streaming)."""
    buffer = io.StringIO()
    for comment in comments:
        buffer.write(comment.replace("\n", " ") + "\n")
    writer = csv.writer(buffer, lineterminator="\n")
    for row in rows:
        writer.writerow(row)
        if buffer.tell() > CHUNK:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def cell(value: str | None) -> str:
    """Third-party text made inert for spreadsheets."""
    if not value:
        return ""
    return f"'{value}" if value.startswith(_FORMULA) else value
