"""The CLI end to end on the seed, with Click's CliRunner: what a user types and reads."""

from __future__ import annotations

import json
import os
import re
import shutil

import pytest
from click.testing import CliRunner

import cli
from tests.conftest import ROOT, SEEDS

PLEA = ("quality journalism", "subscribing", "get the story right")


@pytest.fixture
def run(tmp_path):
    runner = CliRunner()

    def invoke(*args: str, code: int = 0):
        result = runner.invoke(cli.main, ["--data-dir", str(tmp_path / "data"), *args])
        assert result.exit_code == code, result.output
        return result

    return invoke


@pytest.fixture
def seeded(run):
    run("index", str(SEEDS))
    return run


def test_index_reports_and_is_incremental(run, tmp_path):
    first = run("index", str(SEEDS))
    assert "1 sources: 1 new, 0 updated, 0 unchanged, 0 failed" in first.output
    second = run("index", str(SEEDS), "--json")
    report = json.loads(second.output)
    assert (report["unchanged"], report["articles_written"]) == (1, 0)
    assert report["indexed"] + report["failed"] == report["seen"]


def test_search_kananaskis_finds_the_seed_by_kyodo(seeded):
    out = seeded("search", "Kananaskis").output
    assert "1 article matches" in out and "Kyodo" in out
    data = json.loads(seeded("search", "Kananaskis", "--json").output)
    hit = data["hits"][0]
    assert hit["byline"] == "Kyodo" and data["total"] == 1
    assert any(part["match"] and part["text"] == "Kananaskis" for part in hit["snippet"])


def test_the_plea_is_nowhere(seeded):
    for word in ("subscribing", '"quality journalism"', "misinformation"):
        assert json.loads(seeded("search", word, "--json").output)["total"] == 0
    data = json.loads(seeded("search", "Putin", "--json").output)
    article = json.loads(seeded("show", data["hits"][0]["id"], "--json").output)
    for phrase in PLEA:
        assert phrase not in article["body"]
        assert phrase not in data["hits"][0]["snippet_text"]
    assert article["title_derived"] is True and article["byline"] == "Kyodo"


def test_phrase_negation_and_date_filters(seeded):
    def total(*args):
        return json.loads(seeded("search", *args, "--json").output)["total"]

    assert total('"peace treaty"') == 1
    assert total('"treaty peace"') == 0
    assert total("Hokkaido") == 1
    assert total("Hokkaido -Kunashiri") == 0
    assert total("Koizumi AND Putin") == 1
    # the seed is undated: a date filter excludes it rather than inventing a date
    assert total("Koizumi", "--from", "1990-01-01") == 0
    assert total("Koizumi", "--to", "2030-12-31") == 0


def test_explain_and_jsonl(seeded):
    out = seeded("search", "Koizumi -Kunashiri", "--explain").output
    assert "Understood as: the word “Koizumi” in title or text AND NOT" in out
    lines = seeded("search", "Putin", "--jsonl").output.strip().splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["byline"] == "Kyodo"


def test_query_errors_are_one_line_with_exit_code_2(seeded):
    result = seeded("search", "(Koizumi", code=2)
    assert result.output.strip() == "newsarchive: error: a parenthesis is not closed"
    assert "Traceback" not in result.output
    assert "wildcard" in seeded("search", "*zumi", code=2).output


def test_show_unknown_id_and_bad_date(seeded):
    assert "no article has the id" in seeded("show", "0123456789abcdef", code=6).output
    assert "is not a date" in seeded("search", "x", "--from", "yesterday", code=2).output


def test_stats_check_errors(run, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEEDS / "000_349ce9d1cc34d8b8.txt", folder / "seed.txt")
    (folder / "empty.txt").write_bytes(b"")
    result = run("index", str(folder), code=cli.EXIT_SOURCES_FAILED)
    assert "1 new, 0 updated, 0 unchanged, 1 failed" in result.output
    assert "empty.txt: empty file" in run("errors").output
    assert "articles:      1" in run("stats").output
    assert run("check").output.strip().endswith("ok")


