"""Ingest: bytes in, ``Article`` out.

``sources`` walks paths and hashes content; ``containers`` opens zip, tar and gzip files;
``formats`` sniffs which parser reads a source and holds one module per format;
``text`` holds the helpers the parsers share; ``articles`` is what every parser is given
and how it builds an ``Article``. Parsers are pure functions: no I/O, no knowledge of
the index.
"""
