"""What both engines' snippets share: ``SnippetPart`` runs joined into the fewest runs."""

from __future__ import annotations

from archive.models import SnippetPart


def merge_runs(parts: list[SnippetPart]) -> tuple[SnippetPart, ...]:
    """Join neighbouring runs of the same kind (marked or plain), dropping empty ones."""
    merged: list[SnippetPart] = []
    for part in parts:
        if not part.text:
            continue
        if merged and merged[-1].match == part.match:
            merged[-1] = SnippetPart(merged[-1].text + part.text, part.match)
        else:
            merged.append(part)
    return tuple(merged)
