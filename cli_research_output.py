"""What the research commands print: tables and concordances for people; JSON and CSV
(``archive.research.exports``, with their citations) for scripts.

The exports are imported by the commands that write CSV, so ``--help`` imports no
research code."""

from __future__ import annotations

import json
from collections.abc import Iterable

import click

from archive.models.citation import Citation, CitationCheck
from archive.models.research import Comparison, KwicLine, TermGroup, WordsReport
from archive.models.saved import SavedSearch, SavedView

TITLES = {"word": "Words", "phrase": "Phrases", "source": "Sources", "byline": "Bylines"}


def _json(data: object) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def _csv(comments: Iterable[str], rows: Iterable) -> None:
    from archive.research import exports

    for chunk in exports.csv_chunks(comments, rows):
        click.echo(chunk, nl=False)


def comparison(found: Comparison, *, as_csv: bool, as_json: bool) -> None:
    """Queries per period: a table of counts and shares, JSON or CSV."""
    citations = [series.citation for series in found.series]
    if as_json:
        _json(found.to_dict())
        return
    if as_csv:
        from archive.research import exports

        _csv(exports.citation_comments(citations), exports.comparison_rows(found))
        return
    if not found.periods:
        click.echo("no dated articles in the archive for these filters")
    head = f"{found.unit:<12}{'archive':>9}" + "".join(
        f"{_short(s.label):>22}" for s in found.series
    )
    click.echo(click.style(head, bold=True))
    for number, period in enumerate(found.periods):
        row = f"{period.label:<12}{period.total:>9,}"
        for series in found.series:
            point = series.points[number]
            share = point.share
            row += (
                f"{'no coverage':>22}"
                if share is None
                else f"{point.count:>12,} {share * 100:>7.2f}%  "
            )
        click.echo(row)
    click.echo()
    for series in found.series:
        click.echo(f"{series.label}: {series.total:,} articles ({series.dated:,} dated)")
        click.echo(f"  cite: {series.citation.compact()}")


def _short(text: str) -> str:
    return text if len(text) <= 20 else text[:19] + "…"


def words(report: WordsReport, *, as_csv: bool, as_json: bool) -> None:
    """Characteristic terms by kind, with their counts in the matches and the archive."""
    if as_json:
        _json(report.to_dict())
        return
    if as_csv:
        from archive.research import exports

        _csv(exports.citation_comments([report.citation]), exports.words_rows(report))
        return
    click.echo(f"{report.total:,} articles match; terms ranked by {report.score.upper()}\n")
    for group in report.groups:
        click.echo(click.style(TITLES[group.kind], bold=True) + _basis(group))
        if not group.terms:
            click.echo("  none stands out")
            click.echo()
            continue
        click.echo(f"  {'':<28}{'matching':>9}{'archive':>10}{report.score.upper():>10}")
        for term in group.terms:
            click.echo(
                f"  {term.text:<28}{term.foreground:>9,}{term.background:>10,}{term.score:>10.1f}"
            )
        click.echo()
    click.echo(f"cite: {report.citation.compact()}")


def _basis(group: TermGroup) -> str:
    """What a group's counts are counted in."""
    if group.kind == "phrase":
        return (
            f" (estimated: in how many of the {group.foreground:,} best matches, and of "
            f"{group.background:,} articles sampled from the archive)"
        )
    sample = "the best " if group.sampled else "the "
    return (
        f" (in how many of {sample}{group.foreground:,} matching articles, and of the "
        f"{group.background:,} in the archive)"
    )


def kwic(
    lines: Iterable[KwicLine],
    citation: Citation | None,
    *,
    as_csv: bool,
    as_json: bool,
    width: int,
) -> None:
    """Keyword-in-context lines as they stream: aligned text, JSON Lines or CSV."""
    if as_csv:
        from archive.research import exports

        _csv(exports.citation_comments([citation] if citation else []), exports.kwic_rows(lines))
        return
    for line in lines:
        if as_json:
            click.echo(json.dumps(line.to_dict(), ensure_ascii=False))
            continue
        left = line.left[-width:].rjust(width)
        keyword = click.style(line.keyword, bold=True)
        click.echo(f"{left}{keyword}{line.right[:width]}  [{line.id}]")


def citation(found: Citation, as_json: bool) -> None:
    if as_json:
        _json(found.to_dict())
        return
    what = found.request.q or "every article"
    click.echo(f"{what}: {found.count:,} articles")
    click.echo(f"fingerprint: sha256:{found.fingerprint}")
    click.echo(f"archive: {found.engine} {found.generation}, at {found.at}")
    click.echo(found.compact())


def citation_check(check: CitationCheck, as_json: bool) -> None:
    if as_json:
        _json(check.to_dict())
        return
    cited, now = check.citation, check.now
    if check.holds:
        click.echo(f"holds: {now.count:,} articles, the same ones as on {cited.at}")
        return
    click.echo(f"changed: {cited.count:,} articles on {cited.at}, {now.count:,} now")
    if check.recorded:
        click.echo(f"{check.added:,} added and {check.removed:,} removed since")
        for label, ids in (("added", check.added_ids), ("removed", check.removed_ids)):
            if ids:
                click.echo(f"  {label}: {', '.join(ids)}")
    else:
        click.echo(
            "the ids behind the citation are not recorded in this archive, so which "
            "articles changed cannot be told"
        )
    click.echo(f"now: {now.compact()}")


def saved_search(found: SavedSearch) -> None:
    click.echo(f"saved {found.name}: {found.total:,} articles")


def saved_searches(found: list[SavedSearch], as_json: bool) -> None:
    if as_json:
        _json([saved.to_dict() for saved in found])
        return
    if not found:
        click.echo("no saved searches")
    for saved in found:
        click.echo(
            f"{saved.name}: {saved.request.q or 'every article'} · {saved.total:,} articles, "
            f"{saved.new:,} new since {saved.seen_at or 'saved'}"
        )


def saved_view(view: SavedView, as_json: bool) -> None:
    if as_json:
        _json(view.to_dict())
        return
    saved = view.saved
    click.echo(f"{saved.name}: {saved.new:,} new of {saved.total:,} since {saved.seen_at}")
    for hit in view.hits:
        when = hit.published.display() if hit.published else "undated"
        click.echo(f"  {when} · {hit.title} · {hit.id}")
