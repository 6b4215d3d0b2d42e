"""The research commands of ``newsarchive``: ``timeline``, ``words``, ``kwic``, ``cite`` and
``saved``, thin adapters over ``Archive.research`` (``cli.py`` adds them to its group).

What they print is ``cli_research_output``'s; errors are the group's, as for every command.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from itertools import islice
from typing import TYPE_CHECKING, Any

import click

import cli_research_output as out
from archive.models import SearchRequest
from archive.models.research import KWIC_SORTS, SCORES, UNITS
from archive.models.research import KWIC_WIDTH as WIDTH

if TYPE_CHECKING:
    from archive.core import Archive

#: exit code of ``cite --check`` when the cited figure no longer holds
EXIT_CITATION_CHANGED = 10


def _archive(ctx: click.Context) -> Archive:
    """The invocation's Archive, shared with the other commands through ``ctx.meta``:
    opened on first use and closed at exit (``archive.core`` imported then, as in
    ``cli.py``)."""
    if "archive" not in ctx.meta:
        from archive.core import Archive

        archive = Archive(ctx.find_root().obj)
        ctx.meta["archive"] = archive
        ctx.find_root().call_on_close(archive.close)
    archive_: Archive = ctx.meta["archive"]
    return archive_


def iso_day(_: click.Context, __: click.Parameter, value: str | None) -> date | None:
    """An option's YYYY-MM-DD value as a date (a click callback; search's options too)."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


