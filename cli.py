"""The ``newsarchive`` command: a thin Click adapter over ``archive.core.Archive``.

Every ``ArchiveError`` becomes one line on stderr and the exit code its class names
(see the README's "Exit codes"); nothing else prints a traceback unless ``--debug``.
"""

from __future__ import annotations

import csv
import json
import logging
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

import click

from archive import pagetext as page_notes
from archive.config import Settings
from archive.core import Archive
from archive.errors import ArchiveError
from archive.models import SORTS, Hit, IngestReport, SearchPage, SearchRequest

EXIT_SOURCES_FAILED = 3
EXIT_CHECK_FAILED = 8
EXIT_INTERRUPTED = 130


class ArchiveGroup(click.Group):
    """Turns the archive's errors into one-line messages and exit codes, in one place."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ArchiveError as exc:
            if ctx.meta.get("debug"):
                raise
            _fail(str(exc), exc.exit_code)
        except KeyboardInterrupt:
            _fail("interrupted", EXIT_INTERRUPTED)


def _fail(message: str, code: int) -> NoReturn:
    click.echo(f"newsarchive: error: {message}", err=True)
    sys.exit(code)


def _archive(ctx: click.Context) -> Archive:
    """The Archive for this invocation, opened on first use and closed at exit."""
    if "archive" not in ctx.meta:
        archive = Archive(ctx.obj)
        ctx.meta["archive"] = archive
        ctx.call_on_close(archive.close)
    return ctx.meta["archive"]


@click.group(cls=ArchiveGroup)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where the index and catalog live [env NEWSARCHIVE_HOME; "
    "default ~/.local/share/newsarchive].",
)
@click.option(
    "--engine",
    type=click.Choice(["whoosh", "opensearch"]),
    default=None,
    help="Search engine [env NEWSARCHIVE_ENGINE; default whoosh].",
)
@click.option(
    "--opensearch-url",
    default=None,
    metavar="URL",
    help="OpenSearch node(s) for --engine opensearch, comma-separated "
    "[env NEWSARCHIVE_OPENSEARCH_URL; default http://127.0.0.1:9200].",
)
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
@click.version_option(package_name="newsarchive")
@click.pass_context
def main(
    ctx: click.Context,
    data_dir: Path | None,
    engine: str | None,
    opensearch_url: str | None,
    verbose: int,
    debug: bool,
) -> None:
    """A searchable news archive: index articles, search them, serve a search page."""
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    ctx.meta["debug"] = debug
    try:
        ctx.obj = Settings.load(data_dir=data_dir, engine=engine, opensearch_url=opensearch_url)
    except ArchiveError as exc:
        _fail(str(exc), exc.exit_code)


# ingest --------------------------------------------------------------------------------


class _Progress:
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


def _report(report: IngestReport, as_json: bool, quiet: bool) -> None:
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2))
    elif not quiet:
        click.echo(
            f"{report.seen} sources: {report.new} new, {report.updated} updated, "
            f"{report.unchanged} unchanged, {report.failed} failed"
            + (f", {report.removed} removed" if report.removed else "")
            + f"; {report.articles_written} articles written in {report.seconds:.1f} s"
        )
        for path, error in report.failures[:20]:
            click.echo(f"  failed: {path}: {error}", err=True)
        if report.failed > 20:
            click.echo(f"  ... and {report.failed - 20} more (newsarchive errors)", err=True)
    if report.interrupted:
        _fail(
            "interrupted; everything committed so far is kept, run again to continue",
            EXIT_INTERRUPTED,
        )
    if report.failed:
        sys.exit(EXIT_SOURCES_FAILED)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--prune", is_flag=True, help="Drop articles whose files are gone.")
@click.option("-q", "--quiet", is_flag=True, help="No progress and no summary.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.pass_context
def index(
    ctx: click.Context, paths: tuple[Path, ...], prune: bool, quiet: bool, as_json: bool
) -> None:
    """Index files and folders (unchanged files are skipped)."""
    report = _archive(ctx).index(paths, prune=prune, progress=_Progress(quiet or as_json))
    _report(report, as_json, quiet)


@main.command()
@click.option("-q", "--quiet", is_flag=True, help="No progress and no summary.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.pass_context
def reindex(ctx: click.Context, quiet: bool, as_json: bool) -> None:
    """Rebuild the whole index from its sources and swap it in atomically."""
    report = _archive(ctx).reindex(progress=_Progress(quiet or as_json))
    _report(report, as_json, quiet)


# search --------------------------------------------------------------------------------


def _day(_: click.Context, __: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


@main.command()
@click.argument("query", default="")
@click.option("-n", "--limit", default=10, show_default=True, help="Results per page.")
@click.option("--page", default=1, show_default=True, help="Page number.")
@click.option("--sort", type=click.Choice(SORTS), default="relevance", show_default=True)
@click.option("--from", "date_from", callback=_day, help="Published on or after (YYYY-MM-DD).")
@click.option("--to", "date_to", callback=_day, help="Published on or before (YYYY-MM-DD).")
@click.option("--source", multiple=True, help="Only this source (repeatable).")
@click.option("--byline", multiple=True, help="Only this byline (repeatable).")
@click.option("--tag", multiple=True, help="Only articles with this tag (repeatable).")
@click.option(
    "--any",
    "any_word",
    is_flag=True,
    help="Any word may match (default: all); ranked with pseudo-relevance feedback.",
)
@click.option(
    "--strict",
    is_flag=True,
    help="All the words, even when no article has them all (by default the any-word "
    "ranking answers then).",
)
@click.option("--all-copies", is_flag=True, help="Every copy of a story, not one per story.")
@click.option(
    "--explain", is_flag=True, help="Show how the query was understood and why each hit ranks."
)
@click.option("--json", "as_json", is_flag=True, help="The whole page as JSON.")
@click.option("--jsonl", is_flag=True, help="One JSON object per hit.")
@click.pass_context
def search(
    ctx: click.Context,
    query: str,
    limit: int,
    page: int,
    sort: str,
    date_from: date | None,
    date_to: date | None,
    source: tuple[str, ...],
    byline: tuple[str, ...],
    tag: tuple[str, ...],
    any_word: bool,
    strict: bool,
    all_copies: bool,
    explain: bool,
    as_json: bool,
    jsonl: bool,
) -> None:
    """Search the archive, e.g. newsarchive search 'Koizumi AND Putin'."""
    request = SearchRequest(
        q=query,
        page=page,
        per_page=limit,
        sort=sort,
        date_from=date_from,  # type: ignore[arg-type]
        date_to=date_to,
        sources=source,
        bylines=byline,
        tags=tag,
        mode="any" if any_word else "all",
        facets=as_json or not jsonl,
        timeline=as_json,
        expand=any_word,
        copies=all_copies,
        explain=explain,
        strict=strict,
    )
    result = _archive(ctx).search(request)
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    elif jsonl:
        for hit in result.hits:
            click.echo(json.dumps(hit.to_dict(), ensure_ascii=False))
    else:
        _print_page(result, explain)


def _print_page(page: SearchPage, explain: bool) -> None:
    if explain:
        click.echo(f"Understood as: {page.explanation}\n")
    if page.all_words is not None:
        click.echo(f"{page_notes.relaxed(page)} (--strict: only articles with all of them)\n")
    click.echo(f"{page_notes.counted(page)}, {page.took_ms:.0f} ms\n")
    if page.suggestion:
        click.echo(f"Did you mean: {page.suggestion}\n")
    _print_hits(page.hits, explain)
    for facet in page.facets:
        if facet.name in ("source", "year"):
            values = ", ".join(f"{v.value} ({v.count})" for v in facet.values[:8])
            click.echo(f"{facet.name}: {values}")


def _print_hits(hits: tuple[Hit, ...], explain: bool) -> None:
    for hit in hits:
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


@main.command()
@click.argument("article_id")
@click.option("-n", "--limit", default=5, show_default=True, help="How many related articles.")
@click.option("--json", "as_json", is_flag=True, help="The related articles as JSON.")
@click.pass_context
def similar(ctx: click.Context, article_id: str, limit: int, as_json: bool) -> None:
    """Articles about what article ID is about (more like this), without its copies."""
    hits = _archive(ctx).similar(article_id, limit)
    if as_json:
        click.echo(json.dumps([hit.to_dict() for hit in hits], indent=2, ensure_ascii=False))
    elif not hits:
        click.echo("no related articles")
    else:
        _print_hits(hits, explain=False)


@main.command()
@click.argument("article_id")
@click.option("--json", "as_json", is_flag=True, help="Print the article as JSON.")
@click.pass_context
def show(ctx: click.Context, article_id: str, as_json: bool) -> None:
    """Show one article by its id."""
    article = _archive(ctx).article(article_id)
    if as_json:
        click.echo(json.dumps(article.to_dict(), indent=2, ensure_ascii=False))
        return
    click.echo(
        click.style(article.title, bold=True)
        + (" (title derived from the lede)" if article.title_derived else "")
    )
    facts = [
        article.published.display() if article.published else "undated",
        article.byline,
        article.source,
        article.url,
        ", ".join(article.tags) or None,
    ]
    click.echo(" · ".join(fact for fact in facts if fact))
    click.echo(f"id {article.id} · {article.format} · {article.source_path}\n")
    click.echo(article.body)


# state ---------------------------------------------------------------------------------


@main.command()
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def stats(ctx: click.Context, as_json: bool) -> None:
    """What the archive holds."""
    data = _archive(ctx).stats()
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


@main.command()
@click.option("--json", "as_json", is_flag=True)
@click.option("--csv", "as_csv", is_flag=True)
@click.pass_context
def errors(ctx: click.Context, as_json: bool, as_csv: bool) -> None:
    """List the sources that failed, with their reasons."""
    records = _archive(ctx).errors()
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


@main.command()
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def check(ctx: click.Context, as_json: bool) -> None:
    """Check that the index opens and agrees with the catalog."""
    report = _archive(ctx).check()
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2))
    else:
        click.echo(
            f"index: {report.index_articles} articles; catalog: {report.catalog_articles} articles"
        )
        for problem in report.problems:
            click.echo(f"problem: {problem}")
        click.echo("ok" if report.ok else "NOT ok: run `newsarchive reindex` to rebuild")
    if not report.ok:
        sys.exit(EXIT_CHECK_FAILED)


@main.command()
@click.option("--host", default=None, help="Address to listen on [default 127.0.0.1].")
@click.option("--port", type=int, default=None, help="Port [default 5000].")
@click.option("--threads", type=int, default=None, help="Worker threads [default 8].")
@click.pass_context
def serve(ctx: click.Context, host: str | None, port: int | None, threads: int | None) -> None:
    """Serve the search page and the JSON API (waitress, a production WSGI server)."""
    import dataclasses

    import web

    settings = dataclasses.replace(
        ctx.obj,
        **{
            k: v
            for k, v in {"host": host, "port": port, "threads": threads}.items()
            if v is not None
        },
    )
    click.echo(
        f"serving the archive in {settings.data_dir} on http://{settings.host}:{settings.port}/",
        err=True,
    )
    web.serve(settings)


if __name__ == "__main__":
    main()
