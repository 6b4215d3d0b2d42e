"""Documents turned into what a Whoosh segment is made of: postings, lengths, columns and
stored values as arrays, ready for ``builder.SegmentBuilder``.

It runs where the documents are made (a parsing worker), so the main process only adds
arrays. Everything is driven by the schema's field objects: their analyser (through
``chains`` when it is token-local, else through the field's own
``index``), format (positions, frequencies or bare existence), ``scorable``, ``stored``
and ``column_type``, and gives what ``SegmentWriter.add_document`` gives.

Fields whose values are only known later, in the main process (*late* fields, such as
the story group that copy detection assigns), are left out of the postings here; their
stored values are taken as given and replaced by ``complete`` when they change.
"""

from __future__ import annotations

import pickle
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from whoosh import fields, formats

from archive.engines.whoosh.segments.chains import Chain, Memo
from archive.engines.whoosh.segments.fields import (
    FieldBatch,
    Plan,
    from_field,
    from_memo,
    from_numbers,
    integers,
)
from archive.engines.whoosh.segments.postings import FREQUENCIES, NO_VALUES, VALUES
from archive.errors import ArchiveError

Document = dict[str, Any]
#: zlib level of stored fields (``whoosh.codec.whoosh3.STORED_COLUMN``'s); any level
#: reads the same, and level 0 (stored, not compressed) costs a tenth of the time
STORED_LEVEL = 3


class UnsupportedField(ArchiveError):
    """A schema feature the array writer does not write (term vectors, boosts, ...)."""


@dataclass
class Analysed:
    """A batch of documents as arrays (picklable: it crosses process boundaries)."""

    count: int
    fields: dict[str, FieldBatch] = field(default_factory=dict)
    #: per scorable field, each document's length in terms (0: none)
    lengths: dict[str, np.ndarray] = field(default_factory=dict)
    #: per sortable field, each document's column value (None: none)
    columns: dict[str, list[Any]] = field(default_factory=dict)
    #: each document's stored fields, pickled and compressed as Whoosh stores them
    stored: list[bytes] = field(default_factory=list)
    #: the values the late fields had when the stored fields were made
    late: dict[str, list[Any]] = field(default_factory=dict)


