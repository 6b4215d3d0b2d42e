"""Markup and plain text to paragraphs: every parser's body text goes through here.

Two kinds of input, two readings:

* text whose line ends mean nothing (a feed item's HTML, a CSV cell): ``html_to_text``
  makes blocks paragraphs and ``<br>`` a line break, ``reflow`` splits plain text at blank
  lines and joins the rest of each paragraph into one line;
* agency bodies (NITF, XHTML, HTML fragments, wire text), ``html_paragraphs`` and
  ``plain_paragraphs``: paragraphs, NITF ``hl2`` subheads and ``block``s, list entries and
  table rows become paragraphs; ``<br>`` and ``<pre>`` keep their line breaks; table cells
  are joined with `` | ``; scripts, document heads, XHTML ``header`` blocks and NITF
  ``media`` are left out. Lines an agency hard-wrapped at a fixed width (``<br>`` at every
  line end, wire text in ``<pre>``) are joined back into running text. The walk is
  iterative, so deeply nested markup cannot exhaust the stack.

All markup is parsed by BeautifulSoup with one parser, lxml's (as the HTML format's is).
"""

from __future__ import annotations

import re
import warnings

from bs4 import (
    BeautifulSoup,
    Comment,
    Declaration,
    Doctype,
    MarkupResemblesLocatorWarning,
    NavigableString,
    ProcessingInstruction,
    XMLParsedAsHTMLWarning,
)
from bs4.element import Tag
from lxml import etree

#: the one parser BeautifulSoup uses for every fragment
PARSER = "lxml"

# fmt: off
#: elements of an agency body whose content is never article text
SKIP_TAGS = frozenset({
    "script", "style", "head", "title", "header", "nav", "footer", "media", "noscript",
    "iframe", "object", "template", "svg", "button", "form", "figure", "byline", "hedline",
})
#: elements of an agency body that start and end a paragraph
BLOCK_TAGS = frozenset({
    "p", "div", "section", "article", "blockquote", "bq", "pre", "h1", "h2", "h3", "h4",
    "h5", "h6", "hl1", "hl2", "li", "dt", "dd", "tr", "table", "ul", "ol", "dl", "block",
    "body.content", "body.end", "tagline", "caption", "figcaption", "address", "fn", "hr",
    "note", "abstract", "main", "body",
})
# fmt: on
_CELL_TAGS = frozenset({"td", "th"})
#: private-use characters stand for cell ends and ``<br>`` while whitespace is collapsed
_CELL_MARK = "\ue001"
_BREAK_MARK = "\ue000"
_BLOCK_BREAK = re.compile(r"\n[ \t]*\n")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v]*\n")
#: what ``html_to_text`` leaves out, and the elements it makes paragraphs of
_DROP = ("script", "style", "noscript", "template", "iframe", "object", "embed", "head")
_BLOCKS = re.compile(
    r"^(?:address|article|aside|blockquote|dd|div|dl|dt|figcaption|figure|footer|h[1-6]"
    r"|header|hr|li|main|nav|ol|p|pre|section|table|td|th|tr|ul)$"
)
_TAG_LIKE = re.compile(
    r"</?(?:p|br|div|span|a|img|b|i|em|strong|ul|ol|li|h[1-6]|blockquote|table|pre)\b[^>]*>",
    re.IGNORECASE,
)
_BULLET = re.compile(r"^[*•·\-–]\s")
_TABLE_LIKE = re.compile(r"\S {3,}\S|^[-=_*. ]{5,}$")


