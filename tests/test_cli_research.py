"""The research commands end to end with Click's CliRunner: timeline, words, kwic, cite and
saved searches, on a small archive of text files that grows between runs."""

from __future__ import annotations

import csv
import json

import pytest
from click.testing import CliRunner

import cli
from cli_research import EXIT_CITATION_CHANGED
from tests.web_support import article, write_corpus


@pytest.fixture
def run(tmp_path):
    runner = CliRunner()

    def invoke(*args: str, code: int = 0, stdin: str | None = None):
        result = runner.invoke(cli.main, ["--data-dir", str(tmp_path / "data"), *args], input=stdin)
        assert result.exit_code == code, result.output
        return result

    return invoke


@pytest.fixture
def corpus(tmp_path, run):
    folder = tmp_path / "articles"
    write_corpus(folder)
    run("index", str(folder))
    return folder


def add_story(folder, name: str, title: str, day: str) -> None:
    (folder / f"{name}.txt").write_text(
        article(
            title,
            f"{title}. Farmers in Niigata reported on the rice harvest.",
            date=day,
            source="Asahi",
        ),
        encoding="utf-8",
    )


def test_timeline_compares_queries_per_period(run, corpus):
    text = run("timeline", "harvest", "drought", "--by", "year").output
    assert "no coverage" in text and "2003" in text
    assert text.count("cite: newsarchive-cite:1?") == 2
    data = json.loads(run("timeline", "harvest", "drought", "--by", "year", "--json").output)
    assert [series["total"] for series in data["series"]] == [26, 1]
    rows = [line for line in run("timeline", "harvest", "--csv").output.splitlines()]
    assert rows[0].startswith("# newsarchive export")
    table = list(csv.DictReader(row for row in rows if not row.startswith("#")))
    assert {row["query"] for row in table} == {"harvest"}
    assert sum(int(row["count"]) for row in table) == 26


def test_timeline_refuses_a_bad_query(run, corpus):
    result = run("timeline", "(harvest", code=2)
    assert "parenthesis" in result.output


def test_words_lists_what_stands_out(run, corpus):
    text = run("words", "rice", "-n", "10").output
    assert "Words (in how many of the" in text and "Hokkaido" in text
    data = json.loads(run("words", "rice", "--json", "--score", "jlh").output)
    assert data["score"] == "jlh" and data["citation"]["count"] == data["total"]
    assert run("words", "rice", "--csv").output.startswith("# newsarchive export")


def test_kwic_streams_lines_in_any_order(run, corpus):
    lines = run("kwic", "drought").output.splitlines()
    assert len(lines) == 2 and all("drought" in line.lower() for line in lines)
    sorted_lines = run("kwic", "harvest", "--sort", "after", "--json").output.splitlines()
    followers = [json.loads(line)["right"].split()[:1] for line in sorted_lines]
    assert len(followers) > 50
    first = run("kwic", "harvest", "-n", "3", "--csv").output
    assert first.startswith("# newsarchive export")
    assert len([line for line in first.splitlines() if not line.startswith("#")]) == 4


def test_a_citation_holds_until_the_archive_changes(run, corpus):
    compact = run("cite", "rice", "--source", "Asahi").output.splitlines()[-1]
    assert compact.startswith("newsarchive-cite:1?q=rice&source=Asahi&n=")
    assert "holds" in run("cite", "--check", compact).output
    add_story(corpus, "new-1", "Rice prices rise", "2004-01-05")
    run("index", str(corpus))
    changed = run("cite", "--check", compact, code=EXIT_CITATION_CHANGED).output
    assert "1 added and 0 removed since" in changed
    data = json.loads(
        run("cite", "--check", "-", "--json", stdin=compact, code=EXIT_CITATION_CHANGED).output
    )
    assert (data["added"], data["removed"], data["recorded"]) == (1, 0, True)


def test_a_citation_from_elsewhere_says_what_it_can(run, corpus):
    data = json.loads(run("cite", "rice", "--json").output)
    data["fingerprint"] = "sha256:" + "0" * 64
    result = run("cite", "--check", json.dumps(data), code=EXIT_CITATION_CHANGED).output
    assert "not recorded in this archive" in result
    assert run("cite", "--check", "not a citation", code=2)


def test_saved_searches_count_what_each_index_run_adds(run, corpus):
    assert (
        "saved Asahi rice: 14 articles"
        in run("saved", "add", "Asahi rice", "rice", "--source", "Asahi").output
    )
    run("saved", "add", "drought", "drought")
    add_story(corpus, "new-1", "Rice prices rise", "2004-01-05")
    add_story(corpus, "new-2", "Rice exports grow", "2004-01-06")
    summary = run("index", str(corpus)).output
    assert "saved searches (new articles, all): Asahi rice +2 (16), drought +0 (1)" in summary
    report = json.loads(run("index", str(corpus), "--json").output)
    assert report["saved_searches"][0] == {"name": "Asahi rice", "gained": 0, "total": 16}
    listed = json.loads(run("saved", "list", "--json").output)
    assert [(s["name"], s["new"]) for s in listed] == [("Asahi rice", 2), ("drought", 0)]
    shown = run("saved", "show", "Asahi rice", "--mark-seen").output
    assert "2 new of 16" in shown and "Rice exports grow" in shown
    assert "0 new of 16" in run("saved", "show", "Asahi rice").output
    run("saved", "add", "drought", "x", code=2)
    run("saved", "rm", "drought")
    run("saved", "rm", "drought", code=6)


def test_saved_searches_survive_reindex(run, corpus):
    run("saved", "add", "harvests", "harvest")
    run("reindex", "-q")
    listed = json.loads(run("saved", "list", "--json").output)
    assert [(s["name"], s["total"], s["new"]) for s in listed] == [("harvests", 26, 0)]
