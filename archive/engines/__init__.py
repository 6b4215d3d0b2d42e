"""Search engines behind one protocol (``base.Engine``); ``open_engine`` picks one by name."""

from __future__ import annotations

from archive.config import Settings
from archive.engines.base import Engine
from archive.errors import ArchiveError


def open_engine(settings: Settings) -> Engine:
    """The engine named by ``settings.engine``."""
    if settings.engine == "whoosh":
        from archive.engines.whoosh import WhooshEngine

        return WhooshEngine(settings)
    if settings.engine == "opensearch":
        from archive.engines.opensearch import OpenSearchEngine

        return OpenSearchEngine(settings)
    raise ArchiveError(f"unknown engine {settings.engine!r}; the engines are: whoosh, opensearch")
