"""A Whoosh index as arrays: per-document columns and postings as numpy arrays.

Whoosh answers a search one document at a time in Python: its matchers, scorers and
collectors cost a few microseconds per matching document, so on 100,000 articles a common
word took hundreds of milliseconds before a page could be drawn. Segments never change once
written (deletions only hide documents), so what a search needs for every document (field
lengths, facet values, story groups, dates) is read once per segment into arrays and kept in
an ``ArrayCache``; a ``View`` joins one searcher's segments into one space of global
document numbers. A term's postings are read block by block into arrays, and the terms
searched most recently are kept decoded (``CACHED_POSTINGS_BYTES``).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import numpy as np
from whoosh.matching import FilterMatcher
from whoosh.reading import TermNotFound
from whoosh.searching import Searcher
from whoosh.util.numeric import byte_to_length

from archive.engines.whoosh import compat

#: segments whose arrays are kept (a generation keeps at most a handful)
CACHED_SEGMENTS = 64
#: decoded postings kept between searches (a common word at 100,000 articles: ~300 KB)
CACHED_POSTINGS_BYTES = 64 * 2**20
#: Whoosh's one-byte field lengths decoded, as ``doc_field_length`` decodes them
_LENGTHS = np.array([byte_to_length(code) for code in range(256)], dtype=np.float64)
#: document frequencies a view remembers before it starts again
KEPT_FREQUENCIES = 100_000
#: attribute under which a searcher keeps its view (it dies with the searcher)
_VIEW = "_newsarchive_view"

Postings = tuple[np.ndarray, np.ndarray]
_NONE: Postings = (np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64))
_NONE_VALUES: Postings = (np.empty(0, dtype=np.int64), np.empty(0, dtype=object))
Values = tuple[np.ndarray, tuple[str, ...]]
Pairs = tuple[np.ndarray, np.ndarray, tuple[str, ...]]


class ArrayCache:
    """Per-segment arrays kept between searchers, least recently used segments dropped first."""

    def __init__(
        self, capacity: int = CACHED_SEGMENTS, postings_bytes: int = CACHED_POSTINGS_BYTES
    ) -> None:
        self.capacity = capacity
        self._segments: OrderedDict[str, dict[tuple[str, str], Any]] = OrderedDict()
        self._lock = threading.Lock()
        self.postings_bytes = postings_bytes
        self._postings: OrderedDict[tuple[str, str, bytes, bool], Postings] = OrderedDict()
        self._postings_size = 0
        self._postings_lock = threading.Lock()

    def postings(self, reader: Any, field: str, btext: bytes, values: bool = False) -> Postings:
        """A term's postings in one segment, decoded once and kept while they fit: document
        numbers and weights, or with ``values`` document numbers and encoded positions;
        empty when the segment does not hold the term."""
        key = (reader.segment().segment_id(), field, btext, values)
        with self._postings_lock:
            found = self._postings.get(key)
            if found is not None:
                self._postings.move_to_end(key)
                return found
        try:
            found = _postings(reader.postings(field, btext), values)
        except TermNotFound:  # kept too: the next search need not look it up again
            found = _NONE_VALUES if values else _NONE
        size = _size(found)
        with self._postings_lock:
            if key not in self._postings and size <= self.postings_bytes // 8:
                self._postings[key] = found
                self._postings_size += size
                while self._postings_size > self.postings_bytes:
                    _, dropped = self._postings.popitem(last=False)
                    self._postings_size -= _size(dropped)
        return found

    def get(self, reader: Any, kind: str, field: str, build: Callable[[Any, str], Any]) -> Any:
        key = reader.segment().segment_id()
        with self._lock:  # request threads share it; a build happens once
            arrays = self._segments.get(key)
            if arrays is None:
                arrays = self._segments[key] = {}
                while len(self._segments) > self.capacity:
                    self._segments.popitem(last=False)
            else:
                self._segments.move_to_end(key)
            if (kind, field) not in arrays:
                arrays[(kind, field)] = build(reader, field)
            return arrays[(kind, field)]


class View:
    """One searcher's segments as one space of global document numbers."""

    def __init__(self, searcher: Searcher, cache: ArrayCache) -> None:
        self.searcher = searcher
        self.cache = cache
        self.size = int(searcher.doc_count_all())
        # an index without segments (indexed from an empty folder) has one empty reader,
        # which has no segment to key arrays by and nothing to put in them
        self.leaves = [
            (leaf.reader(), int(offset))
            for leaf, offset in searcher.leaf_searchers()
            if leaf.reader().segment() is not None
        ]
        self.live = np.ones(self.size, dtype=bool)
        for reader, offset in self.leaves:
            deleted = list(reader.deleted_docs_set) if reader.has_deletions() else []
            if deleted:
                self.live[np.asarray(deleted, dtype=np.int64) + offset] = False
        self._joined: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()
        #: document frequencies of the terms searched lately (``doc_frequency``)
        self._frequencies: dict[tuple[str, bytes], int] = {}

    def postings(self, field: str, btext: bytes) -> Postings:
        """Global document numbers (ascending, live only) and weights of a term's postings."""
        return self._postings(field, btext, values=False)

    def doc_frequency(self, field: str, btext: bytes) -> int:
        """How many documents hold the term, deleted ones included (as Whoosh counts it for
        the idf); read from the postings, which a search decodes anyway."""
        found = self._frequencies.get((field, btext))
        if found is None:
            self._postings(field, btext, values=False)
            found = self._frequencies[(field, btext)]
        return found

    def positions(self, field: str, btext: bytes) -> Postings:
        """Global document numbers (ascending, live only) of a term's postings and each
        posting's encoded positions (``format.decode_positions`` reads them)."""
        return self._postings(field, btext, values=True)

    def _postings(self, field: str, btext: bytes, values: bool) -> Postings:
        docs, found = [], []
        total = 0
        for reader, offset in self.leaves:
            local, items = self.cache.postings(reader, field, btext, values)
            if len(local):
                docs.append(local + offset)
                found.append(items)
                total += len(local)
        if len(self._frequencies) >= KEPT_FREQUENCIES:
            self._frequencies.clear()
        self._frequencies[(field, btext)] = total
        if not docs:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=object if values else np.float64)
        joined, items = np.concatenate(docs), np.concatenate(found)
        keep = self.live[joined]
        return joined[keep], items[keep]

    def lengths(self, field: str) -> np.ndarray:
        """Every document's length in ``field`` (tokens, as Whoosh stores it)."""
        return self._join("lengths", field, _segment_lengths, _concatenate)

    def numbers(self, field: str) -> np.ndarray:
        """Every document's value of a sortable numeric field (its default when absent)."""
        return self._join("numbers", field, _segment_numbers, _concatenate)

    def values(self, field: str) -> Values:
        """Every document's value of a single-valued keyword field as an index into a
        vocabulary (-1 for none), and the vocabulary."""
        return self._join("values", field, _segment_values, _join_values)

    def pairs(self, field: str) -> Pairs:
        """(document, value) pairs of a multi-valued keyword field, values as indexes
        into the vocabulary, and the vocabulary."""
        return self._join("pairs", field, _segment_pairs, _join_pairs)

    def column(self, field: str) -> Values:
        """Every document's value of a sortable field read from its column, as ``values``
        gives it; for fields with about one value per document, where reading postings
        term by term would be slow."""
        return self._join("column", field, _segment_column, _join_values)

    def group_sizes(self) -> np.ndarray:
        """For each value of ``column("group")``: how many live articles have it, and 0 at
        index -1 (no group). Deleted articles do not count, though the index's own term
        statistics count them until their segment is merged."""
        with self._lock:
            sizes = self._joined.get(("sizes", "group"))
        if sizes is None:
            groups, vocabulary = self.column("group")
            live = np.bincount(groups[self.live & (groups >= 0)], minlength=len(vocabulary))
            sizes = np.append(live, 0)
            with self._lock:
                self._joined[("sizes", "group")] = sizes
        return sizes

    def shared_groups(self) -> np.ndarray:
        """For each value of ``column("group")``: whether live articles share it."""
        shared: np.ndarray = self.group_sizes() > 1
        return shared

    def derived(self, name: str, build: Callable[[View], Any]) -> Any:
        """A value computed from this view's arrays (``build(view)``), made once per view."""
        key = ("derived", name)
        with self._lock:
            found = self._joined.get(key)
        if found is None:
            found = build(self)
            with self._lock:
                found = self._joined.setdefault(key, found)
        return found

    def _join(self, kind: str, field: str, build: Callable[[Any, str], Any], join: Any) -> Any:
        with self._lock:
            if (kind, field) not in self._joined:
                parts = [self.cache.get(reader, kind, field, build) for reader, _ in self.leaves]
                offsets = [offset for _, offset in self.leaves]
                if not parts:
                    parts, offsets = [_empty(kind)], [0]
                self._joined[(kind, field)] = join(parts, offsets)
            return self._joined[(kind, field)]


