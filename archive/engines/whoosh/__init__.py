"""The embedded default engine: a Whoosh index in generations under the data directory."""

from archive.engines.whoosh.engine import WhooshEngine

__all__ = ["WhooshEngine"]
