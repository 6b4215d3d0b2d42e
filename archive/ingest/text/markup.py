"""HTML fragments (feed item content, agency body markup) to plain paragraph text.

Block elements (``p``, ``div``, ``li``, headings, ...) become paragraphs separated by a
blank line; ``<br>`` becomes a line break inside a paragraph; scripts, styles and embedded
objects are dropped. The result is ready for ``build_article``.
"""

from __future__ import annotations

import re
import warnings

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, XMLParsedAsHTMLWarning

_BLOCKS = re.compile(
    r"^(?:address|article|aside|blockquote|dd|div|dl|dt|figcaption|figure|footer|h[1-6]"
    r"|header|hr|li|main|nav|ol|p|pre|section|table|td|th|tr|ul)$"
)
_DROP = ("script", "style", "noscript", "template", "iframe", "object", "embed", "head")
#: a private-use character stands for ``<br>`` while whitespace is collapsed
_LINE_BREAK = "\ue000"
_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v]*\n")
_TAG_LIKE = re.compile(
    r"</?(?:p|br|div|span|a|img|b|i|em|strong|ul|ol|li|h[1-6]|blockquote|table|pre)\b[^>]*>",
    re.IGNORECASE,
)


def looks_like_html(text: str) -> bool:
    """True when ``text`` carries common HTML tags (some feeds mislabel HTML as text)."""
    return _TAG_LIKE.search(text) is not None


def html_to_text(markup: str) -> str:
    """The readable text of an HTML fragment, as paragraphs separated by blank lines."""
    if "<" not in markup and "&" not in markup:
        return plain_paragraphs(markup)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        soup = BeautifulSoup(markup, "lxml")
    for element in soup.find_all(_DROP):
        element.decompose()
    for element in soup.find_all("br"):
        element.replace_with(_LINE_BREAK)
    for element in soup.find_all(_BLOCKS):
        element.insert_before("\n\n")
        element.insert_after("\n\n")
    return plain_paragraphs(soup.get_text())


def html_to_line(markup: str) -> str:
    """An HTML fragment (a title, a name) as one line of text."""
    return " ".join(html_to_text(markup).split())


def plain_paragraphs(text: str) -> str:
    """Text split at blank lines into paragraphs, whitespace inside each collapsed."""
    paragraphs = []
    for block in _PARAGRAPH_BREAK.split(text.replace("\r\n", "\n")):
        lines = (" ".join(line.split()) for line in block.split(_LINE_BREAK))
        paragraph = "\n".join(line for line in lines if line)
        if paragraph:
            paragraphs.append(paragraph)
    return "\n\n".join(paragraphs)
