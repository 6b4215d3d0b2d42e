"""What the ``newsarchive`` command prints: text for people; JSON, JSON Lines, CSV for scripts.

Each function renders one of the archive's value objects on stdout (progress and the
names of failed sources on stderr). None of them decides an exit code: ``cli.py`` does,
in one place.
"""

from __future__ import annotations

import csv
import json
import sys
import time
from typing import Any

import click

from archive import pagetext as page_notes
from archive.models import (
    Article,
    CheckReport,
    Hit,
    IngestReport,
    SearchPage,
    SourceRecord,
    Stats,
)

#: failed sources named after an ``index`` or ``reindex`` summary
FAILURES_SHOWN = 20


def error(message: str) -> None:
    """The one line an error becomes."""
    click.echo(f"newsarchive: error: {message}", err=True)


class Progress:
    """A progress bar on a terminal; periodic plain lines otherwise; nothing when quiet."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.bar: Any = None
        self.sources = 0
        self.articles = 0
        self.total = 0
        self.last = time.monotonic()

    def start(self, total: int) -> None:
        self.total = total
        if not self.quiet and sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="file", file=sys.stderr, dynamic_ncols=True)

    def advance(self, sources: int, articles: int) -> None:
        self.sources += sources
        self.articles += articles
        if self.bar is not None:
            self.bar.update(sources)
            if articles:
                self.bar.set_postfix(articles=self.articles, refresh=False)
        elif not self.quiet and time.monotonic() - self.last >= 5:
            self.last = time.monotonic()
            click.echo(f"{self.sources}/{self.total} files, {self.articles} articles", err=True)

    def finish(self) -> None:
        if self.bar is not None:
            self.bar.close()


def ingest_report(report: IngestReport, as_json: bool, quiet: bool) -> None:
    """The summary of an ``index`` or ``reindex`` run, and the first failed sources."""
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2))
        return
    if quiet:
        return
    click.echo(
        f"{report.seen} sources: {report.new} new, {report.updated} updated, "
        f"{report.unchanged} unchanged, {report.failed} failed"
        + (f", {report.removed} removed" if report.removed else "")
        + (f"; {report.skipped} files skipped by pattern" if report.skipped else "")
        + f"; {report.articles_written} articles written in {report.seconds:.1f} s"
    )
    for path, reason in report.failures[:FAILURES_SHOWN]:
        click.echo(f"  failed: {path}: {reason}", err=True)
    if report.failed > FAILURES_SHOWN:
        more = report.failed - FAILURES_SHOWN
        click.echo(f"  ... and {more} more (newsarchive errors)", err=True)


def search_page(page: SearchPage, *, as_json: bool, jsonl: bool, explain: bool) -> None:
    """A page of results: the whole page as JSON, one hit a line, or text."""
    if as_json:
        click.echo(json.dumps(page.to_dict(), indent=2, ensure_ascii=False))
    elif jsonl:
        for hit in page.hits:
            click.echo(json.dumps(hit.to_dict(), ensure_ascii=False))
    else:
        page_text(page, explain)


def page_text(page: SearchPage, explain: bool) -> None:
    """A page of results for people: counts, the hits, the source and year facets."""
    if explain:
        click.echo(f"Understood as: {page.explanation}\n")
    if page.all_words is not None:
        click.echo(f"{page_notes.relaxed(page)} (--strict: only articles with all of them)\n")
    click.echo(f"{page_notes.counted(page)}, {page.took_ms:.0f} ms\n")
    if page.suggestion:
        click.echo(f"Did you mean: {page.suggestion}\n")
    hits(page.hits, explain)
    for facet in page.facets:
        if facet.name in ("source", "year"):
            values = ", ".join(f"{v.value} ({v.count})" for v in facet.values[:8])
            click.echo(f"{facet.name}: {values}")


def hits(found: tuple[Hit, ...], explain: bool) -> None:
    """Ranked hits: title, date and source, score and id, why (on request), snippet."""
    for hit in found:
        when = hit.published.display() if hit.published else "undated"
        who = " · ".join(dict.fromkeys(part for part in (hit.byline, hit.source) if part))
        click.echo(click.style(f"{hit.rank:>3}. {hit.title}", bold=True))
        copies = f" · {hit.copies + 1} copies" if hit.copies else ""
        click.echo(
            f"     {when}"
            + (f" · {who}" if who else "")
            + f" · score {hit.score:.2f}{copies} · id {hit.id}"
        )
        if explain and hit.explain:
            matched = ", ".join(f"{m.label} (+{m.score:.2f})" for m in hit.explain[:8])
            click.echo(f"     why: {matched}")
        snippet = "".join(
            click.style(part.text, fg="yellow", bold=True) if part.match else part.text
            for part in hit.snippet
        )
        click.echo(f"     {snippet}\n")


def similar(found: tuple[Hit, ...], as_json: bool) -> None:
    """Related articles, as JSON or as hits."""
    if as_json:
        click.echo(json.dumps([hit.to_dict() for hit in found], indent=2, ensure_ascii=False))
    elif not found:
        click.echo("no related articles")
    else:
        hits(found, explain=False)


def article(shown: Article, as_json: bool) -> None:
    """One article: its headline, what is known of it, its text."""
    if as_json:
        click.echo(json.dumps(shown.to_dict(), indent=2, ensure_ascii=False))
        return
    click.echo(
        click.style(shown.title, bold=True)
        + (" (title derived from the lede)" if shown.title_derived else "")
    )
    facts = [
        shown.published.display() if shown.published else "undated",
        shown.byline,
        shown.source,
        shown.url,
        ", ".join(shown.tags) or None,
    ]
    click.echo(" · ".join(fact for fact in facts if fact))
    click.echo(f"id {shown.id} · {shown.format} · {shown.source_path}\n")
    click.echo(shown.body)


def stats(data: Stats, as_json: bool) -> None:
    """What the archive holds."""
    if as_json:
        click.echo(json.dumps(data.to_dict(), indent=2))
        return
    click.echo(f"articles:      {data.articles}")
    click.echo(f"sources:       {data.sources} ({data.failed_sources} failed)")
    formats = ", ".join(f"{k} {v}" for k, v in sorted(data.formats.items())) or "none"
    click.echo(f"formats:       {formats}")
    click.echo(f"engine:        {data.engine} ({data.generation or 'empty'})")
    if data.health != "ok":
        click.echo(f"health:        {data.health}")
    click.echo(f"data dir:      {data.data_dir}")
    click.echo(f"last indexed:  {data.last_indexed or 'never'}")


def failed_sources(records: list[SourceRecord], *, as_json: bool, as_csv: bool) -> None:
    """The sources that failed, with their reasons: JSON, CSV or one line each."""
    if as_json:
        click.echo(json.dumps([r.to_dict() for r in records], indent=2))
    elif as_csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(["path", "error", "indexed_at"])
        for record in records:
            writer.writerow([record.path, record.error, record.indexed_at])
    elif not records:
        click.echo("no failed sources")
    else:
        for record in records:
            click.echo(f"{record.path}: {record.error}")


def check_report(report: CheckReport, as_json: bool) -> None:
    """Whether the index and the catalog agree, and what is wrong if not."""
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2))
        return
    click.echo(
        f"index: {report.index_articles} articles; catalog: {report.catalog_articles} articles"
    )
    for problem in report.problems:
        click.echo(f"problem: {problem}")
    click.echo("ok" if report.ok else "NOT ok: run `newsarchive reindex` to rebuild")