def view(searcher: Searcher, cache: ArrayCache) -> View:
    """The searcher's view, made on first use."""
    found = getattr(searcher, _VIEW, None)
    if found is None:
        found = View(searcher, cache)
        setattr(searcher, _VIEW, found)
    return found


def _postings(matcher: Any, values: bool = False) -> Postings:
    """Segment-local document numbers and weights (or, with ``values``, encoded values) of
    one term, deleted documents included.

    Whoosh's own postings are read a block (up to 128 postings) at a time; other matchers
    (postings short enough to be kept in the term's entry) one posting at a time.
    """
    if isinstance(matcher, FilterMatcher):
        matcher = matcher.child  # deletions are applied by the view
    ids: list[np.ndarray] = []
    found: list[np.ndarray] = []
    blocks = compat.posting_blocks(matcher, values)
    if blocks is not None:
        for block_ids, block_items in blocks:
            ids.append(block_ids)
            found.append(_objects(block_items) if values else block_items)
        if ids:
            return np.concatenate(ids), np.concatenate(found)
    docs: list[int] = []
    items: list[Any] = []
    while matcher.is_active():
        docs.append(matcher.id())
        items.append(matcher.value() if values else matcher.weight())
        matcher.next()
    kept = _objects(items) if values else np.asarray(items, dtype=np.float64)
    return np.asarray(docs, dtype=np.int64), kept


