"""Facet counting for multi-valued fields, with per-segment data kept between searches.

Whoosh counts a multi-valued field (tags) by building, for every segment and on every
search, a list of each document's values from the field's postings: at 100,000 articles
that dominated the cost of a results page. Segments never change once written (deletions
only hide documents), so those lists are built once per segment and kept.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from whoosh import sorting

#: segments whose value lists are kept (a generation keeps at most a handful)
CACHED_SEGMENTS = 64


class SegmentLists:
    """Per-segment lists of each document's values, least recently used dropped first."""

    def __init__(self, capacity: int = CACHED_SEGMENTS) -> None:
        self.capacity = capacity
        self._lists: OrderedDict[tuple[str, str], list[list[str]]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, reader: Any, fieldname: str) -> list[list[str]]:
        key = (reader.segment().segment_id(), fieldname)
        with self._lock:  # request threads share it
            lists = self._lists.get(key)
            if lists is None:
                lists = _build(reader, fieldname)
                self._lists[key] = lists
                while len(self._lists) > self.capacity:
                    self._lists.popitem(last=False)
            else:
                self._lists.move_to_end(key)
            return lists


def _build(reader: Any, fieldname: str) -> list[list[str]]:
    field = reader.schema[fieldname]
    lists: list[list[str]] = [[] for _ in range(reader.doc_count_all())]
    for btext in field.sortable_terms(reader, fieldname):
        text = field.from_bytes(btext)
        for docid in reader.postings(fieldname, btext).all_ids():
            lists[docid].append(text)
    return lists


class OverlapFacet(sorting.FieldFacet):
    """A multi-valued field facet whose per-segment lists come from a ``SegmentLists``."""

    def __init__(self, fieldname: str, lists: SegmentLists, **options: Any) -> None:
        super().__init__(fieldname, allow_overlap=True, **options)
        self.lists = lists

    def categorizer(self, global_searcher: Any) -> sorting.Categorizer:
        return _Categorizer(global_searcher, self.fieldname, self.lists)


class _Categorizer(sorting.OverlappingCategorizer):
    def __init__(self, global_searcher: Any, fieldname: str, lists: SegmentLists) -> None:
        super().__init__(global_searcher, fieldname)
        self._segment_lists = lists

    def set_searcher(self, segment_searcher: Any, docoffset: int) -> None:
        self._segment_searcher = segment_searcher
        self._lists = self._segment_lists.get(segment_searcher.reader(), self._fieldname)

    def keys_for(self, matcher: Any, docid: int) -> list[str | None]:
        values: list[str | None] = list(self._lists[docid])
        return values or [None]
