"""Bounded work for any input: compressed bombs cost their limit, never their size.

Each bomb is generated here (zip and tar members of 60 and 99 MB, a zip whose headers
lie, a container unpacking past its budget, web archives unpacking to more than a
gigabyte) and indexed by ``newsarchive index`` in a process of its own, whose whole
process tree (the parsing processes and the index writer's included) is sampled with
psutil: it must stay under 1.5 GiB and finish in bounded time, with every refusal named.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import random
import struct
import subprocess
import sys
import tarfile
import time
import zlib
from pathlib import Path

import psutil
import pytest

from archive.config import Settings
from archive.core import Archive
from tests.conftest import ROOT

MB = 1 << 20
PEAK_LIMIT = 1536 * MB
#: ``newsarchive index --json`` as a user runs it
INDEX = """
import sys
import cli
sys.argv = ["newsarchive", "--data-dir", sys.argv[1], "index", "--json", *sys.argv[2:]]
cli.main()
"""


def text_block(size: int) -> bytes:
    """``size`` bytes of news-like text that deflate squeezes about 30 to 1."""
    rng = random.Random(size)
    words = ["the", "harbour", "of", "town", "reopened", "after", "repairs", "officials"]
    block = " ".join(rng.choice(words) for _ in range(600)).encode()
    return (block * (size // len(block) + 1))[:size]


def deflated(size: int) -> tuple[bytes, int]:
    """Raw deflate of ``size`` bytes of text, and their CRC-32 (made a megabyte at a time)."""
    chunk = text_block(MB)
    packer = zlib.compressobj(6, zlib.DEFLATED, -15)
    crc = 0
    parts = []
    for start in range(0, size, MB):
        piece = chunk[: min(MB, size - start)]
        crc = zlib.crc32(piece, crc)
        parts.append(packer.compress(piece))
    parts.append(packer.flush())
    return b"".join(parts), crc


def zip_of_copies(path: Path, count: int, size: int, declared: int | None = None) -> None:
    """A zip of ``count`` text members of ``size`` bytes sharing one compressed payload
    (written by hand, so it takes seconds); ``declared`` makes the headers lie."""
    payload, crc = deflated(size)
    told = size if declared is None else declared
    entries = []
    with open(path, "wb") as out:
        for n in range(count):
            name = f"story-{n}.txt".encode()
            entries.append((name, out.tell()))
            sizes = (crc, len(payload), told, len(name), 0)
            out.write(struct.pack("<4s5H3I2H", b"PK\x03\x04", 20, 0, 8, 0, 33, *sizes))
            out.write(name + payload)
        start = out.tell()
        for name, offset in entries:
            sizes = (crc, len(payload), told, len(name), 0, 0, 0, 0, 0, offset)
            out.write(struct.pack("<4s6H3I5H2I", b"PK\x01\x02", 20, 20, 0, 8, 0, 33, *sizes))
            out.write(name)
        directory = out.tell() - start
        out.write(struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, count, count, directory, start, 0))


def gzip_of_copies(chunk: bytes, count: int, level: int = 6) -> bytes:
    """``chunk`` repeated ``count`` times, as that many gzip members (one compressed once)."""
    return gzip.compress(chunk, level) * count


def tgz_of_copies(path: Path, count: int, size: int) -> None:
    """A gzipped tar of ``count`` text members of ``size`` bytes, compressed as it is made."""
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=1) as out:
        block = text_block(MB)
        for n in range(count):
            info = tarfile.TarInfo(f"story-{n}.txt")
            info.size = size
            out.write(info.tobuf(format=tarfile.GNU_FORMAT))
            for start in range(0, size, MB):
                out.write(block[: min(MB, size - start)])
            out.write(b"\0" * (-size % 512))
        out.write(b"\0" * 1024)


def warc_record(payload_size: int, content_type: str, record: int) -> tuple[bytes, bytes]:
    """The head of one WARC response record whose body is ``payload_size`` bytes, and its end."""
    http = f"HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\n\r\n".encode()
    head = (
        f"WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:{record}>\r\n"
        "WARC-Target-URI: http://example.com/\r\n"
        "Content-Type: application/http; msgtype=response\r\n"
        f"Content-Length: {len(http) + payload_size}\r\n\r\n"
    ).encode()
    return head + http, b"\r\n\r\n"


def index_measured(data_dir: Path, folder: Path) -> tuple[dict, float, int]:
    """``newsarchive index --json`` in a process of its own: its report, seconds and the
    peak RSS of its whole process tree."""
    command = [sys.executable, "-c", INDEX, str(data_dir), str(folder)]
    started = time.monotonic()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    root = psutil.Process(process.pid)
    peak = 0
    while process.poll() is None:
        total = 0
        try:
            tree = [root, *root.children(recursive=True)]
        except psutil.Error:
            tree = []
        for member in tree:
            with contextlib.suppress(psutil.Error):
                total += member.memory_info().rss
        peak = max(peak, total)
        time.sleep(0.02)
    out, err = process.communicate()
    seconds = time.monotonic() - started
    assert process.returncode in (0, 3), err.decode()[-2000:]
    print(f"{folder.name}: {seconds:.1f} s, peak RSS {peak / MB:.0f} MiB")
    return json.loads(out), seconds, peak


def reasons(report: dict) -> list[str]:
    return [failure["error"] for failure in report["failures"]]


@pytest.mark.slow
def test_a_zip_of_ten_99_mb_members_is_refused_from_its_headers(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    zip_of_copies(folder / "bomb.zip", 10, 99_000_000)
    report, seconds, peak = index_measured(tmp_path / "data", folder)
    assert report["failed"] == 10
    assert all("member is larger than 64 MB" in reason for reason in reasons(report))
    assert seconds < 60 and peak < PEAK_LIMIT


@pytest.mark.slow
def test_headers_that_lie_are_caught_while_unpacking(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    zip_of_copies(folder / "liar.zip", 3, 99_000_000, declared=1000)
    report, seconds, peak = index_measured(tmp_path / "data", folder)
    assert report["failed"] == 3
    assert all("corrupt zip member" in reason for reason in reasons(report)), reasons(report)
    assert seconds < 60 and peak < PEAK_LIMIT


@pytest.mark.slow
def test_members_under_the_limit_are_refused_before_parsing_and_the_container_budget_holds(
    tmp_path,
):
    folder = tmp_path / "in"
    folder.mkdir()
    zip_of_copies(folder / "big.zip", 20, 60_000_000)
    tgz_of_copies(folder / "big.tgz", 4, 60_000_000)
    report, seconds, peak = index_measured(tmp_path / "data", folder)
    found = reasons(report)
    # 60 MB of text cannot hold an article of 2,000,000 characters: refused unread
    assert sum("refused unread" in reason for reason in found) == 17 + 4, found
    # the zip unpacks to 1.2 GB: the rest of it is refused at the container's 1 GB
    assert any("container unpacks to more than 1024 MB" in reason for reason in found), found
    assert seconds < 120 and peak < PEAK_LIMIT


@pytest.mark.slow
def test_web_archives_unpacking_past_a_gigabyte_cost_their_limit(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    # one page of 1.2 GB, at a ratio no page compresses to
    head, tail = warc_record(1_200 * MB, "text/html", 1)
    page = gzip.compress(b"harbour " * (MB // 8), 9)
    (folder / "page.warc.gz").write_bytes(gzip.compress(head) + page * 1_200 + gzip.compress(tail))
    # 1,100 records of 1 MB that are not pages, compressed as text is
    head, tail = warc_record(MB, "image/jpeg", 2)
    record = head + text_block(MB) + tail
    (folder / "many.warc.gz").write_bytes(gzip_of_copies(record, 1_100))
    report, seconds, peak = index_measured(tmp_path / "data", folder)
    found = " ".join(reasons(report))
    assert "compression ratio above 200:1" in found, found
    assert "unpacks to more than 1024 MB" in found, found
    assert seconds < 120 and peak < PEAK_LIMIT


def test_a_run_stops_unpacking_at_its_budget_and_the_next_run_continues(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    story = b"Title: Harbour %d\n\nThe harbour of town%d reopened after repairs.\n"
    for n in range(4):
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
            for m in range(3):
                content = story % (n * 10 + m, n * 10 + m) + b" " * 40_000
                info = tarfile.TarInfo(f"story-{m}.txt")
                info.size = len(content)
                archive.addfile(info, io.BytesIO(content))
        (folder / f"part-{n}.tgz").write_bytes(buffer.getvalue())
    settings = Settings(data_dir=tmp_path / "data", max_run_unpacked_bytes=200_000)
    with Archive(settings) as archive:
        first = archive.index([folder])
        assert first.deferred == 2 and first.seen == 6 and first.articles_total == 6
        assert archive.check().ok
        second = archive.index([folder])
        assert second.deferred == 0 and second.new == 6 and second.articles_total == 12
