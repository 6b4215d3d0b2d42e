"""Site boilerplate that is not part of an article: subscription pleas, newsletter and
donation appeals, copyright lines, share prompts.

Used by every parser that reads text saved from a web page. Only short paragraphs at the
edges of an article are tested, so a story that *reports on* subscriptions keeps its body.
"""

from __future__ import annotations

import re

_PATTERNS = [
    r"\bsubscrib(e|ing|er|ers|tion)\b",
    r"\bsign(ing)? up\b.*\b(newsletter|email|updates)\b",
    r"\b(support|fund)(ing)? (our|quality|independent) journalism\b",
    r"\bquality journalism\b",
    r"\b(donate|donation|become a (member|supporter))\b",
    r"\ball rights reserved\b",
    r"^(©|\(c\)|copyright\b)",
    r"\bshare (this|on) (article|story|facebook|twitter)\b",
    r"\b(click|tap) here\b",
    r"\bread more:",
    r"\bfollow us on\b",
    r"\bcookies?\b.*\b(accept|consent|policy)\b",
    r"\bthis (article|story) (is|was) (free|available) (to|for)\b",
    r"\bget the story right\b",
    r"\bmisinformation and too much information\b",
]
_BOILERPLATE = re.compile("|".join(f"(?:{p})" for p in _PATTERNS), re.IGNORECASE)
#: paragraphs longer than this are article text, whatever words they use
MAX_BOILERPLATE_CHARS = 400


def is_boilerplate(paragraph: str) -> bool:
    """True for a short paragraph that reads as a site's plea, notice or prompt."""
    text = paragraph.strip()
    return bool(text) and len(text) <= MAX_BOILERPLATE_CHARS and bool(_BOILERPLATE.search(text))


def strip_trailing(paragraphs: list[str]) -> list[str]:
    """Drop boilerplate paragraphs from the end of an article (the usual place for them)."""
    end = len(paragraphs)
    while end > 1 and is_boilerplate(paragraphs[end - 1]):
        end -= 1
    return paragraphs[:end]
