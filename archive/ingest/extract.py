"""The article body of a web page: the story's own text, without the page around it.

Trafilatura finds the main content (it removes navigation, ads, comments and the like);
this module decides what it is shown and tidies what it returns:

* elements a reader never sees (``hidden``, ``display: none``) are pruned before
  extraction: their text is not part of what the page says;
* the result is read block by block, so paragraphs, headings, list items and table rows
  each keep their own line;
* blocks that are mostly link text (related stories, "see more" teasers) and short
  site notices at either end (newsletter and subscription pleas, tip lines, time stamps)
  are dropped.

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

from archive.ingest.boilerplate import is_boilerplate

log = logging.getLogger(__name__)

#: elements a reader does not see
_PRUNE = [
    "//*[@hidden]",
    "//*[contains(translate(@style, ' ', ''), 'display:none')]",
    "//*[contains(translate(@style, ' ', ''), 'visibility:hidden')]",
]
#: the share of its text in links above which a block is a link (a teaser), not prose
MAX_LINK_SHARE = 0.8
#: trafilatura gives up on pages with more elements than this (bounds the work per page)
MAX_TREE_SIZE = 200_000
_BLOCKS = ("p", "head", "list", "table", "quote", "code")
_LINE_BREAKS = {"lb", "p", "head", "item", "row", "list"}
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


def extract_paragraphs(html: str, *, url: str | None = None) -> list[str]:
    """The article's paragraphs in reading order; empty when the page has no article text."""
    from trafilatura.utils import load_html

    tree = load_html(html)
    if tree is None:
        log.debug("page does not parse as HTML")
        return []
    body = _main_content(tree, url=url)
    if body is None:
        return []
    anchors = _anchor_texts(tree)
    blocks = _blocks(body)
    keep = [_link_share(text, anchors) <= MAX_LINK_SHARE for text in blocks]
    for index in range(1, len(blocks)):
        if not keep[index] and keep[index - 1] and _is_label(blocks[index - 1]):
            keep[index - 1] = False
    return _trim_notices([text for text, kept in zip(blocks, keep, strict=True) if kept])


def _main_content(tree: lxml.html.HtmlElement, *, url: str | None) -> lxml.etree._Element | None:
    """Trafilatura's main content (its ``body`` element), or None when it finds none.

    The precise mode comes first; when it finds nothing the default mode is asked.
    """
    import trafilatura

    for favor_precision in (True, False):
        document = trafilatura.bare_extraction(
            tree,
            url=url,
            favor_precision=favor_precision,
            include_comments=False,
            include_tables=True,
            include_links=False,
            include_formatting=False,
            with_metadata=False,
            prune_xpath=_PRUNE,
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


def _anchor_texts(tree: lxml.html.HtmlElement) -> set[str]:
    """The text of every link on the page, whitespace collapsed."""
    texts = (" ".join(a.text_content().split()) for a in tree.iter("a"))
    return {text for text in texts if len(text) > 2}


def _link_share(block: str, anchors: set[str]) -> float:
    """How much of ``block`` is the text of the page's links (0 to 1)."""
    text = " ".join(block.split())
    if not text:
        return 0.0
    linked = sum(len(a) for a in anchors if len(a) <= len(text) and a in text)
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
