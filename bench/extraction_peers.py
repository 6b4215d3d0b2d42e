"""The extractors that ``extraction_eval`` compares, ours first, then the peers.

Each extractor takes a page's raw bytes and its address (or None) and returns the body as
plain text. A peer whose package is not installed is still listed (``EXTRACTORS`` maps it
to None) so the table can say "not installed" in its row; ``pip install -e '.[bench]'``
installs them all.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable

import lxml.html

Extractor = Callable[[bytes, str | None], str]

#: elements that end a line in a page's text (so words of two blocks never run together)
_BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "tr",
        "td",
        "th",
        "table",
        "blockquote",
        "pre",
        "br",
        "section",
        "article",
        "header",
        "footer",
        "figure",
        "figcaption",
        "aside",
    ]
)


def html_text(markup: str) -> str:
    """The text of an HTML fragment with every block on a line of its own."""
    if not markup.strip():
        return ""
    root = lxml.html.fromstring(markup)
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.lower() in _BLOCK_TAGS:
            element.tail = "\n" + (element.tail or "")
            element.text = "\n" + (element.text or "")
    return "\n".join(" ".join(line.split()) for line in root.text_content().splitlines()).strip()


def ours(raw: bytes, url: str | None) -> str:
    """The body our HTML parser stores for the page (metadata is read too, as indexing does)."""
    return ours_article(raw, url)[0]


def ours_article(raw: bytes, url: str | None) -> tuple[str, object | None]:
    """(body, article) as our HTML parser gives them; ("", None) when it finds no article."""
    from archive.errors import ParseError
    from archive.ingest.articles import SourceDoc, content_hash
    from archive.ingest.formats.html import parse_html

    doc = SourceDoc(path=url or "/bench/page.html", data=raw, content_hash=content_hash(raw))
    try:
        article = parse_html(doc, raw, url=url)
    except ParseError:
        return "", None
    return article.body, article


def _trafilatura(**options: bool) -> Extractor:
    def run(raw: bytes, url: str | None) -> str:
        import trafilatura

        return trafilatura.extract(raw, url=url, **options) or ""

    return run


def readability_body(raw: bytes, url: str | None) -> str:
    """readability-lxml's summary as plain text."""
    from readability import Document

    from archive.ingest.text.encoding import decode

    return html_text(Document(decode(raw), url=url).summary(html_partial=True))


def rs_trafilatura_body(raw: bytes, url: str | None) -> str:
    """rs-trafilatura (the Rust port) with its defaults."""
    import rs_trafilatura

    return rs_trafilatura.extract_bytes(raw, url=url).main_content or ""


def resiliparse_body(raw: bytes, url: str | None) -> str:
    """Resiliparse's main-content text (its own encoding detection)."""
    from resiliparse.extract.html2text import extract_plain_text
    from resiliparse.parse.encoding import bytes_to_str, detect_encoding
    from resiliparse.parse.html import HTMLTree

    tree = HTMLTree.parse(bytes_to_str(raw, detect_encoding(raw)))
    return extract_plain_text(tree, main_content=True)


def _installed(module: str, extractor: Extractor) -> Extractor | None:
    return extractor if importlib.util.find_spec(module) is not None else None


EXTRACTORS: dict[str, Extractor | None] = {
    "newsarchive": ours,
    "trafilatura": _installed("trafilatura", _trafilatura()),
    "trafilatura precision": _installed("trafilatura", _trafilatura(favor_precision=True)),
    "trafilatura recall": _installed("trafilatura", _trafilatura(favor_recall=True)),
    "readability-lxml": _installed("readability", readability_body),
    "rs-trafilatura": _installed("rs_trafilatura", rs_trafilatura_body),
    "resiliparse": _installed("resiliparse", resiliparse_body),
}
