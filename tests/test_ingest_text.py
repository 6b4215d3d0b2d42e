"""The plain-text parser: the seed's shape, the BBC's shape, metadata headers, odd bytes."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from archive.errors import ParseError
from archive.ingest.articles import SourceDoc, content_hash, stable_id
from archive.ingest.formats.text import parse
from archive.models import Article
from tests.conftest import SEEDS

SEED = SEEDS / "000_349ce9d1cc34d8b8.txt"
PLEA = "quality journalism is more crucial than ever"


def one(data: bytes, path: str = "/x/a.txt") -> Article:
    articles = list(parse(SourceDoc(path, data, content_hash(data))))
    assert len(articles) == 1
    assert isinstance(articles[0], Article)
    return articles[0]


def test_seed_byline_derived_title_and_no_plea():
    article = one(SEED.read_bytes(), str(SEED))
    assert article.byline == "Kyodo"
    assert article.source == "Kyodo"
    assert article.title_derived
    assert article.title.startswith("Prime Minister Junichiro Koizumi and Russian President")
    assert len(article.title) <= 130
    assert article.body.startswith("Prime Minister Junichiro Koizumi")
    assert article.body.endswith("cooperate with the international community, the officials said.")
    assert PLEA not in article.body and "subscribing" not in article.body
    assert "Kyodo" not in article.body.split("\n")[0]
    assert article.published is None


def test_seed_in_repository_is_the_owners_original(shared):
    assert SEED.read_bytes() == (shared / "seeds" / SEED.name).read_bytes()


def test_title_on_first_line_then_blank_line():
    article = one(
        b"Ad sales boost Time Warner profit\n\nQuarterly profits at US media giant "
        b"TimeWarner jumped 76%.\n\nMore text here.\n"
    )
    assert article.title == "Ad sales boost Time Warner profit"
    assert not article.title_derived
    assert (
        article.body
        == "Quarterly profits at US media giant TimeWarner jumped 76%.\n\nMore text here."
    )


def test_metadata_header():
    article = one(
        b"Title: Koizumi to visit Russia\nDate: 2002-06-27\nURL: https://example.com/a\n"
        b"Source: Japan Times\nByline: Kyodo\nTags: Japan, Russia, diplomacy\nLanguage: en\n\n"
        b"Koizumi and Putin agreed on Thursday.\n"
    )
    assert article.title == "Koizumi to visit Russia"
    assert article.published is not None
    assert article.published.value.isoformat() == "2002-06-27T00:00:00+00:00"
    assert article.published.precision == "day"
    assert article.url == "https://example.com/a"
    assert (article.source, article.byline) == ("Japan Times", "Kyodo")
    assert article.tags == ("Japan", "Russia", "diplomacy")
    assert article.language == "en"
    assert article.body == "Koizumi and Putin agreed on Thursday."


def test_fenced_header_and_partial_date():
    article = one(b"---\ntitle: A year only\ndate: 1987\n---\nBody text.\n")
    assert article.title == "A year only"
    assert article.published is not None and article.published.precision == "year"
    assert article.published.display() == "1987"


def test_a_line_with_a_colon_is_not_a_header():
    article = one(b"Warning: markets fell sharply on Monday.\n\nTraders were nervous.\n")
    assert article.body.startswith("Warning: markets fell")


def test_stray_latin1_byte_decodes_without_losing_utf8():
    article = one("Caf\u00e9 society\n\nIt\u2019s a na".encode() + b"\xefve story.\n")
    assert article.title == "Café society"
    assert article.body == "It’s a naïve story."


def test_bbc_stray_byte_file(shared):
    path = shared / "data" / "bbc-news" / "sport" / "199.txt"
    article = one(path.read_bytes(), str(path))
    assert article.title and article.body
    assert "\ufffd" not in article.title


def test_empty_and_binary_files_fail_clearly():
    for data, reason in ((b"", "empty"), (b"  \n\n ", "empty"), (b"\x00\x01\x02", "binary")):
        try:
            one(data)
        except ParseError as exc:
            assert reason in str(exc)
        else:
            raise AssertionError(f"{data!r} parsed")


def test_ids_are_stable_and_depend_on_path():
    data = b"Title\n\nBody."
    assert one(data, "/a/x.txt").id == one(data + b" more", "/a/x.txt").id == stable_id("/a/x.txt")
    assert one(data, "/a/x.txt").id != one(data, "/a/y.txt").id


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=600))
def test_any_bytes_give_an_article_or_a_parse_error(data):
    try:
        articles = list(parse(SourceDoc("/p.txt", data, content_hash(data))))
    except ParseError:
        return
    assert len(articles) == 1 and isinstance(articles[0], Article)
    assert articles[0].title and (articles[0].body or articles[0].title)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=600))
def test_any_text_gives_an_article_or_a_parse_error(text):
    data = text.encode("utf-8", "surrogatepass")
    try:
        articles = list(parse(SourceDoc("/p.txt", data, content_hash(data))))
    except ParseError:
        return
    assert isinstance(articles[0], Article)


def test_markup_and_json_are_not_taken_for_text():
    from archive.errors import UnsupportedFormat
    from archive.ingest.formats import detect

    for data, kind in (
        (b'<?xml version="1.0"?><items/>', "markup"),
        (b"  <catalog id='x'>\n</catalog>", "markup"),
        (b'{"kind": "mock"}', "JSON"),
    ):
        try:
            detect(data, "x.dat")
        except UnsupportedFormat as exc:
            assert str(exc) == f"{kind} of a kind the archive does not read"
        else:
            raise AssertionError(data)
    assert detect(b"<3 this story\n\nBody.", "x.txt") == "text"
    assert detect(b"[Updated] Markets fall\n\nBody.", "x.txt") == "text"


def test_unknown_zone_names_give_a_date_not_a_warning():
    from archive.ingest.text.dates import parse_date

    value = parse_date("Tue, 5 Mar 2019 10:00 IST")
    assert value is not None and value.value.day == 5
