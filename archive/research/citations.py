"""Citing a figure and checking a citation later.

A citation is made from the ids of every match: their fingerprint (``store.fingerprint``)
goes into the citation, and the ids themselves into the research store, once per
fingerprint, so a later check can say exactly which articles were added or removed since.
A citation made elsewhere (another copy of the archive) can still be checked: it then says
whether the figure holds and how the count moved, but not which articles changed.
"""

from __future__ import annotations

from collections.abc import Callable

from archive.engines.base import Engine
from archive.models import SearchRequest
from archive.models.citation import Citation, CitationCheck
from archive.querytree import Node
from archive.research.store import Store, fingerprint, now

#: ids of added and removed articles a check lists
LISTED_IDS = 20


def cited_request(request: SearchRequest) -> SearchRequest:
    """Only what decides which articles match: the query, its mode, filters, copies and
    whether held articles are included."""
    return SearchRequest(
        q=request.q,
        date_from=request.date_from,
        date_to=request.date_to,
        sources=request.sources,
        bylines=request.bylines,
        tags=request.tags,
        languages=request.languages,
        mode=request.mode,
        copies=request.copies,
        include_held=request.include_held,
    )


class Citer:
    """Makes citations on one engine and records the ids behind them."""

    def __init__(self, engine: Engine, store: Store, build: Callable[[SearchRequest], Node]):
        self.engine = engine
        self.store = store
        self.build = build

    def ids(self, request: SearchRequest, tree: Node | None = None) -> tuple[str, list[str]]:
        """The fingerprint and sorted ids of a search's matches, recorded in the store."""
        request = cited_request(request)
        tree = tree if tree is not None else self.build(request)
        key, ordered = fingerprint(self.engine.match_ids(tree, request))
        self.store.record(key, ordered)
        return key, ordered

    def cite(self, request: SearchRequest, tree: Node | None = None) -> Citation:
        """The citation of a search's count as it stands now."""
        return self._citation(request, *self.ids(request, tree))

    def _citation(self, request: SearchRequest, key: str, ordered: list[str]) -> Citation:
        return Citation(
            request=cited_request(request),
            count=len(ordered),
            fingerprint=key,
            engine=self.engine.name,
            generation=self.engine.generation(),
            at=now(),
        )

    def check(self, citation: Citation) -> CitationCheck:
        """Whether ``citation`` still holds; if not, what was added and removed since, when
        the ids behind it are recorded here."""
        key, after = self.ids(citation.request)
        current = self._citation(citation.request, key, after)
        if current.fingerprint == citation.fingerprint:
            return CitationCheck(citation, current, recorded=True, added=0, removed=0)
        before = self.store.ids(citation.fingerprint)
        if before is None:
            return CitationCheck(citation, current, recorded=False)
        added = sorted(set(after) - set(before))
        removed = sorted(set(before) - set(after))
        return CitationCheck(
            citation,
            current,
            recorded=True,
            added=len(added),
            removed=len(removed),
            added_ids=tuple(added[:LISTED_IDS]),
            removed_ids=tuple(removed[:LISTED_IDS]),
        )
