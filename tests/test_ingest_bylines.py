"""Bylines are names: handles, logins, addresses and codes are not."""

from __future__ import annotations

import pytest

from archive.ingest.text.bylines import is_code


@pytest.mark.parametrize(
    "value",
    [
        "load",
        "bock",
        "folha",
        "@libe",
        "dangoodin001",
        "lucasnolan_",
        "StevenMufson",
        "BBCWorld",
        "degenhardt.sandra",
        "dpaeditor:load",
        "https://example.com/author/ana-ruiz",
        "www.example.com",
        "gr/bp",
        "",
        "  ",
        "1234",
    ],
)
def test_codes(value):
    assert is_code(value)


@pytest.mark.parametrize(
    "value",
    ["Ana Ruiz", "Madonna", "AFP", "Reuters", "Staff and agencies", "Jong, Michiel de", "Zoë"],
)
def test_names(value):
    assert not is_code(value)