class Analyser:
    """Analyses documents for one schema; remembers words across batches (one per process)."""

    def __init__(
        self, schema: fields.Schema, late: Sequence[str] = (), stored_level: int = STORED_LEVEL
    ) -> None:
        self.schema = schema
        self.late = tuple(late)
        self.stored_level = stored_level
        memos: dict[int, Memo] = {}
        self.plans = [self._plan(name, schema[name], memos) for name in sorted(schema.names())]

    def _plan(self, name: str, fieldobj: Any, memos: dict[int, Memo]) -> Plan:
        if fieldobj.vector or fieldobj.separate_spelling():
            raise UnsupportedField(f"the field {name!r} has term vectors or a spelling field")
        fmt = fieldobj.format
        if not fieldobj.indexed or fmt is None:
            return Plan(name, fieldobj, "", 1.0, None)
        if type(fmt) is formats.Frequency:
            kind = FREQUENCIES
        elif fmt.fixed_value_size() == 0:
            kind = NO_VALUES
        elif fmt.fixed_value_size() is None:
            kind = VALUES
        else:
            raise UnsupportedField(f"the field {name!r} has a format of fixed-size values")
        memo = None
        token_local = type(fmt) in (formats.Existence, formats.Frequency, formats.Positions)
        chain = Chain.of(fieldobj.analyzer) if token_local and _textual(fieldobj) else None
        if chain is not None:
            memo = memos.get(id(fieldobj.analyzer))
            if memo is None:
                memo = memos[id(fieldobj.analyzer)] = Memo(chain)
        return Plan(name, fieldobj, kind, float(fmt.field_boost), memo)

    def analyse(self, documents: Sequence[Document], only: Sequence[str] | None = None) -> Analysed:
        """The documents as arrays; with ``only``, just those fields' postings, lengths and
        columns (no stored values)."""
        _check(self.schema, documents)
        batch = Analysed(len(documents))
        for plan in self.plans:
            if (plan.name in self.late) if only is None else (plan.name not in only):
                continue
            values = [document.get(plan.name) for document in documents]
            if plan.kind:
                postings, lengths = self.postings(plan, values)
                if postings is not None:
                    batch.fields[plan.name] = postings
                if plan.field.scorable:
                    batch.lengths[plan.name] = lengths
            if plan.field.column_type is not None:
                batch.columns[plan.name] = [
                    None if value is None or custom is None else plan.field.to_column_value(custom)
                    for value, custom in zip(values, _custom(documents, plan.name), strict=True)
                ]
        if only is None:
            batch.stored = [self._stored(document) for document in documents]
            batch.late = {name: [d.get(name) for d in documents] for name in self.late}
        return batch

    def _stored(self, document: Document) -> bytes:
        stored = {}
        for name in sorted(name for name in document if not name.startswith("_")):
            value = document[name]
            if value is not None and self.schema[name].stored:
                custom = document.get(f"_stored_{name}", value)
                if custom is not None:
                    stored[name] = custom
        if not stored:
            return b""
        return zlib.compress(pickle.dumps(stored, 2), self.stored_level)

    def postings(self, plan: Plan, values: list[Any]) -> tuple[FieldBatch | None, np.ndarray]:
        """A field's postings for ``values`` (None: absent), and each one's length."""
        present = [index for index, value in enumerate(values) if value is not None]
        lengths = np.zeros(len(values), dtype=np.int32)
        if not present:
            return None, lengths
        given = [values[index] for index in present]
        if plan.memo is not None and all(isinstance(value, str) for value in given):
            found = from_memo(plan, plan.memo, given)
        elif integers(plan.field, given):
            found = from_numbers(plan, given)
        else:
            found = from_field(plan, given)
        lengths[present] = np.bincount(found.doc, weights=found.freq, minlength=len(present))
        found.doc = np.asarray(present, dtype=np.int32)[found.doc]
        return (found if len(found.doc) else None), lengths

    def complete(self, batch: Analysed, late: dict[str, list[Any]]) -> None:
        """Add the late fields' final values to a batch: their postings, lengths and
        columns, and the stored fields of the documents whose stored values change."""
        documents = [{name: values[i] for name, values in late.items()} for i in range(batch.count)]
        extra = self.analyse(documents, only=list(late))
        batch.fields.update(extra.fields)
        batch.lengths.update(extra.lengths)
        batch.columns.update(extra.columns)
        stored = [name for name in late if self.schema[name].stored]
        for index in range(batch.count):
            changed = {
                name: late[name][index]
                for name in stored
                if late[name][index] != batch.late[name][index]
            }
            if changed:
                batch.stored[index] = _restore(batch.stored[index], changed, self.stored_level)
        batch.late = dict(late)


def _textual(fieldobj: Any) -> bool:
    """Whether the field indexes its values through its analyser (not numbers or dates)."""
    return type(fieldobj).index is fields.FieldType.index


def _custom(documents: Sequence[Document], name: str) -> list[Any]:
    key = f"_stored_{name}"
    return [document.get(key, document.get(name)) for document in documents]


def _check(schema: fields.Schema, documents: Sequence[Document]) -> None:
    for document in documents:
        for name in document:
            if name.startswith("_"):
                if not name.startswith("_stored_"):
                    raise UnsupportedField(f"document boosts ({name}) are not written")
            elif name not in schema:
                raise UnsupportedField(f"no field named {name!r} in the schema")


def _restore(blob: bytes, changed: dict[str, Any], level: int) -> bytes:
    """A stored-fields blob with some values replaced (None removes one)."""
    stored = pickle.loads(zlib.decompress(blob)) if blob else {}
    stored.update(changed)
    stored = {name: stored[name] for name in sorted(stored) if stored[name] is not None}
    return zlib.compress(pickle.dumps(stored, 2), level) if stored else b""