def soup(markup: str) -> BeautifulSoup:
    """``markup`` parsed by the one parser, without bs4's warnings about odd input."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        return BeautifulSoup(markup, PARSER)


# text whose line ends mean nothing --------------------------------------------------------


def looks_like_html(text: str) -> bool:
    """True when ``text`` carries common HTML tags (some feeds mislabel HTML as text)."""
    return _TAG_LIKE.search(text) is not None


def html_to_text(markup: str) -> str:
    """The readable text of an HTML fragment, as paragraphs separated by blank lines."""
    if "<" not in markup and "&" not in markup:
        return reflow(markup)
    tree = soup(markup)
    for element in tree.find_all(_DROP):
        element.decompose()
    for element in tree.find_all("br"):
        element.replace_with(_BREAK_MARK)
    for element in tree.find_all(_BLOCKS):
        element.insert_before("\n\n")
        element.insert_after("\n\n")
    return reflow(tree.get_text())


def html_to_line(markup: str) -> str:
    """An HTML fragment (a title, a name) as one line of text."""
    return " ".join(html_to_text(markup).split())


def reflow(text: str) -> str:
    """Text split at blank lines into paragraphs, whitespace inside each collapsed."""
    paragraphs = []
    for block in _PARAGRAPH_BREAK.split(text.replace("\r\n", "\n")):
        lines = (" ".join(line.split()) for line in block.split(_BREAK_MARK))
        paragraph = "\n".join(line for line in lines if line)
        if paragraph:
            paragraphs.append(paragraph)
    return "\n\n".join(paragraphs)


# agency bodies ----------------------------------------------------------------------------


def html_paragraphs(markup: str) -> list[str]:
    """The paragraphs of an HTML or XHTML fragment, in reading order."""
    return _collect(soup(markup))


def element_paragraphs(element: etree._Element) -> list[str]:
    """The paragraphs inside an lxml element (an NITF ``body.content``, an XHTML body)."""
    return html_paragraphs(etree.tostring(element, encoding="unicode", with_tail=False))


def plain_paragraphs(text: str) -> list[str]:
    """Paragraphs of plain wire text, hard-wrapped at a fixed width.

    Blank lines separate blocks. Inside a block a new paragraph starts at a line indented
    deeper than the block's margin (the wire convention), after a line that stops well
    short of the block's width, and around table rows (columns aligned with spaces);
    other lines continue the one before. Runs of short one-line paragraphs (a heading, a
    list of results) stay together as one paragraph of lines.
    """
    paragraphs: list[str] = []
    for block in _BLOCK_BREAK.split(text.replace("\r\n", "\n").replace("\r", "\n")):
        lines = [line.rstrip() for line in block.split("\n") if line.strip()]
        if not lines:
            continue
        margin = min(_indent(line) for line in lines[1:] or lines)
        width = max(len(line.strip()) for line in lines)
        runs: list[list[str]] = []
        for line in lines:
            if not runs or _starts_paragraph(line, runs[-1][-1], margin, width):
                runs.append([])
            runs[-1].append(line.strip())
        paragraphs.extend(_group_runs(runs, width))
    return paragraphs


def markup_text(markup: str) -> str:
    """The text of a fragment that may hold tags, with the tags removed."""
    if "<" not in markup:
        return markup
    return soup(markup).get_text()


def unwrap(lines: list[str]) -> list[str]:
    """Join lines that were hard-wrapped at a fixed width back into running text.

    A line continues the one before when that one reaches near the block's widest line
    (at least 50 characters); short lines (headings, list entries) and table rows stay.
    """
    if len(lines) < 2:
        return lines
    width = max(len(line) for line in lines)
    if width < 50:
        return lines
    joined = [lines[0]]
    for line in lines[1:]:
        previous = joined[-1]
        if len(previous.rsplit("\n", 1)[-1]) >= 0.75 * width and " | " not in previous:
            joined[-1] = f"{previous} {line}"
        else:
            joined.append(line)
    return joined


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _starts_paragraph(line: str, previous: str, margin: int, width: int) -> bool:
    if _indent(line) > margin or width < 40 or _BULLET.match(line.strip()):
        return True
    if _TABLE_LIKE.search(line.strip()) or _TABLE_LIKE.search(previous):
        return True
    return len(previous) < 0.75 * width


def _group_runs(runs: list[list[str]], width: int) -> list[str]:
    """Joined runs as paragraphs; consecutive short single lines kept together."""
    paragraphs: list[str] = []
    lines: list[str] = []
    for run in runs:
        text = " ".join(" ".join(run).split())
        if len(run) == 1 and (len(text) < 0.75 * width or _TABLE_LIKE.search(run[0])):
            lines.append(text)
            continue
        if lines:
            paragraphs.append("\n".join(lines))
            lines = []
        paragraphs.append(text)
    if lines:
        paragraphs.append("\n".join(lines))
    return [p for p in paragraphs if p]


def _tidy_line(line: str) -> str:
    if _CELL_MARK in line:
        cells = [" ".join(cell.split()) for cell in line.split(_CELL_MARK)]
        return " | ".join(cell for cell in cells if cell)
    return " ".join(line.split())


def _is_wire_text(raw: str) -> bool:
    """Plain wire text poured into one element, its line structure still meaningful.

    Pretty-printed markup indents every continuation line and a soft-wrapped paragraph
    has no indentation at all; whitespace means nothing in either. Wire text has lines
    that continue at the margin and others indented to start a paragraph, or columns.
    """
    lines = [line for line in raw.split("\n") if line.strip()]
    if len(lines) < 3 or all(line[:1].isspace() for line in lines[1:]):
        return False
    return any(line[:1].isspace() or _TABLE_LIKE.search(line.strip()) for line in lines[1:])


class _Collector:
    """Gathers text into paragraphs while the markup is walked.

    Rows of one table are kept together as one paragraph of lines.
    """

    def __init__(self) -> None:
        self.paragraphs: list[str] = []
        self.parts: list[str] = []
        self.pre = 0
        self.in_rows = False

    def flush(self, *, row: bool = False) -> None:
        raw = "".join(self.parts)
        self.parts = []
        if self.pre or _is_wire_text(raw.replace(_BREAK_MARK, "\n")):
            found = [
                "\n".join(_tidy_line(line) for line in paragraph.split("\n"))
                for paragraph in plain_paragraphs(raw.replace(_BREAK_MARK, "\n"))
            ]
        else:
            flat = re.sub(r"\s+", " ", raw.replace(_CELL_MARK, f" {_CELL_MARK} "))
            lines = [line for part in flat.split(_BREAK_MARK) if (line := _tidy_line(part))]
            found = ["\n".join(lines)] if (lines := unwrap(lines)) else []
        if row and found and self.in_rows:
            self.paragraphs[-1] += "\n" + "\n".join(found)
        else:
            self.paragraphs.extend(p for p in found if p)
        if found:
            self.in_rows = row

    def end_rows(self) -> None:
        self.flush()
        self.in_rows = False


def _collect(root: Tag) -> list[str]:
    """Walk the tree without recursion (deep markup must not exhaust the stack)."""
    out = _Collector()
    stack: list[tuple[object, bool]] = [(root, False)]
    while stack:
        node, leaving = stack.pop()
        if isinstance(node, (Comment, Declaration, Doctype, ProcessingInstruction)):
            continue
        if isinstance(node, NavigableString):
            out.parts.append(str(node))
            continue
        if not isinstance(node, Tag):
            continue
        name = (node.name or "").lower().rsplit(":", 1)[-1]
        if leaving:
            if name in _CELL_TAGS:
                out.parts.append(_CELL_MARK)
            if name == "table":
                out.end_rows()
            elif name in BLOCK_TAGS:
                out.flush(row=name == "tr")
            if name == "pre":
                out.pre -= 1
            continue
        if name in SKIP_TAGS and node is not root:
            continue
        if name == "br":
            out.parts.append(_BREAK_MARK)
            continue
        if name == "table":
            out.end_rows()
        elif name in BLOCK_TAGS:
            out.flush()
        if name == "pre":
            out.pre += 1
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(node.contents))
    out.flush()
    return out.paragraphs