def test_changed_files_are_reindexed_and_prune_drops_gone_ones(run, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    story = folder / "story.txt"
    story.write_text("Old title\n\nThe harbour opened in March.\n")
    run("index", str(folder))
    story.write_text("New title\n\nThe harbour closed in April.\n")
    os.utime(story, ns=(1, 1))
    report = json.loads(run("index", str(folder), "--json").output)
    assert report["updated"] == 1
    assert json.loads(run("search", "closed", "--json").output)["total"] == 1
    assert json.loads(run("search", "opened", "--json").output)["total"] == 0
    story.unlink()
    report = json.loads(run("index", str(folder), "--prune", "--json").output)
    assert report["removed"] == 1
    assert json.loads(run("search", "harbour", "--json").output)["total"] == 0
    assert run("check").output.strip().endswith("ok")


def test_reindex_keeps_ids(seeded):
    before = json.loads(seeded("search", "Putin", "--json").output)["hits"][0]["id"]
    report = json.loads(seeded("reindex", "--json").output)
    assert report["new"] == 1
    after = json.loads(seeded("search", "Putin", "--json").output)["hits"][0]["id"]
    assert before == after


def test_search_before_anything_is_indexed(run, tmp_path):
    result = run("search", "anything", code=5)
    assert "nothing has been indexed there yet" in result.output
    assert not (tmp_path / "data").exists()
    (tmp_path / "data").mkdir()
    for command in ("search", "stats", "errors", "check"):
        assert "nothing has been indexed in" in run(command, code=5).output
    assert list((tmp_path / "data").iterdir()) == []


def test_missing_path_is_a_clear_error(run, tmp_path):
    result = run("index", str(tmp_path / "nope"), code=1)
    assert "no such file or folder" in result.output


def test_data_dir_from_environment(tmp_path):
    runner = CliRunner()
    env = {"NEWSARCHIVE_HOME": str(tmp_path / "home")}
    assert runner.invoke(cli.main, ["index", str(SEEDS)], env=env).exit_code == 0
    result = runner.invoke(cli.main, ["stats", "--json"], env=env)
    assert json.loads(result.output)["data_dir"] == str(tmp_path / "home")


def help_section(args: list[str], title: str) -> list[str]:
    """The first column of a section (``Options:``, ``Commands:``) of ``--help``."""
    text = CliRunner().invoke(cli.main, [*args, "--help"], terminal_width=200).output
    lines = text.split(f"\n{title}:\n", 1)[1].split("\n\n", 1)[0].splitlines()
    return [
        re.split(r"\s{2,}", line.strip())[0]
        for line in lines
        if line.startswith("  ") and not line.startswith("   ")
    ]


def help_options(args: list[str]) -> list[set[str]]:
    """The names of each option ``--help`` lists (``-n, --limit INTEGER`` -> -n, --limit)."""
    found = [
        set(re.findall(r"(?<![\w-])--?[\w-]+", first)) for first in help_section(args, "Options")
    ]
    return [names for names in found if names != {"--help"}]


def readme_reference() -> tuple[dict[str, set[str]], set[str]]:
    """The options the README's command reference names, per command and global."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("\n## Command reference\n", 1)[1].split("\n#", 1)[0]
    documented: dict[str, set[str]] = {}
    for line in section.splitlines():
        cells = re.split(r"(?<!\\)\|", line.strip())[1:-1]
        command = re.match(r"`newsarchive ([a-z-]+)", cells[0].strip()) if cells else None
        if command:
            documented[command.group(1)] = _named_options(" ".join(cells))
    global_options = section.split("Global options:", 1)[1].split("\n\n", 1)[0]
    return documented, _named_options(global_options)


def _named_options(text: str) -> set[str]:
    """Options in backticks: `--sort relevance|newest|oldest` names --sort."""
    return {code.split()[0] for code in re.findall(r"`(-[^`]*)`", text)}


def compare(where: str, options: list[set[str]], documented: set[str]) -> list[str]:
    problems = [
        f"{where}: {'/'.join(sorted(names))} is not in the README's command reference"
        for names in options
        if not names & documented
    ]
    known = set().union(*options, {"--help"})
    problems += [
        f"{where}: the README's command reference names {name}, which the CLI does not have"
        for name in sorted(documented - known)
    ]
    return problems


def test_the_readme_command_reference_matches_the_help():
    documented, global_options = readme_reference()
    commands = help_section([], "Commands")
    assert sorted(documented) == sorted(commands)
    problems = compare("newsarchive", help_options([]), global_options)
    for command in commands:
        problems += compare(f"newsarchive {command}", help_options([command]), documented[command])
    assert not problems, "\n".join(problems)


def test_a_name_never_forges_a_line_of_output(run, tmp_path):
    folder = tmp_path / "odd"
    folder.mkdir()
    forged = "broken\n  failed: forged.txt: a reason\x1b[2J.txt"
    (folder / forged).write_bytes(b"\x00\x01 binary")
    folder.joinpath(os.fsdecode(b"caf\xe9\n.txt")).write_text("Caf\n\nA story of cafes.\n")
    result = run("index", str(folder), code=3)
    escaped = f"{folder}/broken\\n  failed: forged.txt: a reason\\u001b[2J.txt: "
    (failed,) = [line for line in result.stderr.splitlines() if "failed:" in line]
    assert failed.startswith(f"  failed: {escaped}")
    (listed,) = run("errors").stdout.splitlines()
    assert listed.startswith(escaped)
    (hit,) = json.loads(run("search", "cafes", "--json").stdout)["hits"]
    shown = run("show", hit["id"]).stdout.splitlines()
    assert shown[2].endswith(f" · {folder}/caf\\xe9\\n.txt")
