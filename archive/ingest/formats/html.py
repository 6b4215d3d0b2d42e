"""News pages saved as HTML: one page, one article.

The page is parsed once, by lxml; from that tree the page's own metadata (``htmlmeta``)
gives the headline, date, byline, address and language, and the body is the article text
alone (``extract``), paragraphs separated by blank lines. Beautiful Soup reads the HTML
fragments some pages put inside their JSON-LD ``articleBody``. ``parse_html`` is the pure
entry point that the WARC and feed parsers call too.
"""

from __future__ import annotations

import codecs
import re
import warnings
from collections.abc import Iterator
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, XMLParsedAsHTMLWarning
from dateutil.parser import UnknownTimezoneWarning

from archive.errors import ParseError
from archive.ingest.articles import SourceDoc, build_article
from archive.ingest.text import extract
from archive.ingest.text.dates import parse_date
from archive.ingest.text.encoding import decode
from archive.ingest.text.htmlmeta import PageMeta, read_meta
from archive.models import Article, PubDate, RecordFailure

FORMAT = "html"

#: pages larger than this are not news articles; refusing them bounds the work per source
MAX_HTML_BYTES = 16_000_000
#: extracted text shorter than this is a page's furniture ("Home"), not an article
MIN_BODY_WORDS = 5
_PROLOGUE = re.compile(
    rb"^(?:\s|<!--.*?-->|<\?xml[^>]*>)*<(?:!doctype\s+html|html|head|body)[\s>/]",
    re.IGNORECASE | re.DOTALL,
)
_MARKUP = re.compile(rb"<(?:html|head|body|meta|title|div|p|!doctype)[\s>/]", re.IGNORECASE)
_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([\w.:-]+)", re.IGNORECASE)
_WORDS = re.compile(r"\w+")
_TAGGED = re.compile(r"<(?:p|div|br|span|a|h[1-6]|li|em|strong|b|i)\b[^>]*>", re.IGNORECASE)
_BLOCK_TAGS = ["p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre"]


def sniff(head: bytes, name: str) -> bool:
    """An HTML document by its start; a ``.html``/``.htm`` name only confirms markup."""
    text = _ascii_head(head)
    if _PROLOGUE.match(text):
        return True
    return name.lower().endswith((".html", ".htm")) and bool(_MARKUP.search(text))


def parse(doc: SourceDoc) -> Iterator[Article | RecordFailure]:
    """Parse one saved page into one article."""
    yield parse_html(doc, doc.data)


def parse_html(
    doc: SourceDoc,
    html: bytes | str,
    *,
    record: str = "",
    url: str | None = None,
    fallback_date: PubDate | None = None,
    charset: str | None = None,
    fmt: str = FORMAT,
) -> Article:
    """The article of one HTML page.

    ``url`` is where the page was found (used when it names no canonical address);
    ``fallback_date`` is used only when the page itself carries no publication date;
    ``charset`` is the encoding a transport (HTTP, a feed) declared for ``html`` bytes;
    ``fmt`` is the format recorded on the article (the caller's, when it is a container).
    Raises ``ParseError`` when the page holds no article text.
    """
    text = _text(html, charset)
    if not text.strip():
        raise ParseError("empty HTML page")
    from trafilatura.utils import load_html

    tree = load_html(text)
    if tree is None:
        raise ParseError("the page does not parse as HTML")
    meta = read_meta(tree)
    page_url = _absolute(meta.url, url) or url
    paragraphs = _drop_headline(extract.extract_paragraphs(tree, url=page_url), meta.headlines)
    body = "\n\n".join(paragraphs)
    if len(_words(body)) < MIN_BODY_WORDS:
        body = _structured_body(meta)
    if not body:
        raise ParseError("no article text found in the HTML page")
    return build_article(
        doc,
        fmt=fmt,
        record=record,
        title=meta.title,
        body=body,
        byline=meta.author,
        source=meta.source,
        published=_date(meta.published) or fallback_date,
        url=page_url,
        language=meta.language,
        tags=meta.tags,
    )


def soup(text: str) -> BeautifulSoup:
    """``text`` (a fragment) parsed as HTML (XHTML too: that is what browsers do)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        return BeautifulSoup(text, "lxml")


def _absolute(address: str | None, base: str | None) -> str | None:
    """``address`` made absolute against ``base``; a relative one without a base, or one
    that is not an address, is dropped."""
    if not address:
        return None
    try:
        if urlsplit(address).scheme:
            return address
        return urljoin(base, address) if base and urlsplit(base).scheme else None
    except ValueError:  # not an address at all ("http://[broken")
        return None


def _date(text: str | None) -> PubDate | None:
    """The page's date; a zone name dateutil does not know (``IST``) is read as UTC."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnknownTimezoneWarning)
        return parse_date(text)


def _text(html: bytes | str, charset: str | None) -> str:
    if isinstance(html, str):
        return html.lstrip("\ufeff")
    if len(html) > MAX_HTML_BYTES:
        raise ParseError(f"HTML page too large ({len(html):,} bytes; limit {MAX_HTML_BYTES:,})")
    declared = charset
    if declared is None and (match := _CHARSET.search(html[:8192])):
        declared = match[1].decode("ascii")
    return decode(html, declared)


def _ascii_head(head: bytes) -> bytes:
    """The head as ASCII-compatible bytes (UTF-16 pages are narrowed), BOM removed."""
    for bom, name in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if head.startswith(bom):
            text = head[len(bom) :].decode(name, errors="ignore")
            return text.encode("ascii", errors="ignore")
    return head.removeprefix(codecs.BOM_UTF8)


def _words(text: str) -> list[str]:
    return _WORDS.findall(text.casefold())


def _drop_headline(paragraphs: list[str], headlines: list[str]) -> list[str]:
    """Remove the headline when the body repeats it on top: it is the title, not the story."""
    forms = {tuple(_words(h)) for h in headlines}
    start = 0
    while start < min(len(paragraphs), 3) and tuple(_words(paragraphs[start])) in forms:
        start += 1
    return paragraphs[start:]


def _structured_body(meta: PageMeta) -> str:
    """The body the page declares in its JSON-LD, else its description: a last resort."""
    return _plain(meta.body) or meta.description or ""


def _plain(text: str | None) -> str:
    """Declared text as plain paragraphs; some publishers put HTML in ``articleBody``."""
    if not text or not _TAGGED.search(text):
        return text or ""
    fragment = soup(text)
    for br in fragment.find_all("br"):
        br.replace_with("\n")
    blocks = fragment.find_all(_BLOCK_TAGS)
    if not blocks:
        return fragment.get_text(" ")
    return "\n\n".join(b.get_text() for b in blocks if not b.find(_BLOCK_TAGS))
