"""The bulk pipeline: sources in, articles through the engine's writer, the catalog beside.

``indexer`` runs ``index`` and ``reindex``; ``changes`` finds what a run has to parse;
``parsing`` is what the worker processes do with one source (``workers`` keeps them from
outliving their parent, ``timelimit`` bounds each parse, ``languages`` detects what the
source does not say, ``fingerprints`` prints its text); ``dedup`` groups copies of one
story; ``batches`` holds what the next commit writes; ``catalog`` is the SQLite record of
every source (``database`` opens it; the fingerprints live in it too); ``reporting`` tells
the watcher and the caller how the run went; ``locking`` lets one writer in at a time.
"""
