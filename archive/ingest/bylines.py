"""Which values may become a byline: a person's (or an agency's) name, never a code.

Pages and agency feeds offer many author-like values that name nobody: social handles
(``@libe``, ``dangoodin001``), editing-system logins (``load``, ``bock``), profile
addresses, desk codes. A byline shown to readers and searched with ``byline:`` must be a
name, so every parser asks ``is_code`` before taking a value as one.
"""

from __future__ import annotations

import re

#: a handle or login: ``@x``, anything with a digit, ``_``, ``@``, ``.`` or ``:`` inside,
#: all lower case (``load``, ``folha``) or joined words (``StevenMufson``, ``BBCWorld``)
_CODE = re.compile(
    r"^(?:@.*|\S*[\d_@:/.]\S*|[a-z\u00df-\u00ff-]+|\S*(?:[a-z][A-Z]|[A-Z]{2}[a-z])\S*)$"
)
_ADDRESS = re.compile(r"^(?:https?:|www\.|mailto:)", re.IGNORECASE)


def is_code(value: str) -> bool:
    """True when ``value`` is a handle, login, address or code rather than a name.

    Only single words are judged by their shape; a value of several words (``Ana Ruiz``,
    ``Staff and agencies``) is taken to be written for people.
    """
    text = value.strip()
    if not text or _ADDRESS.match(text) or not any(c.isalpha() for c in text):
        return True
    return len(text.split()) == 1 and bool(_CODE.match(text))
