"""JSON Lines and CSV: the documented field mapping, bad lines, sniffing and properties."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.errors import ParseError
from archive.ingest import formats
from archive.ingest.articles import SourceDoc, content_hash
from archive.ingest.formats import csvfile, jsonl, tabular
from archive.models import Article, RecordFailure

ROOT = Path(__file__).resolve().parent.parent


def doc(data: bytes, path: str = "/data/articles.jsonl") -> SourceDoc:
    return SourceDoc(path, data, content_hash(data))


def lines(*records: object) -> bytes:
    return "\n".join(r if isinstance(r, str) else json.dumps(r) for r in records).encode()


def test_jsonl_maps_aliases_case_insensitively():
    data = lines(
        {
            "ID": 7,
            "Headline": "Dam bursts",
            "TEXT": "<p>Water rose.</p><p>Roads closed.</p>",
            "author": [{"name": "Jane Roe"}, "Bob Poe"],
            "Publisher": "Daily Bugle",
            "datePublished": "2020-05-01T10:00:00+02:00",
            "keywords": "floods, dams",
            "lang": "en",
            "Link": "https://example.com/dam",
        }
    )
    (article,) = jsonl.parse(doc(data))
    assert article.record == "7"
    assert article.title == "Dam bursts"
    assert article.body == "Water rose.\n\nRoads closed."
    assert article.byline == "Jane Roe, Bob Poe"
    assert article.source == "Daily Bugle"
    assert article.published.value == datetime(2020, 5, 1, 8, tzinfo=UTC)
    assert article.published.original == "2020-05-01T10:00:00+02:00"
    assert article.tags == ("floods", "dams")
    assert article.language == "en"
    assert article.url == "https://example.com/dam"
    assert article.format == "jsonl"


def test_the_first_alias_in_the_table_wins():
    data = lines({"content": "second choice", "body": "first choice", "title": "T"})
    (article,) = jsonl.parse(doc(data))
    assert article.body == "first choice"


def test_one_bad_line_is_a_failure_and_the_rest_parse():
    data = lines(
        {"title": "One", "published_at": 1518478934, "tags": ["a", "b"]},
        "{not json",
        "[1, 2]",
        {"title": "", "body": "  "},
        "",
        {"guid": "g-5", "article": "Five's body."},
        {"guid": "g-5", "title": "Repeated id"},
    )
    results = list(jsonl.parse(doc(data)))
    kinds = [type(r).__name__ for r in results]
    assert kinds == [
        "Article",
        "RecordFailure",
        "RecordFailure",
        "RecordFailure",
        "Article",
        "Article",
    ]
    one, bad, array, empty, five, repeat = results
    assert one.record == "line-1"
    assert one.published.value == datetime(2018, 2, 12, 23, 42, 14, tzinfo=UTC)
    assert bad.record == "line-2" and "not valid JSON" in bad.reason
    assert "JSON list, not an object" in array.reason
    assert "neither a title nor a body" in empty.reason
    assert five.record == "g-5" and five.title_derived and five.body == "Five's body."
    assert repeat.record == "g-5#line-7"
    assert len({one.id, five.id, repeat.id}) == 3


def test_jsonl_that_is_not_jsonl_is_a_parse_error():
    with pytest.raises(ParseError, match="no line of the file is a JSON object"):
        list(jsonl.parse(doc(b"just words\nand more words")))
    with pytest.raises(ParseError, match="empty"):
        list(jsonl.parse(doc(b"  \n")))


def test_jsonl_sniffing():
    assert jsonl.sniff(lines({"title": "x"}, {"title": "y"}), "a.txt")
    assert jsonl.sniff(b'{"Headline": "' + b"x" * 5000, "big")
    assert jsonl.sniff(lines({"name": "x"}), "people.ndjson")
    assert not jsonl.sniff(lines({"name": "x"}), "people.txt")
    assert not jsonl.sniff(b'{\n  "title": "pretty printed"\n}\n', "a.json")
    assert not jsonl.sniff(b"Plain prose {with braces}.\n", "a.txt")


CSV = b"""Title,Body,Published At,Tags,id,Author
"Rain, again","Line one

