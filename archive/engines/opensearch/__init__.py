"""The scale-out engine: the archive's articles in an OpenSearch cluster."""

from archive.engines.opensearch.engine import OpenSearchEngine

__all__ = ["OpenSearchEngine"]
