"""The ``newsarchive`` command: a thin Click adapter over ``archive.core.Archive``.

Every ``ArchiveError`` becomes one line on stderr and the exit code its class names
(see the README's "Exit codes"); nothing else prints a traceback unless ``--debug``.
What each command prints is ``cli_output``'s.
"""

from __future__ import annotations

import dataclasses
import logging
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

import cli_output as out
from archive.config import Settings
from archive.errors import ArchiveError, IndexMissing
from archive.ingest.selection import compile_glob
from archive.models import SORTS, IngestReport, SearchRequest
from archive.models.saved import SavedGain
from cli_research import COMMANDS, iso_day

if TYPE_CHECKING:
    from archive.core import Archive

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
    out.error(message)
    sys.exit(code)


def _archive(ctx: click.Context) -> Archive:
    """The Archive for this invocation, opened on first use and closed at exit.

    ``archive.core`` is imported here, not at the top: ``--help`` and a mistyped option
    never pay for the engine and the indexing pipeline.
    """
    if "archive" not in ctx.meta:
        from archive.core import Archive

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


def _finish_run(
    report: IngestReport, as_json: bool, quiet: bool, gains: Sequence[SavedGain] = ()
) -> None:
    """Print an ``index`` or ``reindex`` summary; exit as its outcome says."""
    out.ingest_report(report, as_json, quiet, gains)
    if report.interrupted:
        _fail(
            "interrupted; everything committed so far is kept, run again to continue",
            EXIT_INTERRUPTED,
        )
    if report.failed:
        sys.exit(EXIT_SOURCES_FAILED)


