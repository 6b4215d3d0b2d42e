"""Archives read in place: members, nesting, limits and per-member failures."""

from __future__ import annotations

import gzip
import io
import tarfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from archive.errors import ParseError
from archive.ingest import containers
from archive.ingest.inflating import Unpacked


def make_zip(path: Path, files: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    with zipfile.ZipFile(path, "w", method) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return path.read_bytes()


def make_tar(path: Path, files: dict[str, bytes], mode: str = "w") -> bytes:
    with tarfile.open(path, mode) as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path.read_bytes()


def label(path: tuple[containers.Name, ...]) -> str:
    """A member's path as one label: ``inner.zip!b.txt``, ``same.txt#2``."""
    return "!".join(f"{n.name}#{n.copy}" if n.copy > 1 else n.name for n in path)


def read(data: bytes, name: str, limits=None) -> list[tuple[str, bytes | str]]:
    """Members as (name, bytes) or (name, error message)."""
    return [
        (label(path), content if isinstance(content, bytes) else f"error: {content}")
        for path, content in containers.members(data, name, limits)
    ]


def test_zip_members_in_order(tmp_path):
    data = make_zip(tmp_path / "a.zip", {"one.txt": b"first", "dir/two.html": b"<p>2</p>"})
    assert containers.is_container(data[:4096], "a.zip")
    assert read(data, "a.zip") == [("one.txt", b"first"), ("dir/two.html", b"<p>2</p>")]


def test_tar_tgz_and_gz(tmp_path):
    files = {"story.txt": b"Story.", "feed.xml": b"<rss/>"}
    for name, mode in (("a.tar", "w"), ("a.tar.gz", "w:gz"), ("a.tgz", "w:gz")):
        data = make_tar(tmp_path / name, files, mode)
        assert containers.is_container(data[:4096], name)
        assert read(data, name) == list(files.items())
    page = gzip.compress(b"<html>page</html>")
    assert containers.is_container(page[:4096], "folder/page.html.gz")
    assert read(page, "folder/page.html.gz") == [("page.html", b"<html>page</html>")]


def test_member_names_are_labels_and_nothing_is_written(tmp_path):
    data = make_tar(tmp_path / "evil.tar", {"../../etc/passwd": b"x", "/abs/path": b"y"})
    before = sorted(tmp_path.rglob("*"))
    assert read(data, "evil.tar") == [("../../etc/passwd", b"x"), ("/abs/path", b"y")]
    assert sorted(tmp_path.rglob("*")) == before


def test_nested_archives_are_opened_and_named(tmp_path):
    inner = make_zip(tmp_path / "inner.zip", {"b.txt": b"B"})
    tgz = make_tar(tmp_path / "t.tgz", {"c.txt": b"C"}, "w:gz")
    outer = make_zip(tmp_path / "outer.zip", {"a.txt": b"A", "inner.zip": inner, "t.tgz": tgz})
    assert read(outer, "outer.zip") == [
        ("a.txt", b"A"),
        ("inner.zip!b.txt", b"B"),
        ("t.tgz!c.txt", b"C"),
    ]


def test_an_empty_nested_archive_is_a_failed_member(tmp_path):
    """Like an empty archive on disk, an empty one inside another is a failure to list,
    not nothing: the member does not vanish from the run's account without a word."""
    empty_zip = make_zip(tmp_path / "e.zip", {})
    empty_tar = make_tar(tmp_path / "e.tar", {})
    outer = make_zip(tmp_path / "o.zip", {"e.zip": empty_zip, "a.txt": b"A", "e.tar": empty_tar})
    assert read(outer, "o.zip") == [
        ("e.zip", "error: the archive holds no files"),
        ("a.txt", b"A"),
        ("e.tar", "error: the archive holds no files"),
    ]


def test_nesting_is_limited(tmp_path, monkeypatch):
    monkeypatch.setattr(containers, "MAX_DEPTH", 2)
    level3 = make_zip(tmp_path / "3.zip", {"deep.txt": b"deep"})
    level2 = make_zip(tmp_path / "2.zip", {"3.zip": level3})
    level1 = make_zip(tmp_path / "1.zip", {"2.zip": level2})
    ((label, message),) = read(level1, "1.zip")
    assert label == "2.zip!3.zip"
    assert "nested more than 2 levels" in message


def test_repeated_member_names_stay_distinct(tmp_path):
    path = tmp_path / "d.tar"
    with tarfile.open(path, "w") as archive:
        for data in (b"1", b"2"):
            info = tarfile.TarInfo("same.txt")
            info.size = 1
            archive.addfile(info, io.BytesIO(data))
    assert read(path.read_bytes(), "d.tar") == [("same.txt", b"1"), ("same.txt#2", b"2")]


def test_warc_gz_and_zip_documents_are_not_containers(tmp_path):
    warc = gzip.compress(b"WARC/1.0\r\nWARC-Type: warcinfo\r\n\r\n")
    assert not containers.is_container(warc[:4096], "crawl.gz")
    page = gzip.compress(b"<html></html>")
    assert not containers.is_container(page[:4096], "crawl.warc.gz")
    assert not containers.is_container(page[:4096], "old.arc.gz")
    epub = make_zip(tmp_path / "book.epub", {"mimetype": b"application/epub+zip"})
    assert not containers.is_container(epub[:4096], "book.epub")
    assert not containers.is_container(b"<html>plain</html>", "page.html")


@pytest.mark.parametrize(
    ("data", "name", "reason"),
    [
        (b"PK\x03\x04 this is no zip at all", "bad.zip", "corrupt zip file"),
        (b"\x1f\x8b\x08\x00garbage-garbage", "bad.gz", "corrupt gzip data"),
        (gzip.compress(b"x" * 1000, mtime=0)[:-12], "cut.gz", "cut off"),
        (b"not a tar" * 100, "bad.tar", "corrupt tar file"),
        (b"plain text", "notes.txt", "not a gzip, zip or tar archive"),
    ],
)
def test_corrupt_container_raises(data, name, reason):
    with pytest.raises(ParseError, match=reason):
        list(containers.members(data, name))


def test_corrupt_zip_member_after_good_ones(tmp_path):
    data = bytearray(
        make_zip(tmp_path / "c.zip", {"good.txt": b"good " * 50, "bad.txt": b"bad " * 500})
    )
    start = data.index(b"bad.txt") + len("bad.txt") + 4
    data[start : start + 8] = b"\xff" * 8
    results = read(bytes(data), "c.zip")
    assert results[0] == ("good.txt", b"good " * 50)
    assert results[1][0] == "bad.txt"
    assert results[1][1].startswith("error:")


def test_cut_off_tar_keeps_the_members_before_the_cut(tmp_path):
    data = make_tar(tmp_path / "t.tar", {"a.txt": b"a" * 600, "b.txt": b"b" * 6000})
    results = read(data[:2560], "t.tar")
    assert results[0] == ("a.txt", b"a" * 600)
    assert all(content.startswith("error:") for _label, content in results[1:])
    assert len(results) >= 2


def test_zip_bomb_ratio_is_refused(tmp_path):
    data = make_zip(tmp_path / "bomb.zip", {"ok.txt": b"fine", "zeros.bin": bytes(20_000_000)})
    results = read(data, "bomb.zip")
    assert results[0] == ("ok.txt", b"fine")
    assert results[1][0] == "zeros.bin"
    assert "likely zip bomb" in results[1][1]
    with pytest.raises(ParseError, match="likely zip bomb"):
        list(containers.members(gzip.compress(bytes(20_000_000)), "zeros.gz"))


def test_member_size_and_count_limits(tmp_path):
    small = containers.Limits(member_bytes=100)
    data = make_tar(tmp_path / "big.tar", {"small.txt": b"s", "big.txt": b"b" * 101})
    assert read(data, "big.tar", small)[1] == ("big.txt", "error: member is larger than 100 bytes")
    few = containers.Limits(members=2)
    many = make_zip(tmp_path / "many.zip", {f"{n}.txt": b"x" for n in range(5)})
    results = read(many, "many.zip", few)
    assert [label for label, _content in results] == ["0.txt", "1.txt", "2.txt"]
    assert results[-1][1] == "error: container holds more than 2 members"


@settings(max_examples=150, deadline=None)
@given(
    prefix=st.sampled_from([b"", b"\x1f\x8b", b"\x1f\x8b\x08\x00", b"PK\x03\x04", b"PK\x05\x06"]),
    data=st.binary(max_size=1500),
    name=st.sampled_from(["a.zip", "a.tar", "a.tgz", "a.gz", "a"]),
)
def test_arbitrary_bytes_give_members_or_parse_error(prefix, data, name):
    try:
        for path, content in containers.members(prefix + data, name):
            assert all(isinstance(level.name, str) for level in path)
            assert isinstance(content, bytes | ParseError)
    except ParseError:
        pass


_member_names = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00#/\\"),
    min_size=1,
    max_size=20,
)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(_member_names, st.binary(max_size=200), max_size=5))
def test_zip_round_trip(files):
    assume(not any(containers.is_container(data[:4096], name) for name, data in files.items()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(zipfile.ZipInfo(name), data)
    assert read(buffer.getvalue(), "r.zip") == list(files.items())


def test_a_container_stops_at_its_budget_after_the_members_before_it(tmp_path):
    files = {f"{n}.txt": bytes([65 + n]) * 1000 for n in range(5)}
    small = containers.Limits(container_bytes=2500)
    for name, data in (
        ("z.zip", make_zip(tmp_path / "z.zip", files)),
        ("t.tar", make_tar(tmp_path / "t.tar", files)),
        ("t.tgz", make_tar(tmp_path / "t.tgz", files, "w:gz")),
    ):
        found = []
        with pytest.raises(ParseError, match="unpacks to more than 2500 bytes"):
            for path, content in containers.members(data, name, small):
                found.append((label(path), content))
        # what was read before the limit is kept (a gzipped tar counts its headers too)
        assert found and found[0] == ("0.txt", files["0.txt"]) and len(found) <= 2, name


def test_a_gzipped_tar_is_unpacked_as_it_is_read(tmp_path):
    files = {f"{n}.txt": f"story {n}".encode() * 100 for n in range(300)}
    data = make_tar(tmp_path / "many.tgz", files, "w:gz")
    run = Unpacked()
    assert read(data, "many.tgz") == list(files.items())
    list(containers.members(data, "many.tgz", run=run))
    assert run.bytes >= sum(map(len, files.values()))
    # cut off half-way: the members before the cut, then the damage
    found = []
    with pytest.raises(ParseError, match="cut off"):
        for path, content in containers.members(data[: len(data) // 2], "many.tgz"):
            found.append((label(path), content))
    assert found[:3] == list(files.items())[:3] and len(found) < len(files)


def test_inflating_steps_back_a_little_and_counts(tmp_path):
    from archive.ingest.inflating import Exhausted, Inflating

    data = gzip.compress(b"0123456789" * 1000) + gzip.compress(b"abc")
    counted = []
    stream = Inflating(data, 20_000, count=counted.append)
    assert stream.peek(5) == b"01234" and stream.tell() == 0
    stream.seek(9_995)
    assert stream.read(8) == b"56789abc" and stream.read(5) == b""
    stream.seek(9_990)
    assert stream.read(3) == b"012"
    assert sum(counted) == 10_003
    with pytest.raises(Exhausted):
        Inflating(data, 5_000).read()
    # a web archive's stream ends at damage rather than failing, once something was read
    lenient = Inflating(data[:-10], 20_000, strict=False)
    assert lenient.read().startswith(b"0123456789")
    with pytest.raises(ParseError, match="cut off"):
        Inflating(data[:-10], 20_000).read()
