"""newsarchive: a searchable news archive.

The library knows nothing of Flask or Click; ``archive.core.Archive`` is the one facade
that the CLI and the web front end call.
"""
