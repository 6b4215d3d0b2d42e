"""The safe XML helper: hostile documents refused, awkward ones read correctly."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from archive.errors import ParseError
from archive.ingest.articles import SourceDoc, content_hash
from archive.ingest.formats import newsml, nitf
from archive.ingest.text.xmlsafe import (
    ENTITY_REFUSAL,
    parse_xml,
    root_name,
    strip_namespaces,
    xml_text,
)

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE nitf [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<nitf><body><body.head><hedline><hl1>&lol9;</hl1></hedline></body.head></body></nitf>
"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE nitf [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<nitf><body><body.head><hedline><hl1>Leak</hl1></hedline></body.head>
<body.content><p>&xxe;</p></body.content></body></nitf>
"""
PARAMETER_XXE = b"""<!DOCTYPE newsItem [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>
<newsItem><contentMeta><headline>x</headline></contentMeta></newsItem>"""
EXTERNAL_SUBSET = b"""<?xml version="1.0"?>
<!DOCTYPE nitf SYSTEM "file:///etc/passwd">
<nitf><body><body.head><hedline><hl1>Quiet</hl1></hedline></body.head>
<body.content><p>Nothing to see.</p></body.content></body></nitf>"""
PASSWD_MARKERS = ("root:", "/bin/", "nologin")


def doc(data: bytes, path: str = "/data/story.xml") -> SourceDoc:
    return SourceDoc(path, data, content_hash(data))


def everything_from(parser, data: bytes) -> str:
    """All text a parser produced for ``data``: articles, failures or the error message."""
    try:
        return repr(list(parser.parse(doc(data))))
    except ParseError as exc:
        return str(exc)


@pytest.mark.parametrize("data", [BILLION_LAUGHS, XXE, PARAMETER_XXE], ids=["laughs", "xxe", "pe"])
@pytest.mark.parametrize("recover", [False, True])
def test_entity_declarations_are_refused(data, recover):
    with pytest.raises(ParseError) as caught:
        parse_xml(data, recover=recover)
    assert str(caught.value) == ENTITY_REFUSAL


@pytest.mark.parametrize("data", [BILLION_LAUGHS, XXE, PARAMETER_XXE])
@pytest.mark.parametrize("parser", [nitf, newsml])
def test_parsers_refuse_entities_and_leak_nothing(parser, data):
    output = everything_from(parser, data)
    assert output == ENTITY_REFUSAL
    assert not any(marker in output for marker in PASSWD_MARKERS)


def test_an_external_dtd_is_never_loaded():
    articles = list(nitf.parse(doc(EXTERNAL_SUBSET)))
    assert [a.title for a in articles] == ["Quiet"]
    assert articles[0].body == "Nothing to see."
    assert not any(marker in repr(articles) for marker in PASSWD_MARKERS)


def test_an_external_dtd_cannot_define_entities(tmp_path: Path):
    dtd = tmp_path / "evil.dtd"
    dtd.write_text('<!ENTITY leak "LEAKED-SECRET">')
    data = f'<!DOCTYPE a SYSTEM "{dtd}"><a>before &leak; after</a>'.encode()
    try:
        root = parse_xml(data)
    except ParseError as exc:
        assert "LEAKED" not in str(exc)
    else:
        assert "LEAKED" not in etree.tostring(root, encoding="unicode")


def test_xinclude_is_not_processed():
    data = (
        b'<a xmlns:xi="http://www.w3.org/2001/XInclude">'
        b'<xi:include href="/etc/passwd" parse="text"/></a>'
    )
    root = parse_xml(data)
    assert "".join(root.itertext()) == ""


def test_wrongly_declared_encoding_is_read_by_content():
    data = '<?xml version="1.0" encoding="iso-8859-1"?><a>Décès à Strasbourg</a>'.encode()
    assert parse_xml(data).text == "Décès à Strasbourg"


def test_declared_single_byte_encoding_is_honoured():
    data = '<?xml version="1.0" encoding="iso-8859-1"?><a>£66bn</a>'.encode("latin-1")
    assert parse_xml(data).text == "£66bn"


def test_missing_declaration_and_latin1_bytes():
    data = "<a>Müller scored 365 goals</a>".encode("latin-1")
    assert parse_xml(data).text == "Müller scored 365 goals"


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-16"])
def test_utf16_with_or_without_bom(codec):
    data = '<?xml version="1.0" encoding="UTF-16"?><a>Ωmega</a>'.encode(codec)
    assert parse_xml(data).text == "Ωmega"
    assert root_name(data[:4096]) == "a"


def test_leading_whitespace_bom_and_controls_are_tolerated():
    data = b"\xef\xbb\xbf\n\n   <?xml version='1.0'?>\n<a>one\x01two\x0bthree</a>"
    assert parse_xml(data).text == "onetwothree"


def test_html_entities_become_characters():
    root = parse_xml(b"<a>Rock&nbsp;&amp;&nbsp;roll &mdash; &eacute;t&eacute;</a>")
    assert root.text == "Rock\xa0&\xa0roll — été"


def test_syntax_errors_carry_the_line():
    with pytest.raises(ParseError, match=r"not well-formed XML \(line 3\)"):
        parse_xml(b"<a>\n<b>\n</a>")


def test_recover_salvages_what_it_can():
    root = parse_xml(b"<a><b>kept</b><c>", recover=True)
    assert root.find("b").text == "kept"


@pytest.mark.parametrize("data", [b"", b"   \n", b"\x00\x01\x02"])
def test_empty_documents_fail_clearly(data):
    with pytest.raises(ParseError, match="empty XML document"):
        parse_xml(data)


def test_size_is_bounded():
    with pytest.raises(ParseError, match="too large"):
        parse_xml(b"<a>" + b"x" * 100 + b"</a>", max_bytes=50)


def test_xml_text_drops_the_declaration():
    assert xml_text(b'  <?xml version="1.0" encoding="latin-1"?><a/>') == "<a/>"


@pytest.mark.parametrize(
    ("head", "name"),
    [
        (b'<?xml version="1.0"?>\n<!-- a <comment> -->\n<nitf>', "nitf"),
        (b'<!DOCTYPE nitf SYSTEM "nitf.dtd"><nitf version="3.4">', "nitf"),
        (b"\xef\xbb\xbf<?xml version='1.0'?><newsMessage xmlns='x'>", "newsMessage"),
        (b'<ns0:newsMessage xmlns:ns0="http://iptc.org/std/nar/2006-10-01/">', "newsMessage"),
        (b"\n  <NewsML Version='1.2'>", "NewsML"),
        (b"plain text, not XML", None),
        (b'{"json": true}', None),
        (b"<?xml version='1.0'?><!-- never closed", None),
    ],
)
def test_root_name(head, name):
    assert root_name(head) == name


def test_strip_namespaces():
    root = strip_namespaces(
        parse_xml(b'<m xmlns="urn:a" xmlns:h="urn:h"><item><h:p>x</h:p></item></m>')
    )
    assert root.tag == "m"
    assert root.find("item/p").text == "x"


def test_real_sample_declared_latin1_but_utf8(shared: Path):
    data = (shared / "data/formats/agency/afp20.xml").read_bytes()
    root = strip_namespaces(parse_xml(data))
    assert root.findtext(".//HeadLine").startswith("Décès de Naomi Musenga")


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_arbitrary_bytes_give_a_tree_or_parse_error(data):
    try:
        root = parse_xml(data)
    except ParseError:
        return
    assert isinstance(root.tag, str)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_root_name_never_raises(data):
    name = root_name(b"<" + data)
    assert name is None or isinstance(name, str)
