"""One journalled change of the catalog: what a batch will record once the engine commits it.

A batch journals its changes in the catalog before the engine commits (``Catalog.journal``)
and settles them after; a crash between the two is settled by the next run from the
journal (``Catalog.pending``, ``Catalog.settle``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from archive.models import SourceRecord


@dataclass(frozen=True)
class Entry:
    """One journalled change: a source's new record (with its article ids), its removal,
    or (``touch``) the new size (``size``) and ``mtime`` of its unchanged file."""

    op: str  # "record", "forget" or "touch"
    path: str
    file: str = ""
    size: int = 0
    record: SourceRecord | None = None
    ids: list[str] | None = None
    mtime: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "file": self.file,
            "size": self.size,
            "ids": self.ids,
            "record": self.record.to_dict() if self.record else None,
            "mtime": self.mtime,
        }

    @classmethod
    def from_json(cls, op: str, data: dict[str, Any]) -> Entry:
        record = SourceRecord(**data["record"]) if data.get("record") else None
        return cls(
            op, data["path"], data["file"], data["size"], record, data["ids"], data.get("mtime", 0)
        )
