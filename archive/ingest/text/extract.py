"""The article body of a web page: the story's own text, without the page around it.

Trafilatura finds the main content (it removes navigation, ads, comments and the like);
this module decides what it is shown and tidies what it returns:

* what a reader never sees (``hidden``, ``display: none``, scripts) and page furniture
  (navigation, footers, asides, controls) are removed before extraction, and so are lists
  of teaser cards for other stories (``teasers``);
* trafilatura's precise mode (fast: without its second opinions) is asked first; when
  what it keeps is under a fifth of the text the page shows (it took a legal notice, a
  caption or one part of a split story for the article), its default mode with its second
  opinions (its readability port, jusText) is asked too, and taken when it finds at least
  twice as much;
* the result is read block by block, so paragraphs, headings, list items and table rows
  each keep their own line;
* blocks that are mostly link text (related stories, "see more" teasers), bare addresses
  and short site notices at either end (newsletter and subscription pleas, tip lines, time
  stamps) are dropped; soft hyphens and zero-width spaces are removed.

``extract_paragraphs`` is the stage's one entry point; it never raises on odd markup.
Trafilatura (and the libraries it pulls in) is imported on the first page, not with this
module, so a broken install of it fails HTML pages only, with the reason
(``archive.ingest.formats``), and the format is still recognised.
"""

from __future__ import annotations

import logging
import re
from configparser import ConfigParser
from functools import lru_cache

import lxml.etree
import lxml.html

from archive.ingest.text.boilerplate import is_boilerplate
from archive.ingest.text.teasers import drop_teaser_lists

log = logging.getLogger(__name__)

#: the page's link texts, by their first characters
Anchors = dict[str, list[str]]

#: elements whose content is never the article's text: not shown (scripts, the head), page
#: furniture (navigation, footers, asides) and controls; trafilatura removes all of these
#: too, after copying the tree twice (``figure``, ``time``, ``math`` and forms it treats
#: with care and are left to it)
_UNSEEN = (
    *("head", "script", "style", "noscript", "svg", "iframe", "object", "embed"),
    *("nav", "footer", "aside", "menu", "menuitem", "dialog", "noindex", "link"),
    *("button", "select", "option", "optgroup", "datalist", "textarea", "input", "label"),
    *("fieldset", "legend", "output", "progress"),
    *("audio", "video", "canvas", "map", "area", "picture", "source", "track", "param"),
    *("applet", "frame", "frameset", "blink", "marquee", "use", "rp", "rt", "rtc"),
)
#: a style that hides its element from readers
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
#: a paragraph that is only an address (a link's target printed beside it)
_URL = re.compile(r"^(?:https?://|www\.)\S+$")
#: link texts are looked up by their first characters (a block holds a link's text whole)
_KEY = 3
#: the share of its text in links above which a block is a link (a teaser), not prose
MAX_LINK_SHARE = 0.8
#: trafilatura gives up on pages with more elements than this (bounds the work per page)
MAX_TREE_SIZE = 200_000
#: below this share of the page's visible text, the precise extraction may have missed the story
SMALL_SHARE = 0.2
#: ... and the default extraction is taken when it finds at least this many times as much
WIDER_FACTOR = 2.0
_BLOCKS = ("p", "head", "list", "table", "quote", "code")
_LINE_BREAKS = {"lb", "p", "head", "item", "row", "list"}
#: soft hyphen, zero-width space, word joiner, zero-width no-break space (a stray BOM)
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u2060\ufeff"))
_NOTICE = re.compile(
    r"^(have a (news )?tip\b|get the latest\b|sign up\b|newsletter\b|advertisement$"
    r"|(see|read|watch) (more|also)\b|related( (stories|articles|coverage))?:?$|don'?t miss\b"
    r"|tell us what you think\b|comments?$|\d+ comments?$"
    r"|follow\b.{0,60}\bon (twitter|facebook|instagram)|listen (to|back)\b.{0,60}\b(live|here)\b"
    r"|(updated|published|posted|last modified)( on| at)?\b.{0,40}$)",
    re.IGNORECASE,
)
_NOTICE_CHARS = 300
_LABEL_WORDS = 4


def extract_paragraphs(tree: lxml.html.HtmlElement, *, url: str | None = None) -> list[str]:
    """The article's paragraphs in reading order; empty when the page has no article text.

    ``tree`` is the parsed page (its metadata already read): what ``_drop_unseen`` and
    ``drop_teaser_lists`` remove is removed from it.
    """
    _drop_unseen(tree)
    drop_teaser_lists(tree)
    precise = _main_content(tree, url=url, favor_precision=True, fast=True)
    anchors = _anchor_texts(tree)
    paragraphs = _paragraphs(precise, anchors)
    found = _chars(paragraphs)
    if found < SMALL_SHARE * _visible_chars(tree):
        wider = _paragraphs(
            _main_content(tree, url=url, favor_precision=False, fast=False), anchors
        )
        if _chars(wider) >= WIDER_FACTOR * found:
            log.debug("precise extraction: %d characters, default: %d", found, _chars(wider))
            return wider
    return paragraphs


def _drop_unseen(tree: lxml.html.HtmlElement) -> None:
    """Remove hidden elements and what is never the article (``_UNSEEN``); tails stay."""
    lxml.etree.strip_elements(tree, *_UNSEEN, with_tail=False)
    for element in tree.xpath("//*[@hidden or @style]"):
        if element.get("hidden") is not None or _HIDDEN_STYLE.search(element.get("style") or ""):
            element.drop_tree()


