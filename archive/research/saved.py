"""Saved searches and alerts: a search kept by name, the articles it gains with each index
run, and what is new since it was last seen.

What a saved search has seen, and what it matched when its gains were last counted, are
kept as fingerprints of id sets in the research store (``store``), so "new" means articles
that were not among its matches then, whatever their dates; an article that changes and
keeps its id is not new. Saved searches live beside the catalog and survive ``reindex``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import replace

from archive.errors import ArchiveError, QueryError
from archive.models import Hit, SearchRequest
from archive.models.citation import request_from
from archive.models.saved import SavedGain, SavedSearch, SavedView
from archive.research.citations import Citer, cited_request
from archive.research.store import Store

#: new articles a saved search's page lists, newest first
SHOWN = 50
#: up to this many new articles are read one by one; more are found by a newest-first scan
READ_ONE_BY_ONE = 200
_NAME = re.compile(r"[\w][\w .,'()&-]{0,79}")


class SavedSearchNotFound(ArchiveError):
    """No saved search has that name."""

    exit_code = 6
    http_status = 404


class SavedSearches:
    """The saved searches of one archive."""

    def __init__(
        self,
        store: Store,
        citer: Citer,
        article_hit: Callable[[str], Hit | None],
        newest: Callable[[SearchRequest], Iterator[Hit]],
    ) -> None:
        self.store = store
        self.citer = citer
        self.article_hit = article_hit
        self.newest = newest

    def add(self, name: str, request: SearchRequest) -> SavedSearch:
        """Save ``request`` as ``name``; what it matches now counts as seen."""
        name = check_name(name)
        request = cited_request(request)
        key, _ = self.citer.ids(request)
        if not self.store.save(name, request_json(request), key):
            raise QueryError(f"a saved search is already named {name!r}; remove it first")
        return self.get(name)

    def remove(self, name: str) -> None:
        if not self.store.remove(name):
            raise SavedSearchNotFound(f"no saved search is named {name[:80]!r}")

    def all(self) -> list[SavedSearch]:
        """Every saved search, by name, with its matches counted now."""
        return [self._counted(row)[0] for row in self.store.saved()]

    def get(self, name: str) -> SavedSearch:
        return self._counted(self._row(name))[0]

    def view(self, name: str) -> SavedView:
        """A saved search and its matches not seen yet, newest first."""
        saved, new = self._counted(self._row(name))
        citation = self.citer.cite(saved.request)
        return SavedView(saved, self._hits(saved.request, new), citation)

    def mark_seen(self, name: str) -> SavedSearch:
        """Count every current match of ``name`` as seen."""
        row = self._row(name)
        key, _ = self.citer.ids(from_json(row["request"]))
        self.store.mark(name, "seen", key)
        return self.get(name)

    def gains(self) -> list[SavedGain]:
        """How many articles each saved search gained since this was last asked (after
        each ``index`` and ``reindex``), counting them from now on."""
        if not self.store.path.exists():
            return []  # nothing ever saved: the store is not made just to say so
        out = []
        for row in self.store.saved():
            key, ordered = self.citer.ids(from_json(row["request"]))
            before = self.store.ids(row["counted"]) if row["counted"] else []
            gained = len(set(ordered) - set(before or []))
            self.store.mark(row["name"], "counted", key)
            out.append(SavedGain(row["name"], gained, len(ordered)))
        return out

    def _row(self, name: str) -> dict:
        for row in self.store.saved():
            if row["name"] == name:
                return row
        raise SavedSearchNotFound(f"no saved search is named {name[:80]!r}")

    def _counted(self, row: dict) -> tuple[SavedSearch, set[str]]:
        request = from_json(row["request"])
        _, ordered = self.citer.ids(request)
        seen = set(self.store.ids(row["seen"]) or []) if row["seen"] else set()
        new = set(ordered) - seen
        saved = SavedSearch(
            name=row["name"],
            request=request,
            created=row["created"],
            seen_at=row["seen_at"],
            total=len(ordered),
            new=len(new),
        )
        return saved, new

    def _hits(self, request: SearchRequest, new: set[str]) -> tuple[Hit, ...]:
        """Up to ``SHOWN`` of the ``new`` articles, newest first."""
        if not new:
            return ()
        if len(new) <= READ_ONE_BY_ONE:
            hits = [hit for article_id in new if (hit := self.article_hit(article_id))]
            hits.sort(key=lambda hit: (hit.published is not None, _when(hit), hit.id))
            hits.reverse()
            return tuple(hits[:SHOWN])
        found = []
        for hit in self.newest(replace(request, sort="newest")):
            if hit.id in new:
                found.append(hit)
                if len(found) >= SHOWN:
                    break
        return tuple(found)


def check_name(name: str) -> str:
    name = name.strip()
    if not _NAME.fullmatch(name):
        raise QueryError(
            "a saved search's name is 1 to 80 letters, digits, spaces and . , ' ( ) & -, "
            "starting with a letter or digit"
        )
    return name


def request_json(request: SearchRequest) -> dict:
    return {key: value for key, value in request.to_dict().items() if key in _KEPT}


def from_json(data: dict) -> SearchRequest:
    """The search a saved row's JSON holds."""
    return request_from(data.get("q", ""), data)


_KEPT = ("q", "date_from", "date_to", "sources", "bylines", "tags", "languages", "mode", "copies")


def _when(hit: Hit) -> str:
    return hit.published.value.isoformat() if hit.published else ""
