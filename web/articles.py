"""The article page; its JSON twin is ``/api/articles/<id>``.

An article link from the results carries the search in its query string: the page then
marks the query's words and offers a way back to the same results. Without it the page is
the article's permalink.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from flask import Blueprint, render_template, request, url_for

from archive import pagetext
from archive.errors import QueryError
from archive.models import Article, PubDate, SearchRequest, SnippetPart
from web import params
from web.context import current_archive, current_search
from web.views import href_for, published_href

bp = Blueprint("articles", __name__)

_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8}){0,3}")


@dataclass(frozen=True)
class ArticleView:
    article: Article
    title: tuple[SnippetPart, ...]
    paragraphs: tuple[tuple[SnippetPart, ...], ...]
    permalink: str
    back: str | None
    url: str | None
    language: str | None
    date_href: str | None
    byline_href: str | None
    source_href: str | None
    tags: tuple[tuple[str, str], ...]
    #: related articles: (title, link, published) for "More like this"
    related: tuple[tuple[str, str, PubDate | None], ...] = ()
    #: the agency's markings of a held article, as its banner says them
    held: tuple[str, ...] = ()


#: related articles shown under an article
RELATED = 5


@bp.get("/articles/<article_id>")
def show(article_id: str) -> str:
    """One article, readable, with the search's words marked when it came from one."""
    archive = current_archive()
    article = archive.article(article_id)
    search = _search_context()
    marked = archive.mark(article, search)
    results = url_for("search.results")
    back = None
    if search is not None:
        pairs = params.to_pairs(search)
        back = f"{results}?{urlencode(pairs)}" if pairs else results
    fresh = href_for(results)
    empty = params.new_search()
    view = ArticleView(
        article=article,
        title=marked.title,
        paragraphs=marked.paragraphs,
        permalink=url_for("articles.show", article_id=article.id, _external=True),
        back=back,
        url=article.url if is_web_url(article.url) else None,
        language=article.language if _LANGUAGE.fullmatch(article.language or "") else None,
        date_href=published_href(empty, fresh, article.published) if article.published else None,
        byline_href=fresh(params.new_search(bylines=(article.byline,))) if article.byline else None,
        source_href=fresh(params.new_search(sources=(article.source,))) if article.source else None,
        tags=tuple((tag, fresh(params.new_search(tags=(tag,)))) for tag in article.tags),
        related=tuple(
            (hit.title, url_for("articles.show", article_id=hit.id), hit.published)
            for hit in archive.similar(article.id, RELATED)
        ),
        held=tuple(pagetext.held_label(status) for status in article.held),
    )
    return render_template(
        "article.html",
        view=view,
        q=search.q if search else "",
        twin=url_for("api.article", article_id=article.id),
    )


def is_web_url(url: str | None) -> bool:
    """Only http(s) addresses become links: article data never yields a ``javascript:`` href."""
    if not url:
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _search_context() -> SearchRequest | None:
    """The search the reader came from, if the link carried one that still makes sense."""
    if not any(name in request.args for name in params.PARAMETERS):
        return None
    try:
        return current_search()
    except QueryError:
        return None
