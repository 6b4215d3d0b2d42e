"""More like this: related articles through the archive and the CLI."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import cli
from archive.config import Settings
from archive.core import Archive
from archive.errors import ArticleNotFound

ERUPTION = (
    "The volcano under the glacier erupted on Wednesday, sending a plume of ash over the "
    "island. Flights were grounded across the north as the ash drifted south and east. "
    "Scientists said the eruption could go on for weeks, and farmers moved their animals "
    "indoors while the civil protection agency closed roads near the glacier."
)
STORIES = {
    "volcano1.txt": ("Volcano erupts in Iceland", ERUPTION),
    "volcano2.txt": (
        "Ash cloud grounds flights",
        "An ash cloud from the Icelandic volcano "
        "grounded flights across Europe as the eruption went on.",
    ),
    "copy.txt": ("Iceland eruption", ERUPTION),
    "budget.txt": (
        "Budget passes",
        "Parliament passed the budget after a long debate on taxes and spending.",
    ),
    "football.txt": ("Cup final", "The home side won the cup final with a late goal."),
}


@pytest.fixture
def folder(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    for name, (title, body) in STORIES.items():
        (docs / name).write_text(f"Title: {title}\nDate: 2010-04-15\n\n{body}\n")
    return tmp_path


@pytest.fixture
def archive(folder):
    with Archive(Settings(data_dir=folder / "data", workers=1)) as archive:
        archive.index([folder / "docs"])
        yield archive


def the_id(archive, title):
    return next(hit.id for hit in archive.search(_request(title)).hits if hit.title == title)


def _request(q):
    from archive.models import SearchRequest

    return SearchRequest(q=f'title:"{q}"', copies=True)


def test_related_articles_share_the_topic_and_leave_out_copies(archive):
    article = the_id(archive, "Volcano erupts in Iceland")
    related = archive.similar(article, 3)
    assert related[0].title == "Ash cloud grounds flights"
    titles = {hit.title for hit in related}
    assert "Iceland eruption" not in titles and "Volcano erupts in Iceland" not in titles


def test_unknown_article(archive):
    with pytest.raises(ArticleNotFound):
        archive.similar("0123456789abcdef")


def test_cli_similar(folder, archive):
    article = the_id(archive, "Ash cloud grounds flights")
    archive.close()
    runner = CliRunner()
    base = ["--data-dir", str(folder / "data")]
    out = runner.invoke(cli.main, [*base, "similar", article, "-n", "2"])
    assert out.exit_code == 0, out.output
    assert "Volcano erupts in Iceland" in out.output or "Iceland eruption" in out.output
    data = json.loads(runner.invoke(cli.main, [*base, "similar", article, "--json"]).output)
    assert data and all(hit["id"] != article for hit in data)
    missing = runner.invoke(cli.main, [*base, "similar", "0123456789abcdef"])
    assert missing.exit_code == 6
