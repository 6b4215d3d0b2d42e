"""Teaser lists on news pages: other stories' headlines, each with its blurb.

Pages surround a story with cards that lead to other stories ("Other opinion columns",
"More in Science"): a heading that is a link, a kicker, a standfirst of a sentence or
two, a photo. Each card is short and reads like prose, so text-density rules keep it; what
gives it away is its shape: a heading that is mostly link text, in a small element that
has sibling cards of the same kind. ``drop_teaser_lists`` removes such cards, two or more
of a kind, before the article is looked for.
"""

from __future__ import annotations

import logging

from lxml.html import HtmlElement

log = logging.getLogger(__name__)

#: a card holds at most this many characters of text (a headline, a kicker and a blurb)
MAX_CARD_CHARS = 1000
#: a card's heading is at least this much link text
MIN_HEADING_LINK_SHARE = 0.5
#: how many cards of a kind under one parent make a list (one alone may be the story's own)
MIN_CARDS = 2
#: how far above its heading a card may start
_MAX_CARD_DEPTH = 4
_HEADINGS = ("h2", "h3", "h4", "h5", "h6")


def drop_teaser_lists(tree: HtmlElement) -> int:
    """Remove the teaser cards from ``tree``; how many were removed."""
    groups: dict[tuple[object, str, str], list[HtmlElement]] = {}
    sizes: dict[HtmlElement, int] = {}
    for heading in tree.iter(_HEADINGS):
        card = _card(heading, sizes)
        if card is not None and (parent := card.getparent()) is not None:
            key = (parent, card.tag, _first_class(card))
            cards = groups.setdefault(key, [])
            if card not in cards:
                cards.append(card)
    removed = 0
    for cards in groups.values():
        if len(cards) < MIN_CARDS:
            continue
        for card in cards:
            if card.getparent() is not None:
                card.drop_tree()
                removed += 1
    if removed:
        log.debug("dropped %d teaser cards", removed)
    return removed


def _card(heading: HtmlElement, sizes: dict[HtmlElement, int]) -> HtmlElement | None:
    """The card a linked heading heads: its largest ancestor (a few levels up) still short.

    ``sizes`` remembers the text size of the elements measured so far.
    """
    text = _chars(heading, sizes)
    if not text or sum(_chars(a, sizes) for a in heading.iter("a")) < MIN_HEADING_LINK_SHARE * text:
        return None
    card = None
    node = heading
    for _ in range(_MAX_CARD_DEPTH):
        parent = node.getparent()
        if parent is None or parent.tag in ("body", "html"):
            break
        if _chars(parent, sizes) > MAX_CARD_CHARS:
            break
        card = node = parent
    return card


def _chars(element: HtmlElement, sizes: dict[HtmlElement, int]) -> int:
    if element not in sizes:
        sizes[element] = sum(len(text.strip()) for text in element.itertext())
    return sizes[element]


def _first_class(element: HtmlElement) -> str:
    """The first class name: cards of a kind share it, later names often number them."""
    names = (element.get("class") or "").split()
    return names[0] if names else ""
