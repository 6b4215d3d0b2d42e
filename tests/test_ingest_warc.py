"""The WARC/ARC parser: real sample archives (some broken), captured news pages, odd bytes."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archive.errors import ParseError
from archive.ingest import formats
from archive.ingest.articles import SourceDoc, content_hash
from archive.ingest.formats.warc import FORMAT, parse, sniff
from archive.ingest.text.dates import parse_date
from archive.models import Article, RecordFailure

STORY = (
    "<p>The harbour bridge will be rebuilt, the council decided on Tuesday after a debate "
    "that has divided residents for more than a decade.</p>"
    "<p>Engineers say the new bridge will carry twice the traffic and open in 2027, while "
    "critics warn that its cost has already doubled since the first estimate.</p>"
)
EXAMPLE_START = "This domain is established to be used for illustrative examples"


def news_page(head: str = "") -> bytes:
    return (
        f"<!doctype html><html lang='en'><head><title>Council backs bridge</title>{head}</head>"
        f"<body><nav><a href='/'>Home</a></nav><article>{STORY}</article></body></html>"
    ).encode()


def record(
    writer,
    uri,
    payload,
    *,
    content_type="text/html; charset=utf-8",
    status="200 OK",
    date="2021-06-01T12:00:00Z",
    kind="response",
):
    http = None
    if kind == "response":
        http = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
    rec = writer.create_warc_record(
        uri,
        kind,
        payload=io.BytesIO(payload),
        length=len(payload),
        http_headers=http,
        warc_headers_dict={"WARC-Date": date},
        warc_content_type=None if kind == "response" else content_type,
    )
    writer.write_record(rec)
    return rec.rec_headers.get_header("WARC-Record-ID")


def archive(gzipped: bool = False) -> tuple[bytes, dict[str, str]]:
    """A small crawl: two news pages, an image, a redirect and a request."""
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=gzipped)
    dated = news_page(
        "<script type='application/ld+json'>"
        + json.dumps({"@type": "NewsArticle", "datePublished": "2020-02-03T04:05:06Z"})
        + "</script><link rel='canonical' href='https://news.example/bridge'>"
    )
    ids = {
        "dated": record(writer, "https://news.example/bridge?utm=x", dated),
        "undated": record(writer, "https://news.example/undated", news_page()),
        "image": record(
            writer, "https://news.example/a.png", b"\x89PNG...", content_type="image/png"
        ),
        "moved": record(writer, "https://news.example/old", b"", status="301 Moved Permanently"),
        "resource": record(
            writer,
            "https://news.example/saved",
            news_page(),
            kind="resource",
            content_type="text/html",
        ),
    }
    return out.getvalue(), ids


def run(data: bytes, path: str = "/x/crawl.warc") -> list[Article | RecordFailure]:
    return list(parse(SourceDoc(path, data, content_hash(data))))


# a crawl of news pages


@pytest.mark.parametrize("gzipped", [False, True])
def test_html_responses_become_articles_and_the_rest_is_skipped(gzipped):
    data, ids = archive(gzipped)
    results = run(data)
    assert all(isinstance(r, Article) for r in results)
    by_record = {r.record: r for r in results if isinstance(r, Article)}
    assert set(by_record) == {ids["dated"], ids["undated"], ids["resource"]}
    dated = by_record[ids["dated"]]
    assert dated.format == FORMAT and dated.title == "Council backs bridge"
    assert dated.published == parse_date("2020-02-03T04:05:06Z")
    assert dated.url == "https://news.example/bridge"
    assert dated.body.startswith("The harbour bridge will be rebuilt") and "Home" not in dated.body


def test_capture_date_is_never_the_publication_date():
    data, ids = archive()
    undated = next(r for r in run(data) if isinstance(r, Article) and r.record == ids["undated"])
    assert undated.published is None
    assert undated.url == "https://news.example/undated"


def test_ids_are_stable_and_distinct():
    data, _ = archive()
    first, again = run(data), run(data)
    assert [a.id for a in first] == [a.id for a in again]
    assert len({a.id for a in first}) == len(first)


def test_whole_file_gzip_reads_like_per_record_gzip():
    data, _ = archive()
    assert [a.record for a in run(gzip.compress(data))] == [a.record for a in run(data)]


def test_truncated_archive_keeps_the_records_before_the_damage():
    data, ids = archive()
    cut = data.index(b"WARC-Type: response", data.index(b"news.example/undated") + 1)
    results = run(data[: cut + 40])
    assert [r.record for r in results if isinstance(r, Article)] == [ids["dated"], ids["undated"]]


def test_registry_detects_warc_plain_and_gzipped():
    data, _ = archive()
    assert formats.detect(data, "crawl.bin") == FORMAT
    assert formats.detect(gzip.compress(data), "crawl.bin") == FORMAT


# the sample archives (example.com, iana.org, httpbin: not news, some deliberately broken)

SAMPLES = {
    "example.warc": ["<urn:uuid:a9c51e3e-0221-11e7-bf66-0242ac120005>"],
    "example.warc.gz": ["<urn:uuid:a9c51e3e-0221-11e7-bf66-0242ac120005>"],
    "example.arc": ["http://example.com/ 2014-02-16T05:02:21Z"],
    "example.arc.gz": ["http://example.com/ 2014-02-16T05:02:21Z"],
    "example-trunc.warc": ["<urn:uuid:a9c51e3e-0221-11e7-bf66-0242ac120005>"],
    "example-resource.warc.gz": ["<urn:uuid:6e7f60da-2c7b-11e7-aaf7-0242ac120007>"],
    "example-wget-bad-target-uri.warc.gz": ["<urn:uuid:FD8A6D04-AF8A-4A36-A889-8094487CDF2D>"],
    "example-wrong-chunks.warc.gz": ["<urn:uuid:80d63307-60af-43e0-903f-574b2f432b7e>"],
    "example-bad-non-chunked.warc.gz": ["<urn:uuid:a9c51e3e-0221-11e7-bf66-0242ac120005>"],
    "example-bad.warc.gz.bad": ["<urn:uuid:6d058047-ede2-4a13-be79-90c17c631dd4>"],
    "example-space-in-url.arc": [
        "http://example.com/index.cfm?FuseAction=Email&EmailTitle=Examples%20From%20The"
        "%20Live%20Web&IsPopUp=False 2014-02-16T05:02:21Z"
    ],
    "example-iana.org-chunked.warc": ["<urn:uuid:a96ae1a5-931d-4c45-96f3-98576d155f8b>"],
    "example-digest.warc": [],
    "example-space-in-target-uri.warc.gz": [],
    "post-test.warc.gz": [],
}


@pytest.fixture(scope="module")
def samples(shared: Path) -> Path:
    return shared / "data" / "formats" / "warc"


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_sample_archive(samples, name):
    data = (samples / name).read_bytes()
    assert sniff(data[:4096], name)
    results = run(data, f"/warc/{name}")
    assert [r.record for r in results if isinstance(r, Article)] == SAMPLES[name]
    assert not [r for r in results if isinstance(r, RecordFailure)]
    for article in results:
        assert isinstance(article, Article) and article.url and article.url.startswith("http")
        assert article.published is None
        assert article.title in ("Example Domain", "Internet Assigned Numbers Authority")
        if article.title == "Example Domain":
            assert article.body.startswith(EXAMPLE_START)


def test_sample_arc_with_bad_lengths_gives_record_failures(samples):
    results = run((samples / "bad.arc").read_bytes(), "/warc/bad.arc")
    assert [type(r) for r in results] == [RecordFailure] * 3
    assert all("no readable HTTP message" in r.reason for r in results)
    assert len({r.record for r in results}) == 3


def test_unreadable_files_raise_a_clear_parse_error(samples):
    for data, reason in (
        (b"hello, not an archive", "not a WARC or ARC file"),
        (b"\x1f\x8b\x08\xffbroken", "corrupt gzip"),
        (b"filedesc://x\n\n", "unreadable web archive"),
    ):
        with pytest.raises(ParseError, match=reason):
            run(data)


def test_sniff_by_content_and_name():
    assert sniff(b"WARC/1.1\r\nWARC-Type: warcinfo\r\n", "x")
    assert sniff(gzip.compress(b"WARC/1.0\r\nWARC-Type: response\r\n"), "x")
    assert sniff(b"filedesc://a.arc 0.0.0.0 20140216050221 text/plain 75\n", "x")
    assert not sniff(b"<!doctype html><html>", "page.html")
    assert not sniff(gzip.compress(b"<html></html>"), "page.html.gz")


# odd input


@settings(max_examples=80, deadline=None)
@given(st.binary(max_size=600))
def test_arbitrary_bytes_give_results_or_a_parse_error(data):
    _check(data)


@settings(max_examples=80, deadline=None)
@given(st.integers(min_value=0, max_value=5000), st.binary(max_size=40))
def test_damaged_archives_give_results_or_a_parse_error(cut, noise):
    data, _ = archive()
    _check(data[:cut] + noise + data[cut + len(noise) :])


def _check(data: bytes) -> None:
    try:
        results = run(data)
    except ParseError:
        return
    assert all(isinstance(r, Article | RecordFailure) for r in results)
