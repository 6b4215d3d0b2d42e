"""One hit per story on Whoosh: hiding the later copies of each group among a search's matches.

Indexing gives every article a ``group`` id (``archive.dedup``) and flags the articles that
joined an existing group (``copy``). For a search, the copies among its matches are found
(only the members of groups with more than one article are looked at, never the whole
result set) and all but the earliest matching copy of each group are masked, so ranking,
totals, facets and the timeline all count one article per story. The earliest copy is
the first published; undated copies come after dated ones.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from typing import Any

from whoosh import matching
from whoosh import query as wq
from whoosh.searching import Searcher

#: attribute under which a searcher keeps its table of copies (it dies with the searcher)
_CACHE = "_newsarchive_copies"


class Copies:
    """The members of every group of copies in one searcher's view of the index."""

    def __init__(self, searcher: Searcher) -> None:
        reader = searcher.reader()
        self.members: dict[int, tuple[str, tuple[int, int, int]]] = {}
        if "copy" not in searcher.schema or "group" not in searcher.schema:
            return
        groups = reader.column_reader("group") if reader.has_column("group") else None
        if groups is None:
            return
        ts = reader.column_reader("ts") if reader.has_column("ts") else None
        dated = reader.column_reader("dated") if reader.has_column("dated") else None
        names = {_text(groups[docnum]) for docnum in searcher.docs_for_query(_FLAGGED)}
        for name in names:
            for docnum in searcher.docs_for_query(wq.Term("group", name)):
                when = int(ts[docnum]) if ts is not None else 0
                undated = 1 - int(dated[docnum]) if dated is not None else 1
                self.members[docnum] = (name, (undated, when, docnum))

    def hidden(self, searcher: Searcher, query: wq.Query) -> set[int]:
        """The matching copies to leave out: every matching member but each group's earliest."""
        if not self.members:
            return set()
        matched = _matching(searcher, query, sorted(self.members))
        earliest: dict[str, tuple[tuple[int, int, int], int]] = {}
        by_group: dict[str, list[int]] = defaultdict(list)
        for docnum in matched:
            name, order = self.members[docnum]
            by_group[name].append(docnum)
            if name not in earliest or order < earliest[name][0]:
                earliest[name] = (order, docnum)
        return {
            docnum
            for name, docnums in by_group.items()
            for docnum in docnums
            if docnum != earliest[name][1]
        }


_FLAGGED = wq.Term("copy", "1")


class Without(wq.WrappingQuery):
    """``child`` without the documents ``hidden`` (global document numbers).

    Applied in the query rather than by a collector, so totals, facets, the timeline and
    the time budget all see the same matches.
    """

    def __init__(self, child: wq.Query, hidden: frozenset[int]) -> None:
        super().__init__(child)
        self.hidden = frozenset(hidden)

    def _rewrap(self, child: wq.Query) -> Without:
        return Without(child, self.hidden)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Without) and self.child == other.child and self.hidden == other.hidden
        )

    def __hash__(self) -> int:
        return hash(self.child) ^ hash(self.hidden)

    def matcher(self, searcher: Searcher, context: Any = None) -> Any:
        inner = self.child.matcher(searcher, context)
        offset = _offset(searcher)
        size = searcher.doc_count_all()
        local = frozenset(d - offset for d in self.hidden if offset <= d < offset + size)
        return matching.FilterMatcher(inner, local, exclude=True) if local else inner


def without_copies(searcher: Searcher, query: wq.Query) -> wq.Query:
    """``query`` showing one article per group of copies."""
    hidden = copies(searcher).hidden(searcher, query)
    return Without(query, frozenset(hidden)) if hidden else query


def _offset(searcher: Searcher) -> int:
    parent = searcher.get_parent()
    if parent is searcher:
        return 0
    for leaf, offset in parent.leaf_searchers():
        if leaf is searcher:
            return int(offset)
    return 0


def copies(searcher: Searcher) -> Copies:
    """The searcher's table of copies, built on first use."""
    table = getattr(searcher, _CACHE, None)
    if table is None:
        table = Copies(searcher)
        setattr(searcher, _CACHE, table)
    return table


def group_size(searcher: Searcher, group: str | None) -> int:
    """How many articles of the index belong to ``group``."""
    if not group or "group" not in searcher.schema:
        return 1
    return max(1, int(searcher.doc_frequency("group", group)))


def _matching(searcher: Searcher, query: wq.Query, candidates: list[int]) -> list[int]:
    """Which of the (sorted) candidate documents ``query`` matches.

    Per segment, whichever is shorter is walked: the candidates (skipping the matcher to
    each) or the matches (looking each up among the candidates).
    """
    found: list[int] = []
    for sub, offset in searcher.leaf_searchers():
        size = sub.doc_count_all()
        low = bisect.bisect_left(candidates, offset)
        high = bisect.bisect_left(candidates, offset + size)
        if low == high:
            continue
        local = [docnum - offset for docnum in candidates[low:high]]
        matcher = query.matcher(sub, sub.boolean_context())
        if not matcher.is_active():
            continue
        if len(local) > query.estimate_size(sub.reader()):
            members = set(local)
            found.extend(docnum + offset for docnum in matcher.all_ids() if docnum in members)
            continue
        for docnum in local:
            if not matcher.is_active():
                break
            if matcher.id() < docnum:
                matcher.skip_to(docnum)
            if matcher.is_active() and matcher.id() == docnum:
                found.append(docnum + offset)
    return found


def _text(value: Any) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)
