"""Parameters of the research pages, read in one place and written back in one place.

The filters are the search's own (``params.search_request``); beside them a chart takes
several ``q`` (one per series), ``by`` (day, week, month, year) and ``measure`` (share or
count), the words page ``score`` and ``n``, the keyword-in-context page ``order``
(articles, before, after), ``width`` and its pages.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from urllib.parse import urlencode

from archive.errors import QueryError
from archive.models import SearchRequest
from archive.models.research import SCORES, UNITS
from archive.research.compare import MAX_QUERIES
from archive.research.kwic import SORTS as ORDERS
from archive.research.kwic import WIDTH
from web import params
from web.params import Args

MEASURES = ("share", "count")
DEFAULT_TERMS = 25
MAX_TERMS = 100
KWIC_PER_PAGE = 50


@dataclass(frozen=True)
class ChartAsk:
    """A chart asked for: the queries (sharing the first request's filters), the unit
    (None: chosen from the span) and what the y axis shows."""

    requests: tuple[SearchRequest, ...]
    unit: str | None
    measure: str

    def pairs(self, **changes: str | None) -> list[tuple[str, str]]:
        """The canonical query string of this chart, with ``changes`` (None drops one)."""
        base = self.requests[0]
        pairs = [("q", request.q) for request in self.requests if request.q]
        pairs += [
            (k, v) for k, v in params.to_pairs(replace(base, q=""), page=False) if k != "sort"
        ]
        extra = {"by": self.unit, "measure": None if self.measure == "share" else self.measure}
        extra.update(changes)
        pairs += [(name, value) for name, value in extra.items() if value]
        return pairs

    def query_string(self, **changes: str | None) -> str:
        pairs = self.pairs(**changes)
        return f"?{urlencode(pairs)}" if pairs else ""


def chart(args: Args, max_per_page: int) -> ChartAsk:
    """The chart a query string asks for; no ``q`` charts every article."""
    base = params.search_request(args, max_per_page)
    texts = [text.strip() for text in args.getlist("q") if text.strip()]
    if len(texts) > MAX_QUERIES:
        raise QueryError(f"at most {MAX_QUERIES} queries can be compared on one chart")
    requests = tuple(replace(base, q=text) for text in texts) or (replace(base, q=""),)
    return ChartAsk(
        requests,
        _choice(args, "by", (*UNITS, "auto"), "auto", none="auto"),
        _choice(args, "measure", MEASURES, "share") or "share",
    )


def score(args: Args) -> str:
    return _choice(args, "score", SCORES, "g2") or "g2"


def terms(args: Args) -> int:
    return min(max(1, _number(args, "n", DEFAULT_TERMS)), MAX_TERMS)


def order(args: Args) -> str:
    return _choice(args, "order", ORDERS, "articles") or "articles"


def width(args: Args) -> int:
    return _number(args, "width", WIDTH)


def page(args: Args) -> int:
    return max(1, _number(args, "page", 1))


def _choice(
    args: Args, name: str, allowed: tuple[str, ...], default: str, none: str | None = None
) -> str | None:
    raw = (args.get(name) or "").strip() or default
    if raw not in allowed:
        raise QueryError(f"{name} must be one of: {', '.join(allowed)} (not {raw[:20]!r})")
    return None if raw == none else raw


def _number(args: Args, name: str, default: int) -> int:
    raw = (args.get(name) or "").strip()
    if not raw:
        return default
    if not raw.isdigit() or len(raw) > 9:
        raise QueryError(f"{name} must be a whole number (not {raw[:20]!r})")
    return int(raw)