def _globs(_: click.Context, __: click.Parameter, value: tuple[str, ...]) -> tuple[str, ...]:
    for pattern in value:
        try:
            compile_glob(pattern)
        except ArchiveError as exc:
            raise click.BadParameter(str(exc)) from None
    return value


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--prune", is_flag=True, help="Drop articles whose files under PATHS are gone.")
@click.option(
    "--follow-links", is_flag=True, help="Follow symbolic links that lead out of PATHS too."
)
@click.option(
    "--include",
    multiple=True,
    metavar="GLOB",
    callback=_globs,
    help="Inside folders, read only files matching this (repeatable; matched against the "
    "path below the folder given, or the file name when it has no /) "
    "[env NEWSARCHIVE_INCLUDE, comma-separated].",
)
@click.option(
    "--exclude",
    multiple=True,
    metavar="GLOB",
    callback=_globs,
    help="Inside folders, skip files matching this (repeatable; added to NEWSARCHIVE_EXCLUDE, "
    "whose default skips readme, licence, provenance, manifest and checksum files).",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress and no summary.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.pass_context
def index(
    ctx: click.Context,
    paths: tuple[Path, ...],
    prune: bool,
    follow_links: bool,
    include: tuple[str, ...],
    exclude: tuple[str, ...],
    quiet: bool,
    as_json: bool,
) -> None:
    """Index files and folders (unchanged files are skipped)."""
    settings = ctx.obj
    ctx.obj = dataclasses.replace(
        settings, include=settings.include + include, exclude=settings.exclude + exclude
    )
    report = _archive(ctx).index(
        paths, prune=prune, progress=out.Progress(quiet or as_json), follow_links=follow_links
    )
    _finish_run(report, as_json, quiet, _gains(ctx, report))


@main.command()
@click.option("--prune", is_flag=True, help="Drop articles whose files are gone.")
@click.option("-q", "--quiet", is_flag=True, help="No progress and no summary.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.pass_context
def reindex(ctx: click.Context, prune: bool, quiet: bool, as_json: bool) -> None:
    """Rebuild the whole index from its sources and swap it in atomically."""
    report = _archive(ctx).reindex(progress=out.Progress(quiet or as_json), prune=prune)
    _finish_run(report, as_json, quiet, _gains(ctx, report))


def _gains(ctx: click.Context, report: IngestReport) -> list[SavedGain]:
    """What each saved search gained with this run (nothing when it was interrupted)."""
    if report.interrupted:
        return []
    try:
        return _archive(ctx).saved_gains()
    except IndexMissing:
        return []


# search --------------------------------------------------------------------------------


@main.command()
@click.argument("query", default="")
@click.option("-n", "--limit", default=10, show_default=True, help="Results per page.")
@click.option("--page", default=1, show_default=True, help="Page number.")
@click.option("--sort", type=click.Choice(SORTS), default="relevance", show_default=True)
@click.option("--from", "date_from", callback=iso_day, help="Published on or after (YYYY-MM-DD).")
@click.option("--to", "date_to", callback=iso_day, help="Published on or before (YYYY-MM-DD).")
@click.option("--source", multiple=True, help="Only this source (repeatable).")
@click.option("--byline", multiple=True, help="Only this byline (repeatable).")
@click.option("--tag", multiple=True, help="Only articles with this tag (repeatable).")
@click.option(
    "--any",
    "any_word",
    is_flag=True,
    help=(
        "Any word may match (default: all); reranked by pseudo-relevance feedback "
        "when NEWSARCHIVE_FEEDBACK=always."
    ),
)
@click.option(
    "--strict",
    is_flag=True,
    help="All the words, even when no article has them all (by default the any-word "
    "ranking answers then).",
)
@click.option("--all-copies", is_flag=True, help="Every copy of a story, not one per story.")
@click.option(
    "--include-held",
    is_flag=True,
    help="Also articles their agency marked not for publication, embargoed or as service "
    "messages (left out unless a --tag or tag: names one of those).",
)
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
    include_held: bool,
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
        include_held=include_held,
    )
    result = _archive(ctx).search(request)
    out.search_page(result, as_json=as_json, jsonl=jsonl, explain=explain)


@main.command()
@click.argument("article_id")
@click.option("-n", "--limit", default=5, show_default=True, help="How many related articles.")
@click.option("--json", "as_json", is_flag=True, help="The related articles as JSON.")
@click.pass_context
def similar(ctx: click.Context, article_id: str, limit: int, as_json: bool) -> None:
    """Articles about what article ID is about (more like this), without its copies."""
    out.similar(_archive(ctx).similar(article_id, limit), as_json)


@main.command()
@click.argument("article_id")
@click.option("--json", "as_json", is_flag=True, help="Print the article as JSON.")
@click.pass_context
def show(ctx: click.Context, article_id: str, as_json: bool) -> None:
    """Show one article by its id."""
    out.article(_archive(ctx).article(article_id), as_json)


# state ---------------------------------------------------------------------------------


@main.command()
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def stats(ctx: click.Context, as_json: bool) -> None:
    """What the archive holds."""
    out.stats(_archive(ctx).stats(), as_json)


@main.command()
@click.option("--json", "as_json", is_flag=True)
@click.option("--csv", "as_csv", is_flag=True)
@click.pass_context
def errors(ctx: click.Context, as_json: bool, as_csv: bool) -> None:
    """List the sources that failed, with their reasons."""
    out.failed_sources(_archive(ctx).errors(), as_json=as_json, as_csv=as_csv)


@main.command()
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def check(ctx: click.Context, as_json: bool) -> None:
    """Check that the index opens and agrees with the catalog."""
    report = _archive(ctx).check()
    out.check_report(report, as_json)
    if not report.ok:
        sys.exit(EXIT_CHECK_FAILED)


@main.command()
@click.option("--host", default=None, help="Address to listen on [default 127.0.0.1].")
@click.option("--port", type=int, default=None, help="Port [default 5000].")
@click.option("--threads", type=int, default=None, help="Worker threads [default 8].")
@click.pass_context
def serve(ctx: click.Context, host: str | None, port: int | None, threads: int | None) -> None:
    """Serve the search page and the JSON API (waitress, a production WSGI server)."""
    import web

    settings = dataclasses.replace(
        ctx.obj,
        **{
            k: v
            for k, v in {"host": host, "port": port, "threads": threads}.items()
            if v is not None
        },
    )
    web.serve(
        settings,
        ready=lambda url: click.echo(
            f"serving the archive in {settings.data_dir} on {url}", err=True
        ),
    )


# the research commands: timeline, words, kwic, cite, saved
for _command in COMMANDS:
    main.add_command(_command)


if __name__ == "__main__":
    main()
