"""The reading commands on a missing, read-only or replaced data directory: every cell of
the README's table ("What the archive promises") run as a real command or a real server.

Read-only is made two ways, both real: a read-only bind mount (as root, in a mount
namespace of the command's own) and write permissions taken away (as root, the command
runs without the capabilities that let root ignore them; as a normal user it needs no
help). Each way is first shown to refuse a new file. Every command must print no
traceback, end as the table says with at most one line of error, and leave the data
directory as it was (or absent).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from archive.config import Settings
from archive.core import Archive
from archive.models import SearchRequest
from tests.conftest import ROOT, SEEDS
from tests.readonly_support import ended, newsarchive, read_only, refuses_files, snapshot
from tests.server_support import Server

pytestmark = pytest.mark.slow

MARK = "**A missing, read-only or replaced data directory.**"
COLUMNS = ("missing", "read-only", "replaced")
#: an id no archive has: with nothing indexed, asking for it says so
NO_ID = "0123456789abcdef"
STORIES = {
    "harbour.txt": "Harbour reopens\n\nThe harbour at Kushiro reopened after the storm.\n",
    "rice.txt": "Rice harvest\n\nFarmers in Niigata expect a record rice harvest.\n",
}


def table() -> dict[str, dict[str, str]]:
    """The README's table: command -> column -> what it promises."""
    text = (ROOT / "README.md").read_text(encoding="utf-8").split(MARK, 1)[1]
    rows: dict[str, dict[str, str]] = {}
    for line in text.splitlines():
        if not line.startswith("| `"):
            if rows:
                break
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        for name in re.findall(r"`([a-z]+)`", cells[0]):
            rows[name] = dict(zip(COLUMNS, cells[1:], strict=True))
    return rows


TABLE = table()
COMMANDS = [name for name in TABLE if name != "serve"]


def args(command: str, article_id: str) -> list[str]:
    return {
        "search": ["search", "harbour"],
        "show": ["show", article_id],
        "similar": ["similar", article_id],
        "index": ["index", str(SEEDS)],
        **{research: [research, "harbour"] for research in ("timeline", "words", "kwic", "cite")},
    }.get(command, [command])


def exit_code(cell: str) -> int:
    found = re.fullmatch(r"exit (\d+)", cell)
    assert found, f"the README's table says {cell!r}, not an exit code"
    return int(found.group(1))


def pages(article_id: str) -> list[str]:
    """Every kind of page and JSON answer `serve` gives, but the help page."""
    return [
        "/",
        "/search?q=harbour",
        f"/articles/{article_id}",
        "/feed.atom?q=harbour",
        "/export.csv?q=harbour",
        "/export.jsonl?q=harbour",
        "/api/search?q=harbour",
        f"/api/articles/{article_id}",
        "/api/stats",
        "/api/complete?q=harb",
    ]


# the archive, the commands and what they leave -----------------------------------------------


def build(data: Path, stories: dict[str, str]) -> list[str]:
    """An archive of ``stories`` in ``data``; its article ids."""
    folder = data.parent / f"{data.name}-sources"
    folder.mkdir()
    for name, text in stories.items():
        (folder / name).write_text(text, encoding="utf-8")
    with Archive(Settings(data_dir=data)) as archive:
        archive.index([folder])
        found = archive.search(SearchRequest(per_page=100, copies=True))
        return sorted(hit.id for hit in found.hits)


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> tuple[Path, list[str]]:
    data = tmp_path_factory.mktemp("template") / "data"
    return data, build(data, STORIES)


@pytest.fixture
def archive(template, tmp_path) -> tuple[Path, list[str]]:
    """A copy of the template archive of this test's own: its data directory and ids."""
    data = tmp_path / "data"
    shutil.copytree(template[0], data)
    return data, template[1]


# the commands -----------------------------------------------------------------------------------


def test_the_table_covers_every_reading_command():
    assert set(COMMANDS) == {"search", "show", "similar", "stats", "errors", "check"} | {
        "index",
        "reindex",
    } | {"timeline", "words", "kwic", "cite"}
    assert "serve" in TABLE


