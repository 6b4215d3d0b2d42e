"""Explain: how the query was understood and why each hit ranks where it does."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import cli
from archive.config import Settings
from archive.core import Archive
from archive.models import SearchRequest
from tests.conftest import SEEDS


@pytest.fixture
def data_dir(tmp_path):
    with Archive(Settings(data_dir=tmp_path / "data", workers=1)) as archive:
        archive.index([SEEDS])
    return tmp_path / "data"


def test_cli_explains_the_query_and_each_hit(data_dir):
    out = CliRunner().invoke(
        cli.main, ["--data-dir", str(data_dir), "search", "Koizumi Putin", "--explain"]
    )
    assert out.exit_code == 0, out.output
    assert "Understood as:" in out.output and "“Koizumi” in title or text" in out.output
    assert "why: " in out.output and "putin in body" in out.output


def test_explain_data_names_fields_and_adds_up_to_the_score(data_dir):
    with Archive(Settings(data_dir=data_dir)) as archive:
        plain = archive.search(SearchRequest(q='Koizumi "G8 summit"'))
        page = archive.search(SearchRequest(q='Koizumi "G8 summit"', explain=True))
    assert plain.hits[0].explain == ()
    hit = page.hits[0]
    assert {(match.field, match.word) for match in hit.explain} >= {("body", "koizumi")}
    assert any(match.word == "g8 summit" for match in hit.explain)
    assert sum(match.score for match in hit.explain) == pytest.approx(hit.score, rel=1e-6)
    shown = json.loads(json.dumps(page.to_dict()))["hits"][0]["explain"][0]
    assert set(shown) == {"field", "word", "count", "score"}
