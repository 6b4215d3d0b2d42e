"""Items an agency sends that are not stories to publish: withheld, killed, service notes.

Agency feeds carry, beside the stories, items that say of themselves that they must not
be published (a story withheld or cancelled, a kill, an item under embargo) and service
messages for the newsroom (advisories, schedules, notes to editors, test transmissions).
The parsers keep them (an archive records what was sent) and mark each with one of these
tags, fixed values that search can filter and facet on and that searches leave out
unless asked (``archive.models.HELD_TAGS``, ``archive.query``):

``not-for-publication``
    NewsML-G2 ``pubStatus`` ``stat:withheld`` or ``stat:canceled`` (the IPTC "publishing
    status" codes; ninjs ``pubstatus`` has the same values); NewsML 1.x ``Status``
    ``Withheld``/``Canceled``; NITF ``docdata/@management-status`` ``withheld``/``canceled``;
    a ``signal`` whose code is a kill, withhold or cancel; a short editorial note
    (``edNote``, NITF ``ed-msg``) that says "not for publication" ("Nicht zur
    Veröffentlichung", ...) of the item, not of a part of the note (dpa's notepads end in
    "the following information is not for publication", followed by contacts).
``embargoed``
    an item not to be published before a time: NewsML-G2 ``embargoed``, NewsML 1.x
    ``Status`` ``Embargoed``, NITF ``management-status`` ``embargoed``.
``service-message``
    a genre, profile, item class, category (or a wire slug line) naming a service item: an
    advisory (dpa's "Achtung" genre, an ``ADVISORY`` slug), a schedule or budget, a note to
    editors, a service or test message. Keywords and subjects are not read: a story may be
    about a budget.

``status_tags`` turns what one item declares into these tags.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from archive.models import HELD_TAGS

#: every tag this module gives, in a fixed order (the archive's held statuses)
STATUS_TAGS = HELD_TAGS
NOT_FOR_PUBLICATION, EMBARGOED, SERVICE_MESSAGE = STATUS_TAGS

_WITHHELD = frozenset({"withheld", "withhold", "canceled", "cancelled", "cancel", "kill", "killed"})
_EMBARGOED = frozenset({"embargoed", "embargo"})
#: an editorial note that forbids publication, in the languages agencies write notes in
_NOT_FOR_PUBLICATION = re.compile(
    r"\b(?:not\s+for\s+(?:publication|release|broadcast)|do\s+not\s+(?:publish|use)"
    r"|nicht\s+(?:zur|für\s+die)\s+(?:veröffentlichung|publikation|verwendung|ausstrahlung)"
    r"|nicht\s+veröffentlichen|ne\s+pas\s+publier|non\s+destiné\s+à\s+la\s+publication"
    r"|no\s+(?:publicar|para\s+(?:su\s+)?publicaci[oó]n)|non\s+pubblicare"
    r"|mandatory\s+kill|kill\s+(?:this\s+)?(?:story|item))\b",
    re.IGNORECASE,
)
#: a note that qualifies only a part of itself ("the following ...", "folgende Angaben")
_ABOUT_PART = re.compile(
    r"\b(?:following|below|these\s+details|folgend\w*|unten|diese\s+angaben|ci-dessous|siguiente\w*)\b",
    re.IGNORECASE,
)
#: an editorial directive about the item is short; longer notes are notepads and briefings
MAX_DIRECTIVE_CHARS = 300
#: words naming a service item in a genre, profile, class or category
_SERVICE = re.compile(
    r"\b(?:advisory|advisories|achtung|avis[oe]?|service(?:[ -]?message)?|servicemeldung"
    r"|hinweis|notice|note\s+to\s+editors|editors?'?\s+note|schedule|budget|vorschau"
    r"|terminvorschau|test(?:meldung)?)\b",
    re.IGNORECASE,
)


def status_tags(
    *,
    status: str | None = None,
    signals: Iterable[str] = (),
    notes: Iterable[str] = (),
    kinds: Iterable[str] = (),
    embargoed: bool = False,
) -> list[str]:
    """The status tags of one item.

    ``status``: its publishing status, a code (``stat:withheld``) or word (``Withheld``);
    ``signals``: signal codes; ``notes``: editorial notes' text; ``kinds``: genre, profile,
    item class and category codes or names; ``embargoed``: the item names an embargo.
    """
    tags: set[str] = set()
    words = {_code(status)} | {_code(signal) for signal in signals}
    if words & _WITHHELD:
        tags.add(NOT_FOR_PUBLICATION)
    if embargoed or words & _EMBARGOED:
        tags.add(EMBARGOED)
    if any(_forbids_publication(note) for note in notes if note):
        tags.add(NOT_FOR_PUBLICATION)
    if any(_SERVICE.search(_words(kind)) for kind in kinds if kind):
        tags.add(SERVICE_MESSAGE)
    return [tag for tag in STATUS_TAGS if tag in tags]


def _forbids_publication(note: str) -> bool:
    """A short note that says the item is not for publication.

    A note that keeps only part of itself from publication ("the following information is
    not for publication", a contacts section) says nothing about the item.
    """
    return (
        len(note) <= MAX_DIRECTIVE_CHARS
        and not _ABOUT_PART.search(note)
        and bool(_NOT_FOR_PUBLICATION.search(note))
    )


def _code(value: str | None) -> str:
    """A code's last part, folded: ``stat:withheld`` and ``Withheld`` are both ``withheld``."""
    return re.split(r"[:/#]", (value or "").strip())[-1].casefold()


def _words(value: str) -> str:
    """A code or name as words: ``dpatextgenre:advisory``, ``service_message`` are read too."""
    return re.sub(r"[:_/#.-]+", " ", value)