@pytest.mark.parametrize("command", COMMANDS)
def test_commands_on_a_missing_data_directory(tmp_path, command):
    data = tmp_path / "absent"
    result = newsarchive(data, *args(command, NO_ID))
    promised = TABLE[command]["missing"]
    if promised == "created":
        ended(result, 0)
        assert data.is_dir()
        return
    ended(result, exit_code(promised))
    assert "nothing has been indexed there yet" in result.stderr
    assert not data.exists()


@pytest.mark.parametrize("how", ["mount", "permissions"])
@pytest.mark.parametrize("command", COMMANDS)
def test_commands_on_a_read_only_data_directory(archive, command, how):
    data, ids = archive
    before = snapshot(data)
    with read_only(data, how) as prefix:
        refuses_files(data, prefix)
        result = newsarchive(data, *args(command, ids[0]), prefix=prefix)
    code = exit_code(TABLE[command]["read-only"])
    ended(result, code)
    if code == 9:
        reason = "read-only" if how == "mount" else "may not write there"
        assert reason in result.stderr
    assert snapshot(data) == before


# the server -------------------------------------------------------------------------------------


def answer(server: Server, article_id: str, status: int) -> None:
    """Every page and JSON answer is ``status``."""
    answers = {path: server.get(path).status for path in pages(article_id)}
    assert answers == dict.fromkeys(answers, status)


def promised(cell: str) -> list[int]:
    """A cell of the serve row: the statuses it promises, in turn."""
    return [int(status) for status in re.findall(r"\d{3}", cell)]


def test_serve_on_a_missing_data_directory(tmp_path):
    data = tmp_path / "absent"
    [status] = promised(TABLE["serve"]["missing"])
    with Server(data, ready=status) as server:
        answer(server, NO_ID, status)
        assert server.get("/help").status == 200
        message = server.get("/api/search", q="harbour").json()["error"]["message"]
        assert "data directory does not exist" in message and str(tmp_path) not in message
        assert not data.exists()
        ids = build(data, STORIES)  # indexed there at last: answered without a restart
        answer(server, ids[0], 200)


@pytest.mark.parametrize("how", ["mount", "permissions"])
def test_serve_on_a_read_only_data_directory(archive, how):
    data, ids = archive
    before = snapshot(data)
    [status] = promised(TABLE["serve"]["read-only"])
    with read_only(data, how) as prefix, Server(data, prefix=prefix, ready=status) as server:
        answer(server, ids[0], status)
        assert server.get("/api/search", q="harbour").json()["total"] == 1
    assert snapshot(data) == before


def totals(server: Server) -> tuple[int, int]:
    """What a browse and the stats say: articles found, sources in the catalog."""
    articles = server.get("/api/search", q="").json()["total"]
    return articles, server.get("/api/stats").json()["sources"]


def test_serve_follows_its_data_directory_when_removed_rebuilt_or_replaced(archive, tmp_path):
    """One worker thread, so the searcher and catalog it keeps must follow every change."""
    data, ids = archive
    gone, back = promised(TABLE["serve"]["replaced"])
    with Server(data, threads=1) as server:
        answer(server, ids[0], back)
        assert totals(server) == (len(STORIES), len(STORIES))
        shutil.rmtree(data)
        answer(server, ids[0], gone)
        assert server.get("/help").status == 200
        assert not data.exists()
        # rebuilt in place, with other articles: the same generation names as before
        new = build(data, {"storm.txt": "Storm\n\nA storm closed the harbour at Kushiro.\n"})
        answer(server, new[0], back)
        assert totals(server) == (1, 1)
        assert server.get(f"/api/articles/{ids[0]}").status == 404
        # replaced by a rename, as a deployment swaps a folder in
        other = tmp_path / "other"
        third = build(other, {**STORIES, "storm.txt": "Storm\n\nA storm at the harbour.\n"})
        data.rename(tmp_path / "old")
        other.rename(data)
        answer(server, third[0], back)
        assert totals(server) == (3, 3)