def filters(command: Callable[..., Any]) -> Callable[..., Any]:
    """The usual search filters, as ``newsarchive search`` takes them."""
    options = [
        click.option("--from", "date_from", callback=iso_day, help="Published on or after."),
        click.option("--to", "date_to", callback=iso_day, help="Published on or before."),
        click.option("--source", multiple=True, help="Only this source (repeatable)."),
        click.option("--byline", multiple=True, help="Only this byline (repeatable)."),
        click.option("--tag", multiple=True, help="Only articles with this tag (repeatable)."),
        click.option("--lang", multiple=True, help="Only this language code (repeatable)."),
        click.option("--any", "any_word", is_flag=True, help="Any word may match."),
        click.option("--all-copies", is_flag=True, help="Count every copy of a story."),
        click.option(
            "--include-held",
            is_flag=True,
            help="Also articles their agency marked not for publication, embargoed or as "
            "service messages (left out unless a --tag or tag: names one of those).",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def request_from(q: str, **given: Any) -> SearchRequest:
    """A search request from a query and the options of ``filters``."""
    return SearchRequest(
        q=q,
        date_from=given.get("date_from"),
        date_to=given.get("date_to"),
        sources=tuple(given.get("source") or ()),
        bylines=tuple(given.get("byline") or ()),
        tags=tuple(given.get("tag") or ()),
        languages=tuple(given.get("lang") or ()),
        mode="any" if given.get("any_word") else "all",
        copies=bool(given.get("all_copies")),
        include_held=bool(given.get("include_held")),
        sort=given.get("sort") or ("relevance" if q else "newest"),  # type: ignore[arg-type]
    )


@click.command()
@click.argument("queries", nargs=-1, required=True)
@click.option(
    "--by",
    type=click.Choice(["auto", *UNITS]),
    default="auto",
    show_default=True,
    help="Count per day, week, month or year (auto: chosen from the span).",
)
@filters
@click.option("--csv", "as_csv", is_flag=True, help="Every series as CSV (tidy rows).")
@click.option("--json", "as_json", is_flag=True, help="The chart's data as JSON.")
@click.pass_context
def timeline(
    ctx: click.Context, queries: tuple[str, ...], by: str, as_csv: bool, as_json: bool, **given
) -> None:
    """Compare up to 5 queries over time: counts and shares of the archive per period,
    e.g. newsarchive timeline cocoa coffee --by month."""
    requests = [request_from(q, **given) for q in queries]
    comparison = _archive(ctx).research.compare(requests, None if by == "auto" else by)
    out.comparison(comparison, as_csv=as_csv, as_json=as_json)


@click.command()
@click.argument("query", default="")
@filters
@click.option("-n", "--limit", default=20, show_default=True, help="Terms of each kind.")
@click.option(
    "--score",
    type=click.Choice(SCORES),
    default="g2",
    show_default=True,
    help="Significance: log-likelihood G² or Elasticsearch's JLH.",
)
@click.option("--csv", "as_csv", is_flag=True, help="Every term as CSV.")
@click.option("--json", "as_json", is_flag=True, help="The terms as JSON.")
@click.pass_context
def words(
    ctx: click.Context, query: str, limit: int, score: str, as_csv: bool, as_json: bool, **given
) -> None:
    """The words, phrases, sources and bylines that characterise a search's matches
    against the whole archive."""
    report = _archive(ctx).research.words(request_from(query, **given), limit, score)
    out.words(report, as_csv=as_csv, as_json=as_json)


@click.command()
@click.argument("query")
@filters
@click.option(
    "--sort",
    "line_sort",
    type=click.Choice(KWIC_SORTS),
    default="articles",
    show_default=True,
    help="Lines in the articles' order, or by the word before or after the keyword.",
)
@click.option("--width", default=WIDTH, show_default=True, help="Characters of context.")
@click.option("-n", "--limit", default=0, help="At most this many lines (default: all).")
@click.option("--csv", "as_csv", is_flag=True, help="The lines as CSV.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.pass_context
def kwic(
    ctx: click.Context,
    query: str,
    line_sort: str,
    width: int,
    limit: int,
    as_csv: bool,
    as_json: bool,
    **given,
) -> None:
    """Every occurrence of the query's words in every match, with its context."""
    research = _archive(ctx).research
    request = request_from(query, **given)
    found = research.kwic_lines(request, line_sort, width)
    lines = islice(found, limit) if limit > 0 else found
    citation = research.cite(request) if as_csv else None
    out.kwic(lines, citation, as_csv=as_csv, as_json=as_json, width=width)


@click.command()
@click.argument("query", default="")
@filters
@click.option(
    "--check",
    "check",
    metavar="CITATION",
    help="Re-run a citation (its compact line or JSON; - reads it from stdin).",
)
@click.option("--json", "as_json", is_flag=True, help="As JSON.")
@click.pass_context
def cite(ctx: click.Context, query: str, check: str | None, as_json: bool, **given) -> None:
    """Cite the count of a search (query, filters, generation, time, count and a
    fingerprint of the matching ids), or check a citation made before."""
    research = _archive(ctx).research
    if check is None:
        out.citation(research.cite(request_from(query, **given)), as_json)
        return
    text = sys.stdin.read() if check == "-" else check
    result = research.check(text)
    out.citation_check(result, as_json)
    if not result.holds:
        sys.exit(EXIT_CITATION_CHANGED)


@click.group()
def saved() -> None:
    """Saved searches: keep a search by name and see what each index run adds to it."""


@saved.command("add")
@click.argument("name")
@click.argument("query", default="")
@filters
@click.pass_context
def saved_add(ctx: click.Context, name: str, query: str, **given) -> None:
    """Save a search as NAME; what it matches now counts as seen."""
    out.saved_search(_archive(ctx).research.saved.add(name, request_from(query, **given)))


@saved.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def saved_list(ctx: click.Context, as_json: bool) -> None:
    """Every saved search, with its matches and how many are new since seen."""
    out.saved_searches(_archive(ctx).research.saved.all(), as_json)


@saved.command("show")
@click.argument("name")
@click.option("--mark-seen", is_flag=True, help="Then count every match as seen.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def saved_show(ctx: click.Context, name: str, mark_seen: bool, as_json: bool) -> None:
    """What is new in a saved search since its matches were last marked seen."""
    searches = _archive(ctx).research.saved
    out.saved_view(searches.view(name), as_json)
    if mark_seen:
        searches.mark_seen(name)


@saved.command("rm")
@click.argument("name")
@click.pass_context
def saved_rm(ctx: click.Context, name: str) -> None:
    """Remove a saved search."""
    _archive(ctx).research.saved.remove(name)
    click.echo(f"removed {name}")


COMMANDS = (timeline, words, kwic, cite, saved)
