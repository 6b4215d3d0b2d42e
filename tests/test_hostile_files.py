"""Hostile files: a thousand sources of which fifty are bad, and the run still finishes.

The bad ones are truncated, invalid UTF-8, empty, 50 MB, a billion laughs, external
entities pointing at ``/etc/passwd`` and 100,000 nested elements. Every good file is
indexed, every bad one is listed with its reason, the totals add up, and nothing of
``/etc/passwd`` lands anywhere in the index or the catalog.
"""

from __future__ import annotations

import gzip
import io
import random
import time
import zipfile
from pathlib import Path

import pytest

from archive.config import Settings
from archive.core import Archive
from archive.indexing.parsing import parse_source
from archive.ingest.formats import text
from archive.models import SearchRequest

GOOD = 950
PASSWD = Path("/etc/passwd")
#: what would show that /etc/passwd was read: its first line, and a shell path
LEAKS = (b"root:x:0:0", b"root:*:0:0", b"/usr/sbin/nologin", b"/bin/bash")


def good_file(n: int) -> tuple[str, bytes]:
    """A small, ordinary article in one of four formats, holding the word ``goodNNNN``."""
    word = f"good{n:04d}"
    body = f"The harbour of town {word} reopened after repairs, officials said on Monday."
    kind = n % 10
    if kind < 6:
        return f"good-{n:04d}.txt", f"Title: Story {word}\n\n{body}\n\n{body}\n".encode()
    if kind < 8:
        page = (
            f"<!DOCTYPE html><html><head><title>Page {word}</title></head><body><article>"
            f"<h1>Page {word}</h1><p>{body} {body}</p><p>{body} More reporting follows "
            "on the works and the ships that came back to the quay this week.</p>"
            "</article></body></html>"
        )
        return f"good-{n:04d}.html", page.encode()
    if kind == 8:
        feed = (
            '<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>'
            f"<item><title>Item {word}</title><guid>{word}</guid>"
            f"<description>{body}</description></item></channel></rss>"
        )
        return f"good-{n:04d}.xml", feed.encode()
    return f"good-{n:04d}.xml", nitf(f"Story {word}", body).encode()


def nitf(title: str, body: str, doctype: str = "", extra: str = "") -> str:
    return (
        f'<?xml version="1.0"?>\n{doctype}<nitf xmlns:xi="http://www.w3.org/2001/XInclude">'
        f"<head><title>{title}</title></head><body><body.head><hedline><hl1>{title}</hl1>"
        f"</hedline></body.head><body.content><p>{body}</p>{extra}</body.content></body></nitf>"
    )


def laughs(root: str) -> bytes:
    entities = '<!ENTITY lol "lol">\n' + "".join(
        f'<!ENTITY lol{i} "{(f"&lol{i - 1};" if i > 1 else "&lol;") * 10}">\n' for i in range(1, 10)
    )
    if root == "rss":
        doc = (
            "<rss><channel><title>&lol9;</title><item><title>&lol9;</title></item></channel></rss>"
        )
    elif root == "feed":
        doc = '<feed xmlns="http://www.w3.org/2005/Atom"><title>&lol9;</title></feed>'
    else:
        return nitf("&lol9;", "&lol9;", f"<!DOCTYPE nitf [\n{entities}]>\n").encode()
    return f'<?xml version="1.0"?>\n<!DOCTYPE {root} [\n{entities}]>\n{doc}'.encode()


def bad_files(rng: random.Random) -> list[tuple[str, str, bytes]]:
    """Fifty bad files as (kind, name, content)."""
    story = b"Title: Cut\n\n" + b"The harbour story goes on and on. " * 400
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("story.txt", story)
    whole_nitf = nitf("Cut story", "The harbour story. " * 20).encode()
    whole_feed = good_file(8)[1]
    system = '<!DOCTYPE {0} [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    parameter = '<!DOCTYPE {0} [<!ENTITY % xxe SYSTEM "file:///etc/passwd"> %xxe;]>\n'
    rss = '<rss version="2.0"><channel><title>F &xxe;</title><item><title>Leak &xxe;</title>'
    rss += "<description>Body &xxe;</description></item></channel></rss>"
    files: list[tuple[str, str, bytes]] = []
    for n in range(3):
        files.append(("truncated", f"cut-{n}.txt.gz", gzip.compress(story)[: 40 + n * 10]))
        files.append(("truncated", f"cut-{n}.zip", zipped.getvalue()[: 60 + n * 40]))
        files.append(("truncated", f"cut-{n}.xml", whole_nitf[: 120 + n * 30]))
    files.append(("truncated", "cut-feed.xml", whole_feed[:90]))
    files.append(("truncated", "cut-page.html", b"<html><head><title>Cut off"))
    files.append(("truncated", "cut-item.xml", whole_feed[: whole_feed.index(b"<title>Item")]))
    for n in range(5):
        junk = bytes(rng.randrange(0x80, 0x100) for _ in range(2000 + n))
        files.append(("invalid UTF-8", f"junk-{n}.txt", junk))
    overlong = b"\xc0\xaf\xe0\x80\xaf\xf8\x88\x80\x80\x80" * 300
    for n in range(4):
        files.append(("invalid UTF-8", f"overlong-{n}.txt", overlong))
    for n in range(4):
        files.append(("empty", f"empty-{n}.txt", b""))
    for n in range(3):
        files.append(("empty", f"blank-{n}.txt", b" \n\n\t \r\n" * (n + 1)))
    for n, root in enumerate(["rss", "rss", "rss", "feed", "feed", "feed", "nitf", "nitf", "nitf"]):
        files.append(("billion laughs", f"laughs-{n}.xml", laughs(root)))
    for n in range(3):
        leak = '<?xml version="1.0"?>\n' + system.format("rss") + rss
        files.append(("external entity", f"xxe-rss-{n}.xml", leak.encode()))
        leak = nitf("Leak &xxe;", "Body &xxe;", system.format("nitf"))
        files.append(("external entity", f"xxe-nitf-{n}.xml", leak.encode()))
        leak = '<?xml version="1.0"?>\n' + parameter.format("rss") + rss.replace("&xxe;", "")
        files.append(("external entity", f"xxe-param-{n}.xml", leak.encode()))
    files.append(("nested", "divs.html", nested("div")))
    files.append(("nested", "spans.html", nested("span")))
    files.append(("nested", "deep.xml", nitf("Deep", "", extra="<p>" * 100_000).encode()))
    files.append(("50 MB", "huge.txt", fifty_megabytes(rng)))
    assert len(files) == 50
    return files


