"""Did you mean, and autocomplete, from the archive's own words."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import cli
from archive.config import Settings
from archive.core import Archive
from archive.models import SearchRequest
from archive.querytree import And, Not, Phrase, Term
from archive.search.spelling import checked_words, respell

STORIES = {
    "a.txt": ("Koizumi visits Moscow", "Prime Minister Junichiro Koizumi met Vladimir Putin."),
    "b.txt": ("Koizumi and the economy", "Koizumi spoke about the government budget."),
    "c.txt": ("Government reshuffle", "The government announced a cabinet reshuffle."),
    "d.txt": ("Election called", "An election was called for the autumn."),
}


@pytest.fixture
def folder(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    for name, (title, body) in STORIES.items():
        (docs / name).write_text(f"Title: {title}\n\n{body}\n")
    return tmp_path


@pytest.fixture
def archive(folder):
    with Archive(Settings(data_dir=folder / "data", workers=1)) as archive:
        archive.index([folder / "docs"])
        yield archive


def test_a_misspelt_name_suggests_the_archive_spelling(archive):
    page = archive.search(SearchRequest(q="Koizmi"))
    assert page.total == 0 and page.suggestion == "Koizumi"
    assert page.to_dict()["suggestion"] == "Koizumi"
    assert archive.search(SearchRequest(q="goverment reshufle")).suggestion == (
        "government reshuffle"
    )


def test_no_suggestion_when_the_query_finds_enough_or_nothing_is_close(archive):
    assert archive.search(SearchRequest(q="Koizumi")).suggestion is None
    assert archive.search(SearchRequest(q="xylophone")).suggestion is None


def test_respell_keeps_the_query_and_its_case():
    assert respell('KOIZMI "peace" -Putin', {"KOIZMI": "koizumi"}) == 'KOIZUMI "peace" -Putin'
    assert respell("koizmi", {}) is None
    tree = And((Term("koizmi"), Phrase(("peace", "treaty")), Not(Term("putin"))))
    assert checked_words(tree) == ["koizmi", "peace", "treaty"]


def test_autocomplete_offers_headline_words_and_titles(archive):
    done = archive.complete("koiz")
    assert done.queries == ("koizumi",)
    assert {title for _, title in done.titles} == {
        "Koizumi visits Moscow",
        "Koizumi and the economy",
    }
    assert archive.complete("koizumi mos").queries == ("koizumi moscow",)
    assert archive.complete("k").queries == ()
    assert archive.complete("Koizumi ").to_dict()["queries"] == []


def test_cli_prints_the_suggestion(folder, archive):
    archive.close()
    out = CliRunner().invoke(cli.main, ["--data-dir", str(folder / "data"), "search", "Koizmi"])
    assert "Did you mean: Koizumi" in out.output
    data = CliRunner().invoke(
        cli.main, ["--data-dir", str(folder / "data"), "search", "Koizmi", "--json"]
    )
    assert json.loads(data.output)["suggestion"] == "Koizumi"