Line two",2021-01-02,"weather, rain",a1,Ann Lee
bad,row
Only a title,,,,,
,,,,,
"""


def test_csv_rows_map_through_the_table():
    results = list(csvfile.parse(doc(CSV, "/data/a.csv")))
    rain, bad, title_only, empty = results
    assert rain.record == "a1"
    assert rain.title == "Rain, again"
    assert rain.body == "Line one\n\nLine two"
    assert rain.published.precision == "day"
    assert rain.published.value == datetime(2021, 1, 2, tzinfo=UTC)
    assert rain.tags == ("weather", "rain")
    assert rain.byline == "Ann Lee"
    assert rain.format == "csv"
    assert isinstance(bad, RecordFailure)
    assert bad.record == "line-5" and "2 cells, the header has 6" in bad.reason
    assert title_only.title == "Only a title" and title_only.record == "line-6"
    assert isinstance(empty, RecordFailure)


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_csv_delimiters(delimiter):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(["headline", "text", "date"])
    writer.writerow(["A, b; c | d", "Body text.", "2001-02-03"])
    data = buffer.getvalue().encode()
    assert csvfile.sniff(data, "x")
    (article,) = csvfile.parse(doc(data))
    assert article.title == "A, b; c | d"


@pytest.mark.parametrize(
    "head",
    [
        b"Title, body and other words make a sentence.\nMore prose.\n",
        b"Hello world, this is prose.\n",
        b"title\nonly one column\n",
        b"date,url\n2001-01-01,http://x\n",
        b"title,body",
    ],
)
def test_csv_sniffing_is_conservative(head):
    assert not csvfile.sniff(head, "notes.csv")


def test_csv_without_a_header_is_a_parse_error():
    with pytest.raises(ParseError, match="no CSV header row"):
        list(csvfile.parse(doc(b"a,b\n1,2\n")))


def test_registry_picks_tabular_formats_and_leaves_prose_to_text(shared):
    assert formats.detect(lines({"title": "x", "body": "y"}), "a.jsonl") == "jsonl"
    assert formats.detect(CSV, "a.csv") == "csv"
    seed = next((ROOT / "seeds").glob("*.txt")).read_bytes()
    assert formats.detect(seed, "seed.txt") == "text"
    for path in sorted((shared / "data" / "bbc-news" / "business").glob("*.txt"))[:50]:
        assert formats.detect(path.read_bytes(), path.name) == "text"


def test_the_docs_carry_the_mapping_table():
    docs = (ROOT / "docs" / "formats.md").read_text(encoding="utf-8")
    assert "## JSON Lines and CSV" in docs
    for aliases in tabular.ALIASES.values():
        for alias in aliases:
            assert f"`{alias}`" in docs
            assert f"``{alias}``" in (tabular.__doc__ or "")


_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=30),
    st.lists(st.text(max_size=10), max_size=3),
    st.dictionaries(st.sampled_from(["name", "x"]), st.text(max_size=10), max_size=2),
)
_names = st.sampled_from(
    ["title", "Headline", "body", "TEXT", "author", "date", "tags", "id", "url", "lang", "x"]
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.dictionaries(_names, _values, max_size=6), max_size=5))
def test_any_json_objects_give_one_result_per_line(records):
    data = lines(*records)
    try:
        results = list(jsonl.parse(doc(data)))
    except ParseError:
        assert not records
        return
    assert len(results) == len(records)
    assert all(isinstance(r, Article | RecordFailure) for r in results)


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=1500))
def test_arbitrary_bytes_give_articles_failures_or_parse_error(data):
    cases = [(jsonl, data), (jsonl, b'{"title": ' + data), (csvfile, data)]
    cases.append((csvfile, b"title,body\n" + data))
    for module, source in cases:
        try:
            results = list(module.parse(doc(source)))
        except ParseError:
            continue
        assert all(isinstance(r, Article | RecordFailure) for r in results)
