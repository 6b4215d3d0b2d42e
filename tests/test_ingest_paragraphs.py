"""HTML fragments to paragraph text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from archive.ingest.text.paragraphs import html_to_line, html_to_text, looks_like_html, reflow


def test_blocks_become_paragraphs_and_br_a_line_break():
    html = "<p>One <b>bold</b>\n word.</p><div>Two<br>lines</div><ul><li>a</li><li>b</li></ul>"
    assert html_to_text(html) == "One bold word.\n\nTwo\nlines\n\na\n\nb"


def test_scripts_styles_and_entities():
    html = "<style>p{}</style><p>Fish &amp; chips&nbsp;&mdash; <script>alert(1)</script>ok</p>"
    assert html_to_text(html) == "Fish & chips — ok"


def test_plain_text_keeps_its_paragraphs():
    assert html_to_text("First line\nsame paragraph.\n\n  Second.  ") == (
        "First line same paragraph.\n\nSecond."
    )
    assert reflow("a\r\n\r\nb") == "a\n\nb"


def test_lines_and_detection():
    assert html_to_line("<em>Breaking</em>:\n<span>news</span>") == "Breaking: news"
    assert looks_like_html("Text with <a href='x'>a link</a>")
    assert not looks_like_html("if a < b and c > d")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_text_gives_clean_paragraphs(text):
    result = html_to_text(text)
    assert result == result.strip()
    assert all(p and p == p.strip() for p in result.split("\n\n")) or result == ""
