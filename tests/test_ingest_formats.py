"""Detection and the whole parse of one source: any bytes, any name, only our errors.

``parse_source`` turns a parser's unexpected exception into "the X parser failed: ..."
so one bug never stops a run; these properties say no parser ever gets there. The
prefixes steer arbitrary bytes past each format's sniffer into its parser.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from archive.errors import UnsupportedFormat
from archive.indexing.parsing import parse_source
from archive.ingest import formats

PREFIXES = [
    b"",
    b'<?xml version="1.0"?><nitf><head><title>',
    b'<?xml version="1.0"?><newsItem xmlns="http://iptc.org/std/nar/2006-10-01/"><',
    b"<NewsML><NewsItem><NewsComponent>",
    b'{"uri": "u", "type": "text", "headline": ',
    b"\x16\x16\x01a0001 r AM-Story\x02",
    b"WARC/1.0\r\nWARC-Type: response\r\n",
    b'<REUTERS NEWID="1"><TEXT><TITLE>',
    b'<?xml version="1.0"?><rss version="2.0"><channel><item><title>',
    b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>',
    b'{"version": "https://jsonfeed.org/version/1.1", "items": [',
    b'{"title": "A", "body": ',
    b"title,body,date\n",
    b"<!DOCTYPE html><html><head><title>",
    b"Title: A\nDate: ",
]
NAMES = ["a.txt", "a.xml", "a.html", "a.json", "a.jsonl", "a.csv", "a.warc", "a.sgm", "a"]


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(PREFIXES), st.binary(max_size=800), st.sampled_from(NAMES))
def test_any_source_parses_to_articles_or_our_reason(prefix, data, name):
    parsed = parse_source(f"/in/{name}", prefix + data, max_chars=10_000, seconds=5)
    assert parsed.error is None or " parser failed: " not in parsed.error, parsed.error
    assert (parsed.error is None) == bool(parsed.articles)
    for article in parsed.articles:
        assert article.id and isinstance(article.title, str) and len(article.body) <= 10_000


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300), st.sampled_from(NAMES))
def test_detection_names_a_format_or_refuses(data, name):
    try:
        fmt = formats.detect(data, name)
    except UnsupportedFormat as exc:
        assert str(exc)
    else:
        assert fmt in {module.FORMAT for module in formats.modules()}
