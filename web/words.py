"""Characteristic words: the words, two-word phrases, sources and bylines of a search's
matches that stand out against the whole archive; page, JSON twin and CSV.

Each word or phrase links to the results with it added to the query (and to its keywords
in context); each source or byline narrows the search to it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from flask import Blueprint, Response, jsonify, render_template, request

from archive.models import SearchRequest
from archive.models.research import Term, TermGroup, WordsReport
from archive.research import exports
from web import research_params
from web.context import current_archive, current_search
from web.research_links import at, download, links, results, with_term
from web.views import narrow_href

bp = Blueprint("words", __name__)

TITLES = {"word": "Words", "phrase": "Two-word phrases", "source": "Sources", "byline": "Bylines"}


@dataclass(frozen=True)
class TermView:
    term: Term
    href: str
    context: str | None


@dataclass(frozen=True)
class GroupView:
    group: TermGroup
    title: str
    basis: str
    terms: tuple[TermView, ...]


def _report() -> tuple[SearchRequest, WordsReport, str, int]:
    search = current_search()
    score, size = research_params.score(request.args), research_params.terms(request.args)
    return search, current_archive().research.words(search, size, score), score, size


@bp.get("/words")
def page() -> str:
    """The characteristic terms of a search's matches, by kind."""
    search, report, score, size = _report()
    extra = {"score": score if score != "g2" else "", "n": str(size) if size != 25 else ""}
    return render_template(
        "words.html",
        search=search,
        report=report,
        groups=[_group(search, group) for group in report.groups],
        research=links(search),
        scores=[
            ("G² (log-likelihood)", at("words.page", search, n=extra["n"]), score == "g2"),
            ("JLH", at("words.page", search, score="jlh", n=extra["n"]), score == "jlh"),
        ],
        csv=at("words.csv", search, **extra),
        twin=at("words.api", search, **extra),
    )


@bp.get("/words.csv")
def csv() -> Response:
    """Every term of every kind as CSV, headed by the citation."""
    _, report, _, _ = _report()
    chunks = exports.csv_chunks(
        exports.citation_comments([report.citation]), exports.words_rows(report)
    )
    return download(chunks, "words")


@bp.get("/api/words")
def api() -> Response:
    """The characteristic terms as JSON, each with the link that adds it to the search."""
    search, report, _, _ = _report()
    data = report.to_dict()
    for group, item in zip(report.groups, data["groups"], strict=True):
        for term, entry in zip(group.terms, item["terms"], strict=True):
            entry["links"] = {"results": _href(search, term)}
    data["links"] = {"html": at("words.page", search), "results": results(search)}
    return jsonify(data)


def _group(search: SearchRequest, group: TermGroup) -> GroupView:
    return GroupView(
        group=group,
        title=TITLES[group.kind],
        basis=basis(group),
        terms=tuple(
            TermView(
                term,
                _href(search, term),
                at("kwic.page", _added(search, term)) if term.kind in ("word", "phrase") else None,
            )
            for term in group.terms
        ),
    )


def basis(group: TermGroup) -> str:
    """What a group's two counts count, in words."""
    if group.kind == "phrase":
        return (
            f"Estimated: in how many of the {group.foreground:,} best matches, and in how "
            f"many of {group.background:,} articles sampled from the archive"
        )
    best = "the best " if group.sampled else "the "
    return (
        f"In how many of {best}{group.foreground:,} matching articles, and of the "
        f"{group.background:,} in the archive"
    )


def _added(search: SearchRequest, term: Term) -> SearchRequest:
    return replace(search, q=with_term(search.q, term.text, phrase=term.kind == "phrase"))


def _href(search: SearchRequest, term: Term) -> str:
    """The results with the term added: to the query (words, phrases) or as a filter."""
    if term.kind in ("source", "byline"):
        return narrow_href(search, results, term.kind, term.key)
    return results(replace(_added(search, term), page=1))
