"""Safe, forgiving XML parsing: the one way every XML format in the archive is read.

``parse_xml(data)`` turns bytes into an lxml element tree without ever touching the
network or the file system and without expanding entity definitions:

* a DOCTYPE that declares entities (internal subset with ``<!ENTITY``: billion laughs,
  external entities such as ``file:///etc/passwd``) is refused with ``ParseError``;
* external DTDs named by a DOCTYPE are never loaded, entities are never resolved,
  ``huge_tree`` stays off (libxml2's depth and text-size limits apply) and the input
  size is bounded.

It is also forgiving in the ways real agency and feed files need:

* the encoding is found by ``archive.ingest.text.encoding.decode`` (BOM, strict UTF-8, the
  declared charset, a guess), so a file declared ``iso-8859-1`` that is really UTF-8, or
  one with no declaration at all, still reads correctly; UTF-16 without a BOM is noticed;
* whitespace (or a stray BOM) before ``<?xml`` is dropped;
* characters XML 1.0 forbids (C0 controls) are removed, and HTML named entities such as
  ``&nbsp;`` or ``&mdash;`` are turned into the characters they name.

``root_name(head)`` tells a sniffer the name of the root element from the first bytes.
``strip_namespaces(root)`` makes a tree easy to query by local names.
"""

from __future__ import annotations

import re
from html.entities import name2codepoint

from lxml import etree

from archive.errors import ParseError
from archive.ingest.text.encoding import decode

#: sources larger than this are refused rather than parsed
MAX_XML_BYTES = 64 * 1024 * 1024
ENTITY_REFUSAL = "XML declares entities; refused for safety"

_DECLARED = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_XML_DECL = re.compile(r"^<\?xml\b[^>]*\?>")
_LEADING_JUNK = re.compile(r"^[\s\ufeff\x00-\x08\x0b\x0c\x0e-\x1f]+")
_FORBIDDEN_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NAMED_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]{1,31});")
_ENTITY_DECL = re.compile(r"<!ENTITY", re.IGNORECASE)
_ELEMENT_START = re.compile(r"<([A-Za-z_][\w.:-]*)")
_XML_ENTITIES = {"amp", "lt", "gt", "quot", "apos"}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def parse_xml(
    data: bytes, *, recover: bool = False, max_bytes: int = MAX_XML_BYTES
) -> etree._Element:
    """The root element of the XML document in ``data``.

    ``recover=True`` asks libxml2 to salvage what it can from a document that is not
    well-formed (useful for feeds); the safety rules apply either way. Raises
    ``ParseError`` for refused, empty or unreadable documents, with the line number
    when the XML is not well-formed.
    """
    if len(data) > max_bytes:
        raise ParseError(f"XML document too large ({len(data)} bytes; limit {max_bytes})")
    text = xml_text(data)
    if not text:
        raise ParseError("empty XML document")
    if _ENTITY_DECL.search(text, 0, prolog_end(text)):
        raise ParseError(ENTITY_REFUSAL)
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
        strip_cdata=True,
        recover=recover,
        encoding="utf-8",
    )
    try:
        root = etree.fromstring(text.encode("utf-8"), parser)
    except etree.XMLSyntaxError as exc:
        raise ParseError(f"not well-formed XML (line {exc.lineno}): {exc.msg}") from exc
    except (etree.ParserError, ValueError) as exc:
        raise ParseError(f"unreadable XML: {exc}") from exc
    if root is None:
        raise ParseError("no XML element found")
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise ParseError(ENTITY_REFUSAL)
    return root


def xml_text(data: bytes) -> str:
    """The document as text, ready for a parser told it is UTF-8.

    Decoded by content and declaration; leading junk, the XML declaration and forbidden
    control characters removed; HTML named entities replaced by their characters.
    """
    utf16 = _utf16_without_bom(data)
    if utf16:
        text = data.decode(utf16, errors="replace")
    else:
        declared = _DECLARED.match(data.lstrip(b"\xef\xbb\xbf")[:512])
        text = decode(data, declared[1].decode("ascii") if declared else None)
    text = _LEADING_JUNK.sub("", text)
    text = _XML_DECL.sub("", text, count=1)
    text = _FORBIDDEN_CHARS.sub("", text)
    return _NAMED_ENTITY.sub(_named_entity, text)


def prolog_end(text: str) -> int:
    """Where the root element starts: everything before it is the prolog.

    Comments and processing instructions are skipped whole, so a ``<`` inside them does
    not end the prolog early.
    """
    position = 0
    while True:
        start = text.find("<", position)
        if start < 0:
            return len(text)
        if text.startswith("<!--", start):
            end = text.find("-->", start + 4)
            position = len(text) if end < 0 else end + 3
        elif text.startswith("<?", start):
            end = text.find("?>", start + 2)
            position = len(text) if end < 0 else end + 2
        elif text.startswith("<!", start):
            position = start + 2
        else:
            return start


def root_name(head: bytes) -> str | None:
    """The local name of the root element in the first bytes of a document, if visible.

    Only content that starts like XML counts (optional BOM and whitespace, then ``<``);
    namespace prefixes are dropped (``ns0:newsMessage`` gives ``newsMessage``).
    """
    utf16 = _utf16_without_bom(head)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head.decode("utf-16", errors="ignore")
    elif utf16:
        text = head.decode(utf16, errors="ignore")
    else:
        text = head.decode("latin-1")
    text = _LEADING_JUNK.sub("", text.replace("\xef\xbb\xbf", "", 1))
    if not text.startswith("<"):
        return None
    match = _ELEMENT_START.match(text, prolog_end(text))
    if match is None:
        return None
    return match[1].rsplit(":", 1)[-1]


def local_name(tag: object) -> str:
    """An element's name without its namespace; empty for comments and the like."""
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def strip_namespaces(root: etree._Element) -> etree._Element:
    """Rename every element of the tree to its local name, in place, and return the root.

    Agency formats mix default namespaces, prefixes and no namespace at all for the same
    elements; after this, ``root.find("itemMeta/provider")`` works for all of them.
    Attributes keep their namespaces (``XML_LANG`` is the ``xml:lang`` key).
    """
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.startswith("{"):
            element.tag = local_name(element.tag)
    return root


def _utf16_without_bom(data: bytes) -> str | None:
    if data.startswith(b"<\x00?\x00") or (data.startswith(b"<\x00") and data[3:4] == b"\x00"):
        return "utf-16-le"
    if data.startswith(b"\x00<\x00?") or (data.startswith(b"\x00<") and data[2:3] == b"\x00"):
        return "utf-16-be"
    return None


def _named_entity(match: re.Match[str]) -> str:
    name = match[1]
    if name in _XML_ENTITIES or name not in name2codepoint:
        return match[0]
    return f"&#{name2codepoint[name]};"
