"""Fixtures shared by the whole suite."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SHARED = Path(os.environ.get("NEWSARCHIVE_SHARED", ROOT.parent / "shared"))
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

# CI explores the same examples on every run, so a result never depends on the draw; local
# runs keep drawing new ones (and remember failures in .hypothesis/)
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if IN_CI:
    hypothesis_settings.load_profile("ci")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--long",
        action="store_true",
        default=False,
        help="run the long versions of the tests marked long (make test-long)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "long(only=False): has a long version that --long runs (make test-long); "
        "only=True: runs with --long alone",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without ``--long``, leave out the tests that exist only in a long version."""
    if config.getoption("long"):
        return
    keep, drop = [], []
    for item in items:
        marker = item.get_closest_marker("long")
        (drop if marker is not None and marker.kwargs.get("only") else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(scope="session")
def long_run(request: pytest.FixtureRequest) -> bool:
    """Whether the long versions run (``--long``, ``make test-long``)."""
    return bool(request.config.getoption("long"))


def need(condition: bool, reason: str) -> None:
    """Skip when something a test needs is absent; under CI that absence is a failure."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required under CI=true: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def shared() -> Path:
    """The ``../shared`` folder with the real test data."""
    need((SHARED / "README.md").is_file(), f"test data folder {SHARED} is absent")
    return SHARED


# web ----------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def web_archive(tmp_path_factory):
    """A small archive for the web tests (see ``tests/web_support.py``), built once."""
    from tests.web_support import build_archive

    archive = build_archive(tmp_path_factory.mktemp("web"))
    yield archive
    archive.close()


@pytest.fixture
def app(web_archive):
    """The web app over the shared test archive."""
    from web import create_app

    return create_app(archive=web_archive)


@pytest.fixture
def client(app):
    """A Flask test client on ``app``."""
    return app.test_client()


# OpenSearch ---------------------------------------------------------------------------------

OPENSEARCH_URL = os.environ.get("NEWSARCHIVE_TEST_OPENSEARCH_URL", "")


@pytest.fixture(scope="session")
def opensearch_url() -> str:
    """A running OpenSearch node for the engine tests (``NEWSARCHIVE_TEST_OPENSEARCH_URL``).

    ``make opensearch`` starts one at http://127.0.0.1:9200; CI starts its own.
    """
    from tests.opensearch_support import answers

    need(
        bool(OPENSEARCH_URL),
        "NEWSARCHIVE_TEST_OPENSEARCH_URL is not set (`make opensearch` starts a node; "
        "then export NEWSARCHIVE_TEST_OPENSEARCH_URL=http://127.0.0.1:9200)",
    )
    problem = answers(OPENSEARCH_URL)
    need(not problem, f"no OpenSearch answers at {OPENSEARCH_URL}: {problem}")
    return OPENSEARCH_URL