def _objects(items: Any) -> np.ndarray:
    """A one-dimensional object array of ``items`` (numpy would split byte strings)."""
    array = np.empty(len(items), dtype=object)
    array[:] = list(items)
    return array


def _size(postings: Postings) -> int:
    """About how many bytes a term's decoded postings take."""
    docs, found = postings
    entry = 200  # the key and the entry itself: absent terms are kept too
    if found.dtype == object:
        return entry + docs.nbytes + sum(len(value) + 40 for value in found)
    return entry + docs.nbytes + found.nbytes


def _segment_lengths(reader: Any, field: str) -> np.ndarray:
    size = reader.doc_count_all()
    codes = np.zeros(size, dtype=np.uint8)
    column = compat.length_column(reader, field)
    if column is not None:
        codes = np.fromiter(column, np.uint8, size)
    return _LENGTHS[codes]


def _segment_numbers(reader: Any, field: str) -> np.ndarray:
    size = reader.doc_count_all()
    if not reader.has_column(field):
        return np.zeros(size, dtype=np.int64)
    return np.fromiter(reader.column_reader(field), np.int64, size)


def _segment_values(reader: Any, field: str) -> Values:
    docs, values, vocabulary = _segment_pairs(reader, field)
    ordinals = np.full(reader.doc_count_all(), -1, dtype=np.int32)
    ordinals[docs] = values
    return ordinals, vocabulary


def _segment_pairs(reader: Any, field: str) -> Pairs:
    docs: list[np.ndarray] = []
    values: list[np.ndarray] = []
    vocabulary = []
    if field in reader.schema:
        decode = reader.schema[field].from_bytes
        for number, btext in enumerate(reader.lexicon(field)):
            found, _ = _postings(reader.postings(field, btext))
            docs.append(found)
            values.append(np.full(len(found), number, dtype=np.int32))
            vocabulary.append(decode(btext))
    if not docs:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int32), ()
    return np.concatenate(docs), np.concatenate(values), tuple(vocabulary)


def _segment_column(reader: Any, field: str) -> Values:
    size = reader.doc_count_all()
    if not reader.has_column(field):
        return np.full(size, -1, dtype=np.int32), ()
    raw = list(reader.column_reader(field, translate=True))
    vocabulary, inverse = np.unique(np.asarray(raw, dtype=object), return_inverse=True)
    return inverse.astype(np.int32), tuple(str(value) for value in vocabulary)


def _concatenate(parts: list[np.ndarray], offsets: list[int]) -> np.ndarray:
    return np.concatenate(parts)


def _join_values(parts: list[Values], offsets: list[int]) -> Values:
    """Segments' value indexes renumbered into one vocabulary."""
    index: dict[str, int] = {}
    joined = [_renumber(ordinals, vocabulary, index) for ordinals, vocabulary in parts]
    return np.concatenate(joined), tuple(index)


def _join_pairs(parts: list[Pairs], offsets: list[int]) -> Pairs:
    """Segments' pairs in global document numbers, renumbered into one vocabulary."""
    index: dict[str, int] = {}
    docs, values = [], []
    for (found, ordinals, vocabulary), offset in zip(parts, offsets, strict=True):
        docs.append(found + offset)
        values.append(_renumber(ordinals, vocabulary, index))
    return np.concatenate(docs), np.concatenate(values), tuple(index)


def _renumber(ordinals: np.ndarray, vocabulary: tuple[str, ...], index: dict[str, int]) -> Any:
    """A segment's value indexes as indexes into ``index`` (which grows); -1 stays -1."""
    remap = np.array([index.setdefault(value, len(index)) for value in vocabulary] + [-1])
    return remap[ordinals].astype(np.int32)  # -1 picks the trailing -1


def _empty(kind: str) -> Any:
    if kind in ("lengths", "numbers"):
        return np.empty(0, dtype=np.float64 if kind == "lengths" else np.int64)
    if kind == "pairs":
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int32), ()
    return np.empty(0, dtype=np.int32), ()