def nested(tag: str) -> bytes:
    """An HTML page of 100,000 nested elements."""
    return (
        f"<html><head><title>Deep</title></head><body>{f'<{tag}>' * 100_000}<p>deep</p>"
        f"{f'</{tag}>' * 100_000}</body></html>"
    ).encode()


def fifty_megabytes(rng: random.Random) -> bytes:
    words = [f"w{rng.randrange(10**6)}" for _ in range(2000)]
    line = (" ".join(words) + "\n\n").encode()
    return b"Title: Huge\n\n" + line * (50_000_000 // len(line))


#: the reason each kind of bad file must be listed with (any of these words)
REASONS = {
    "truncated": ("cut off", "corrupt", "not well-formed", "no article", "no articles"),
    "invalid UTF-8": ("not text",),
    "empty": ("empty",),
    "billion laughs": ("entities",),
    "external entity": ("entities",),
    "nested": ("depth", "no article text"),
    "50 MB": ("the limit is",),
}


def write_corpus(folder: Path) -> dict[str, str]:
    """The thousand files, shuffled into folders; returns bad file path -> kind."""
    rng = random.Random(20261128)
    folder.mkdir()
    entries = [("good", *good_file(n)) for n in range(GOOD)] + bad_files(rng)
    rng.shuffle(entries)
    bad = {}
    for position, (kind, name, data) in enumerate(entries):
        path = folder / f"part-{position % 7}" / name
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(data)
        if kind != "good":
            bad[str(path.resolve())] = kind
    return bad


def leaked(folder: Path) -> list[str]:
    """Files under ``folder`` holding anything that could only come from /etc/passwd."""
    found = []
    for path in folder.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            found += [f"{path}: {leak!r}" for leak in LEAKS if leak in data]
    return found


@pytest.mark.slow
def test_a_thousand_files_with_fifty_bad_ones(tmp_path):
    bad = write_corpus(tmp_path / "in")
    settings = Settings(data_dir=tmp_path / "data")
    started = time.monotonic()
    with Archive(settings) as archive:
        report = archive.index([tmp_path / "in"])
        took = time.monotonic() - started
        assert not report.interrupted and took < 300
        assert (report.seen, report.new, report.failed) == (GOOD + len(bad), GOOD, len(bad))
        assert report.indexed + report.failed == report.seen
        failures = {record.path: record.error for record in archive.errors()}
        assert set(failures) == set(bad)
        for path, kind in bad.items():
            reason = failures[path] or ""
            assert any(word in reason for word in REASONS[kind]), (kind, path, reason)
        assert archive.stats().articles == GOOD
        assert archive.search(SearchRequest(q="harbour", per_page=1)).total == GOOD
        assert archive.search(SearchRequest(q="good0007")).total == 1
        for word in ("root", "nologin", "daemon", "lol"):
            assert archive.search(SearchRequest(q=word)).total == 0, word
        for article_id in archive.engine.ids():
            article = archive.article(article_id)
            fields = " ".join(str(value) for value in article.to_dict().values())
            assert not any(leak.decode() in fields for leak in LEAKS), article_id
    if PASSWD.is_file():
        assert leaked(tmp_path / "data") == []


# the time a parse may take ---------------------------------------------------------------


@pytest.mark.parametrize("bulk", [False, True], ids=["in-process", "worker"])
def test_a_parse_that_takes_too_long_is_refused_and_the_run_goes_on(tmp_path, monkeypatch, bulk):
    folder = tmp_path / "in"
    folder.mkdir()
    # past a megabyte of sources a run parses in worker processes
    stories = 20 if bulk else 4
    padding = "The harbour reopened today. " * (2000 if bulk else 1)
    for n in range(stories):
        (folder / f"story-{n}.txt").write_text(f"Story {n}\n\nHarbour {padding}\n")
    (folder / "slow.txt").write_text("Slow\n\nA story the parser dwells on.\n")
    original = text.parse

    def dwell(doc):
        if doc.path.endswith("slow.txt"):
            time.sleep(30)
        return original(doc)

    monkeypatch.setattr(text, "parse", dwell)
    # the first parse loads the language model; the workers are forked with it loaded
    parse_source("warm-up.txt", b"Warm up\n\nThe harbour reopened today.\n")
    settings = Settings(data_dir=tmp_path / "data", max_parse_seconds=0.5, workers=2)
    started = time.monotonic()
    with Archive(settings) as archive:
        report = archive.index([folder])
        assert time.monotonic() - started < 20
        assert (report.new, report.failed) == (stories, 1), report.failures
        (failure,) = archive.errors()
        assert failure.path.endswith("slow.txt")
        assert failure.error == "parsing took longer than 0.5 s; the source was refused"
