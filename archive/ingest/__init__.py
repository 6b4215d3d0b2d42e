"""Ingest: bytes in, ``Article`` out.

``sources`` walks paths and containers and hashes content; ``formats`` sniffs which parser
reads a source; one module per format does the parsing. Parsers are pure functions: no
I/O, no knowledge of the index.
"""
