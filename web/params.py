"""Search parameters: read from a query string in one place, written back in one place.

Every route that takes a search (the results page, ``/api/search``, the Atom feed and the
exports) reads it with ``search_request``, so a parameter means the same everywhere and is
checked once. ``to_pairs`` is the inverse: the canonical query string of a request, so
links are stable and shareable (the same search always has the same URL).

Out-of-range numbers are clamped (``page=0`` is page 1, ``per_page=10**6`` is the largest
page served); text that cannot mean anything (``page=abc``, ``from=yesterday``,
``sort=random``) is refused with a ``QueryError`` naming the parameter (HTTP 400).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from typing import Any

from werkzeug.datastructures import MultiDict

from archive.errors import QueryError
from archive.models import SORTS, SearchRequest

#: the parameters every search route reads; repeatable ones are marked in FILTERS
PARAMETERS = (
    "q",
    "page",
    "per_page",
    "sort",
    "from",
    "to",
    "source",
    "byline",
    "tag",
    "lang",
    "mode",
    "copies",
    "explain",
    "strict",
)
#: repeatable filter parameter -> SearchRequest field
FILTERS = {"source": "sources", "byline": "bylines", "tag": "tags", "lang": "languages"}
#: optional parts of the answer the API may switch off
SWITCHES = ("snippets", "facets", "timeline")
MAX_VALUES = 20
MAX_VALUE_LENGTH = 300
DEFAULT_PER_PAGE = 10
#: Archive.validate serves no result beyond this offset
MAX_OFFSET = 100_000
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")

Args = MultiDict[str, str]


def search_request(
    args: Args, max_per_page: int, *, per_page: int = DEFAULT_PER_PAGE, switches: bool = False
) -> SearchRequest:
    """The ``SearchRequest`` a query string asks for; raises ``QueryError`` for nonsense.

    ``switches`` lets the query string turn snippets, facets and the timeline off (the API
    allows it, the page always shows them).
    """
    q = _text(args, "q").strip()
    sort = _text(args, "sort").strip() or default_sort(q)
    if sort not in SORTS:
        raise QueryError(f"sort must be one of: {', '.join(SORTS)} (not {_show(sort)})")
    mode = _text(args, "mode").strip() or "all"
    if mode not in ("all", "any"):
        raise QueryError(f"mode must be 'all' or 'any' (not {_show(mode)})")
    fields: dict[str, Any] = {field: _values(args, name) for name, field in FILTERS.items()}
    # "any of these words" asks for pseudo-relevance feedback, as the CLI's --any does; the
    # archive runs it when NEWSARCHIVE_FEEDBACK=always
    fields["expand"] = mode == "any"
    fields["copies"] = _flag(args, "copies")
    fields["explain"] = _flag(args, "explain")
    fields["strict"] = _flag(args, "strict")
    if switches:
        fields.update((name, _switch(args, name)) for name in SWITCHES)
    return SearchRequest(
        q=q,
        page=max(1, _number(args, "page", 1)),
        per_page=min(max(1, _number(args, "per_page", per_page)), max(1, max_per_page)),
        sort=sort,  # type: ignore[arg-type]
        date_from=_date(args, "from"),
        date_to=_date(args, "to"),
        mode=mode,  # type: ignore[arg-type]
        **fields,
    )


def with_values(
    request: SearchRequest, field: str, values: tuple[str, ...], **changes: Any
) -> SearchRequest:
    """``request`` with the filter ``field`` (sources, bylines, tags, languages) set to
    ``values``, and any other ``changes``."""
    fields: dict[str, Any] = {field: values, **changes}
    return replace(request, **fields)


def new_search(**fields: Any) -> SearchRequest:
    """A fresh search with the sort a query string without ``sort`` would get."""
    fields.setdefault("sort", default_sort(fields.get("q", "")))
    return SearchRequest(**fields)


def default_sort(q: str) -> str:
    """Relevance ranks matches to words; with no words the newest come first."""
    return "relevance" if q else "newest"


def to_pairs(request: SearchRequest, *, page: bool = True) -> list[tuple[str, str]]:
    """The canonical query-string pairs of ``request``, defaults left out."""
    pairs: list[tuple[str, str]] = []
    if request.q:
        pairs.append(("q", request.q))
    for name, field in FILTERS.items():
        pairs.extend((name, value) for value in getattr(request, field))
    if request.date_from:
        pairs.append(("from", request.date_from.isoformat()))
    if request.date_to:
        pairs.append(("to", request.date_to.isoformat()))
    if request.sort != default_sort(request.q):
        pairs.append(("sort", request.sort))
    if request.mode != "all":
        pairs.append(("mode", request.mode))
    if request.copies:
        pairs.append(("copies", "1"))
    if request.explain:
        pairs.append(("explain", "1"))
    if request.strict:
        pairs.append(("strict", "1"))
    if request.per_page != DEFAULT_PER_PAGE:
        pairs.append(("per_page", str(request.per_page)))
    if page and request.page != 1:
        pairs.append(("page", str(request.page)))
    return pairs


def switch_pairs(request: SearchRequest) -> list[tuple[str, str]]:
    """The query-string pairs of the answer parts ``request`` switches off."""
    return [(name, "false") for name in SWITCHES if not getattr(request, name)]


def is_filtered(request: SearchRequest) -> bool:
    """Whether anything beyond the query text narrows the search."""
    return bool(
        request.date_from
        or request.date_to
        or any(getattr(request, field) for field in FILTERS.values())
    )


def max_page(per_page: int) -> int:
    """The deepest page the archive serves at this page size."""
    return MAX_OFFSET // max(per_page, 1) + 1


def _text(args: Args, name: str) -> str:
    value = args.get(name) or ""
    if len(value) > 10_000:
        raise QueryError(f"{name} is too long ({len(value):,} characters)")
    return str(value)


def _show(value: str) -> str:
    """A refused value, shortened, for the error message."""
    return repr(value if len(value) <= 40 else value[:40] + "…")


def _number(args: Args, name: str, default: int) -> int:
    raw = _text(args, name).strip()
    if not raw:
        return default
    if not re.fullmatch(r"[+-]?\d{1,30}", raw):
        raise QueryError(f"{name} must be a whole number (not {_show(raw)})")
    return int(raw)


def _date(args: Args, name: str) -> date | None:
    raw = _text(args, name).strip()
    if not raw:
        return None
    try:
        if not _DATE.fullmatch(raw):
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        raise QueryError(f"{name} must be a date like 2003-05-31 (not {_show(raw)})") from None


def _values(args: Args, name: str) -> tuple[str, ...]:
    values = _unique(value.strip() for value in args.getlist(name))
    if len(values) > MAX_VALUES:
        raise QueryError(f"at most {MAX_VALUES} {name} values may be given")
    for value in values:
        if len(value) > MAX_VALUE_LENGTH:
            raise QueryError(f"a {name} value is longer than {MAX_VALUE_LENGTH} characters")
        if _CONTROL.search(value):
            raise QueryError(f"a {name} value contains a control character")
    return values


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(value for value in values if value))


def _flag(args: Args, name: str) -> bool:
    """An off-by-default switch: ``1``/``true``/``yes``/``on`` turn it on."""
    raw = _text(args, name).strip().lower()
    if not raw or raw in _FALSE:
        return False
    if raw in _TRUE:
        return True
    raise QueryError(f"{name} must be true or false (not {_show(raw)})")


def _switch(args: Args, name: str) -> bool:
    raw = _text(args, name).strip().lower()
    if not raw or raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise QueryError(f"{name} must be true or false (not {_show(raw)})")