def _paragraphs(body: lxml.etree._Element | None, anchors: Anchors) -> list[str]:
    """The paragraphs of one extraction, without link blocks and the notices at either end."""
    if body is None:
        return []
    blocks = _blocks(body)
    keep = [_link_share(text, anchors) <= MAX_LINK_SHARE for text in blocks]
    for index in range(1, len(blocks)):
        if not keep[index] and keep[index - 1] and _is_label(blocks[index - 1]):
            keep[index - 1] = False
    kept = _trim_notices(
        [text for text, kept in zip(blocks, keep, strict=True) if kept and not _URL.match(text)]
    )
    return [text for paragraph in kept if (text := invisible_removed(paragraph))]


def invisible_removed(text: str) -> str:
    """``text`` without soft hyphens and zero-width spaces: they split words for no reader.

    Zero-width joiners and non-joiners stay: they shape scripts and emoji.
    """
    return text.translate(_INVISIBLE).strip()


def _chars(paragraphs: list[str]) -> int:
    return sum(len(p) for p in paragraphs)


def _visible_chars(tree: lxml.html.HtmlElement) -> int:
    """How much text the page shows (once ``_drop_unseen`` has run), spaces collapsed."""
    return int(tree.xpath("string-length(normalize-space(.))"))


def _main_content(
    tree: lxml.html.HtmlElement, *, url: str | None, favor_precision: bool, fast: bool
) -> lxml.etree._Element | None:
    """Trafilatura's main content (its ``body`` element), or None when it finds none.

    ``fast`` skips the second opinions trafilatura would ask (its readability port and
    jusText) when its own extraction looks short.
    """
    import trafilatura

    document = trafilatura.bare_extraction(
        tree,
        url=url,
        fast=fast,
        favor_precision=favor_precision,
        include_comments=False,
        include_tables=True,
        include_links=False,
        include_formatting=False,
        with_metadata=False,
        config=_config(),
    )
    body = getattr(document, "body", None)
    if body is not None and "".join(body.itertext()).strip():
        return body
    return None


@lru_cache(maxsize=1)
def _config() -> ConfigParser:
    """Trafilatura's settings, with a bound on the size of page it will work through."""
    from trafilatura.settings import use_config

    config = use_config()
    config.set("DEFAULT", "MAX_TREE_SIZE", str(MAX_TREE_SIZE))
    return config


def _blocks(body: lxml.etree._Element) -> list[str]:
    """The text of each block (paragraph, heading, list, table, quote) in reading order.

    Text loose between blocks (trafilatura leaves some as tails) forms blocks of its own,
    split at line breaks.
    """
    found: list[str] = []
    loose: list[str] = []

    def flush() -> None:
        if text := " ".join("".join(loose).split()):
            found.append(text)
        loose.clear()

    def walk(element: lxml.etree._Element) -> None:
        loose.append(element.text or "")
        for child in element:
            if child.tag in _BLOCKS:
                flush()
                if text := _text(child):
                    found.append(text)
            elif child.tag in ("lb", "div"):
                flush()
                walk(child)
                flush()
            else:
                loose.append("".join(child.itertext()))
            loose.append(child.tail or "")

    walk(body)
    flush()
    return found


def _text(element: lxml.etree._Element) -> str:
    """An element's text: items, rows and breaks on lines of their own, cells joined by bars."""
    parts: list[str] = []
    for piece in element.iter():
        if piece is not element:
            if piece.tag in _LINE_BREAKS:
                parts.append("\n")
            elif piece.tag == "cell" and piece.getprevious() is not None:
                parts.append(" | ")
        if piece.text:
            parts.append(piece.text)
        if piece is not element and piece.tail:
            parts.append(piece.tail)
    lines = (" ".join(line.split()) for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


def _anchor_texts(tree: lxml.html.HtmlElement) -> Anchors:
    """The text of every link on the page, whitespace collapsed, by its first characters."""
    texts = {" ".join(a.text_content().split()) for a in tree.iter("a")}
    anchors: Anchors = {}
    for text in texts:
        if len(text) >= _KEY:
            anchors.setdefault(text[:_KEY], []).append(text)
    return anchors


def _link_share(block: str, anchors: Anchors) -> float:
    """How much of ``block`` is the text of the page's links (0 to 1)."""
    text = " ".join(block.split())
    if not text:
        return 0.0
    keys = {text[i : i + _KEY] for i in range(len(text) - _KEY + 1)}
    linked = sum(
        len(a) for key in keys for a in anchors.get(key, ()) if len(a) <= len(text) and a in text
    )
    return min(1.0, linked / len(text))


def _is_label(block: str) -> bool:
    """A few words with no sentence end: the heading of what follows ("Don't miss", "Related")."""
    return len(block.split()) <= _LABEL_WORDS and not block.rstrip().endswith((".", "?", "!", '"'))


def _trim_notices(paragraphs: list[str]) -> list[str]:
    """Drop site notices and pleas from both ends (a page of nothing else has no article)."""
    start, end = 0, len(paragraphs)
    while start < end and _is_notice(paragraphs[start]):
        start += 1
    while end > start and _is_notice(paragraphs[end - 1]):
        end -= 1
    return paragraphs[start:end]


def _is_notice(paragraph: str) -> bool:
    if len(paragraph) > _NOTICE_CHARS:
        return False
    return is_boilerplate(paragraph) or bool(_NOTICE.search(paragraph))
