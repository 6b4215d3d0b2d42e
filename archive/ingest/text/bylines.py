"""Which values may become a byline: a person's (or an agency's) name, never a code.

Pages and agency feeds offer many author-like values that name nobody: social handles
(``@libe``, ``dangoodin001``), editing-system logins (``load``, ``bock``), profile
addresses, desk codes. A byline shown to readers and searched with ``byline:`` must be a
name, so every parser asks ``is_code`` before taking a value as one.
"""

from __future__ import annotations

import re

from lxml.etree import XPath
from lxml.html import HtmlElement

#: a handle or login: ``@x``, anything with a digit, ``_``, ``@``, ``.`` or ``:`` inside,
#: all lower case (``load``, ``folha``) or joined words (``StevenMufson``, ``BBCWorld``)
_CODE = re.compile(
    r"^(?:@.*|\S*[\d_@:/.]\S*|[a-z\u00df-\u00ff-]+|\S*(?:[a-z][A-Z]|[A-Z]{2}[a-z])\S*)$"
)
_ADDRESS = re.compile(r"^(?:https?:|www\.|mailto:)", re.IGNORECASE)
_BY = re.compile(r"^(?:by|von|par|por|door|av|di)\s+", re.IGNORECASE)
#: elements marked as the article's author or byline (the marks Readability.js reads too)
_BYLINE_XPATH = XPath(
    "//*[@rel='author' or contains(@itemprop, 'author')"
    " or contains(@class, 'byline') or contains(@class, 'author')][not(self::meta)]"
)
#: a page's byline is short: names, not a biography
MAX_BYLINE_CHARS = 80
#: ... and each name in it a few words at most ("Ana María Ruiz Gómez")
MAX_NAME_WORDS = 4
_NAME_SEPARATORS = re.compile(r"\s*(?:,|&|\band\b|\bund\b|\bet\b|\by\b)\s*", re.IGNORECASE)


def is_code(value: str) -> bool:
    """True when ``value`` is a handle, login, address or code rather than a name.

    Only single words are judged by their shape; a value of several words (``Ana Ruiz``,
    ``Staff and agencies``) is taken to be written for people.
    """
    text = value.strip()
    if not text or _ADDRESS.match(text) or not any(c.isalpha() for c in text):
        return True
    return len(text.split()) == 1 and bool(_CODE.match(text))


def person_name(value: str) -> str | None:
    """``value`` as a byline: "By" and spacing removed; None for a handle, login or code."""
    name = _BY.sub("", " ".join(value.split()))
    return None if is_code(name) else name


def page_byline(tree: HtmlElement) -> str | None:
    """The first byline the page shows: an element marked as its author or byline.

    Only a short text of names counts: no digits ("By X, 3 hours ago"), a few words per
    name. A long one is cut at its first comma ("By Ana Ruiz, Senior Technologist, ...").
    """
    for element in _BYLINE_XPATH(tree):
        text = " ".join(element.text_content().split()).strip(" ,;|-–—")
        if len(text) > MAX_BYLINE_CHARS:
            text = text.split(",", 1)[0]
        if len(text) > MAX_BYLINE_CHARS or any(c.isdigit() for c in text):
            continue
        name = person_name(text)
        if name and all(_is_name(part) for part in _NAME_SEPARATORS.split(name) if part):
            return name
    return None


def _is_name(words: str) -> bool:
    """A few words, one of them at least two letters long ("J J" is no name)."""
    parts = words.split()
    return 0 < len(parts) <= MAX_NAME_WORDS and any(sum(c.isalpha() for c in p) > 1 for p in parts)
