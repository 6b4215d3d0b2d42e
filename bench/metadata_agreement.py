"""How far the archive's page metadata agrees with the expected metadata of a page set.

The readability set (``data/extraction-readability``) gives each page's expected title,
byline, publication date and language (``expected-metadata.json``: Readability.js's own
answers, a second opinion rather than truth). A field is compared only where the expected
data has a value; values are compared after normalisation:

* title and byline: case folded, punctuation and spacing ignored, a leading "by" dropped
  from bylines and "A and B" taken for "A, B";
* date: the same instant (to the second), or the same calendar day when either side gives
  only a day;
* language: the primary subtag (``en-US`` is ``en``).

A field the archive leaves empty counts as missing; one with another value as differing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

FIELDS = ("title", "byline", "date", "language")
_EXPECTED_KEYS = {
    "title": "title",
    "byline": "byline",
    "date": "publishedTime",
    "language": "lang",
}


@dataclass
class FieldTally:
    """One field's counts over the pages whose expected metadata has a value for it."""

    compared: int = 0
    agree: int = 0
    missing: int = 0
    differing: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def share(self) -> float:
        return self.agree / self.compared if self.compared else 0.0


def _norm(text: str) -> str:
    return " ".join(re.sub(r"\W+", " ", text.casefold()).split())


def _byline(text: str) -> str:
    """A byline's names: "by" dropped, "A and B", "A et B" and "A, B" alike."""
    names = re.sub(r"\b(?:and|et|und|y)\b", " ", _norm(text))
    return " ".join(re.sub(r"^by\s+", "", names).split())


def _language(text: str) -> str:
    return text.strip().lower().replace("_", "-").split("-")[0]


def _same_date(expected: str, ours: Any) -> bool:
    from archive.ingest.text.dates import parse_date

    wanted = parse_date(expected)
    if wanted is None or ours is None:
        return False
    if wanted.value.replace(microsecond=0) == ours.value.replace(microsecond=0):
        return True
    if "day" in (wanted.precision, ours.precision) or wanted.precision == ours.precision == "day":
        return bool(wanted.value.date() == ours.value.date())
    return False


def _value(article: Any, name: str) -> Any:
    if article is None:
        return None
    if name == "date":
        return article.published
    if name == "title" and article.title_derived:
        return None
    return getattr(article, name)


def compare(tallies: dict[str, FieldTally], page: str, expected: dict, article: Any) -> None:
    """Add one page's comparison to ``tallies`` (one per field of ``FIELDS``)."""
    for name in FIELDS:
        wanted = expected.get(_EXPECTED_KEYS[name])
        if not isinstance(wanted, str) or not wanted.strip():
            continue
        tally = tallies[name]
        tally.compared += 1
        ours = _value(article, name)
        if ours is None or ours == "":
            tally.missing += 1
            tally.differing.append((page, wanted, ""))
            continue
        if name == "date":
            same = _same_date(wanted, ours)
            shown = ours.original
        elif name == "byline":
            same, shown = _byline(wanted) == _byline(ours), ours
        elif name == "language":
            same, shown = _language(wanted) == _language(ours), ours
        else:
            same, shown = _norm(wanted) == _norm(ours), ours
        if same:
            tally.agree += 1
        else:
            tally.differing.append((page, wanted, shown))


def new_tallies() -> dict[str, FieldTally]:
    return {name: FieldTally() for name in FIELDS}
