"""Hostile queries through the CLI, the JSON API and the results page.

Each answers 200 or 400 (exit 0 or 2 on the command line) within 2 seconds, never a 500
or a traceback, and the server keeps answering an ordinary search all the while.
"""

from __future__ import annotations

import random
import time
from urllib.parse import quote

import pytest
from click.testing import CliRunner

import cli
from archive.config import Settings
from archive.core import Archive
from tests.server_support import Poller, Server, fetch

LIMIT = 2.0
ARTICLES = 1000

HOSTILE = {
    "short prefix": "a*",
    "infix wildcard": "*a*",
    "lone star": "*",
    "fifty question marks": "?" * 50,
    "a thousand parentheses": "(" * 1000,
    "a thousand quotes": '"' * 1000,
    "20,000-term OR": " OR ".join(f"w{n}" for n in range(20_000)),
    "one megabyte": ("harvest " * 131_072)[:1_000_000],
    "unknown field": "nosuchfield:harvest",
    "huge date range": "date:[0001-01-01 TO 9999-12-31]",
    "absurd date range": "date:[-99999999999 TO 99999999999999]",
    "huge year range": "year:[0 TO 999999999999]",
    "fuzzy nine": "word~9",
    "fuzzy two, many": " OR ".join(f"harvst{n}~2" for n in range(200)),
    "many short prefixes": " OR ".join(f"{a}{b}*" for a in "abcdefgh" for b in "aeiou"),
    "NUL bytes": "harvest\x00report\x00",
    "lone surrogates": "harvest \ud800 report \udfff",
    "right-to-left": "\u202eharvest\u202c \u0645\u0631\u062d\u0628\u0627 \u05e9\u05dc\u05d5\u05dd",
    "deep nesting": "(" * 40 + "harvest" + ")" * 40,
    "control characters": "harvest\x07\x1b[31m\r\nreport",
}


def corpus(folder):
    rng = random.Random(5)
    words = ["".join(rng.choice("abcdefghijklmnoprstuvw") for _ in range(rng.randint(3, 9)))]
    words += [
        "".join(rng.choice("abcdefghijklmnoprstuvw") for _ in range(rng.randint(3, 9)))
        for _ in range(4000)
    ]
    folder.mkdir()
    for n in range(ARTICLES):
        body = " ".join(rng.choices(words, k=80))
        (folder / f"story-{n:04d}.txt").write_text(
            f"Title: Harvest report {n}\nDate: {1990 + n % 30}-0{1 + n % 9}-1{n % 9}\n\n"
            f"The harvest report number {n}. {body}.\n"
        )
    return folder


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile-queries")
    with Archive(Settings(data_dir=root / "data")) as archive:
        report = archive.index([corpus(root / "in")])
        assert report.failed == 0
    return root / "data"


def query_string(q: str, **more: str) -> str:
    """``q=...`` percent-encoded as UTF-8, lone surrogates included (as a browser would not)."""
    encoded = quote(q.encode("utf-8", errors="surrogatepass"), safe="")
    return "&".join([f"q={encoded}", *(f"{k}={v}" for k, v in more.items())])


@pytest.mark.slow
def test_hostile_queries_on_the_command_line(data_dir):
    runner = CliRunner()
    base = ["--data-dir", str(data_dir), "search"]
    assert runner.invoke(cli.main, [*base, "harvest"]).exit_code == 0  # warm up
    for name, q in HOSTILE.items():
        started = time.perf_counter()
        result = runner.invoke(cli.main, [*base, q])
        took = time.perf_counter() - started
        assert result.exit_code in (0, 2), (name, result.exit_code, result.output[-500:])
        assert result.exception is None or isinstance(result.exception, SystemExit), name
        assert "Traceback" not in result.output, name
        if result.exit_code == 2:
            assert result.output.startswith("newsarchive: error: "), (name, result.output[:300])
            assert result.output.count("\n") == 1, (name, result.output[:300])
        assert took < LIMIT, (name, took)


@pytest.mark.slow
def test_hostile_queries_through_the_api_and_the_page(data_dir):
    with Server(data_dir, threads=4) as server:
        poller = Poller(server, q="harvest report", pause=0.05)
        poller.start()
        answers = []
        for name, q in HOSTILE.items():
            for path in ("/api/search", "/search"):
                reply = fetch(f"{server.base}{path}?{query_string(q)}", timeout=30)
                answers.append((name, path, reply.status, reply.seconds))
                if path.startswith("/api/") and reply.status == 400:
                    assert reply.json()["error"]["status"] == 400, name
                if reply.status == 200 and path == "/search":
                    assert b"Traceback" not in reply.body
        poller.stop()
    slow = [a for a in answers if a[3] >= LIMIT]
    wrong = [a for a in answers if a[2] not in (200, 400)]
    assert not wrong, wrong
    assert not slow, slow
    assert not poller.errors, poller.errors[:3]
    assert {status for status, _, _ in poller.answers} == {200}
    assert max(seconds for _, _, seconds in poller.answers) < LIMIT
